"""torchkeras.datasets"""
