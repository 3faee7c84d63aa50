"""torchkeras.layers.normalization"""
