"""torchkeras.layers.reshaping"""
