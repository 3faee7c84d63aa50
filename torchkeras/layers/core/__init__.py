"""torchkeras.layers.core"""
