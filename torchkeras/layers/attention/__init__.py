"""torchkeras.layers.attention"""
