"""torchkeras.constraints"""
