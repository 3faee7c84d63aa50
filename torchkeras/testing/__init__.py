"""torchkeras.testing"""
