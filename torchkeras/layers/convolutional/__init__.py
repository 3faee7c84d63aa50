"""torchkeras.layers.convolutional"""
