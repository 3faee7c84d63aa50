"""torchkeras.layers.activations"""
