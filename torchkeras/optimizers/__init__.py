"""torchkeras.optimizers"""
