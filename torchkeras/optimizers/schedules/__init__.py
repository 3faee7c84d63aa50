"""torchkeras.optimizers.schedules"""
