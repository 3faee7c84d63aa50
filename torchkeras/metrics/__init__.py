"""torchkeras.metrics"""
