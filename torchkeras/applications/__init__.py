"""torchkeras.applications"""
