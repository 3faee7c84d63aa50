"""torchkeras.layers.regularization"""
