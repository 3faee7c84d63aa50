"""torchkeras.callbacks"""
