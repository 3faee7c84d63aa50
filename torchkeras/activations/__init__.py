"""torchkeras.activations"""
