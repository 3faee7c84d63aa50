"""torchkeras.layers.merging"""
