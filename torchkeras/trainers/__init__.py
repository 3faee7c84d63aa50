"""torchkeras.trainers"""
