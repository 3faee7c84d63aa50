"""torchkeras.regularizers"""
