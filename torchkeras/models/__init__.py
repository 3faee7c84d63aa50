"""torchkeras.models"""
