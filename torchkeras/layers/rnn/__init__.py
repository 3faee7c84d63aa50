"""torchkeras.layers.rnn"""
