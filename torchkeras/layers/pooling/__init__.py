"""torchkeras.layers.pooling"""
