"""torchkeras.utils"""
