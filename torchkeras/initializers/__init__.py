"""torchkeras.initializers"""
