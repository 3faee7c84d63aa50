import torch

from torchkeras.metrics import Mean
from torchkeras.metrics.loss_tracker import LossTracker


def test_update_weights_by_count_and_reset():
    t = LossTracker(name="loss")
    assert type(t.metric) is Mean and t.metric.name == "loss"
    t.update(torch.tensor(1.0), 4)
    t.update(torch.tensor(2.0, requires_grad=True), 2)
    t.update(torch.tensor(4.0), torch.tensor(2.0))
    assert abs(float(t.result()) - (4 + 4 + 8) / 8) < 1e-6
    assert float(t.metric.count) == 8.0
    t.reset()
    assert float(t.result()) == 0.0 and float(t.metric.count) == 0.0


def test_many_updates_fold_in():
    t = LossTracker()
    for _ in range(300):
        t.update(torch.tensor(0.5), 2)
    assert abs(float(t.result()) - 0.5) < 1e-6 and float(t.metric.count) == 600.0
