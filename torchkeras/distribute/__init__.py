"""torchkeras.distribute"""
