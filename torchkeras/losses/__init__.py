"""torchkeras.losses"""
