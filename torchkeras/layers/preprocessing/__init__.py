"""torchkeras.layers.preprocessing"""
