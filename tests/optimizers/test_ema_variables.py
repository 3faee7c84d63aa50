import torch

import torchkeras as keras


def test_ema_variables_are_the_aligned_pairs():
    opt = keras.optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    assert opt.ema_variables() is None                     # not built yet
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    opt.build([p])
    weights, averages = opt.ema_variables()
    assert weights[0] is p and averages[0].shape == p.shape
    assert keras.optimizers.SGD().ema_variables() is None  # use_ema off
