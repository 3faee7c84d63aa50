"""airbench94 through ``fit`` trains like the hand-written loop of bench/gpu_cifar.py, and
a short run's evaluation agrees with its training accuracy.

CPU, float32, tiny sizes: a few seconds each. ``python bench/gpu_cifar.py --curves`` is
the same comparison at full size (mixed bfloat16 on a GPU).
"""
import torch
import torch.nn.functional as F

import _cifar_common as common
import cifar10_fast
import gpu_cifar


def _data(n_train, n_test):
    (xa, ya), (xb, yb) = common.synthetic_cifar10(n_train, n_test, seed=0)
    return cifar10_fast.prepare_data(xa, ya, xb, yb, torch.device("cpu"))


def test_fit_and_raw_loop_give_the_same_per_epoch_curves(capsys):
    xt, yt, xv, yv = _data(256, 64)
    # 2 epochs of 4 steps: a Lookahead sync (step 5) happens mid-run, the end drops 3 steps.
    hyp = {"epochs": 2, "batch_size": 64, "widths": (8, 16, 16), "whiten_images": 256,
           "tta_level": 0}
    c = gpu_cifar.compare_curves(xt, yt, xv, yv, hyp, seed=0)
    gpu_cifar.print_curves(c)
    assert "SAME TRAINING" in capsys.readouterr().out
    assert len(c["fit"]["loss"]) == len(c["raw"]["loss"]) == 2
    assert c["ok"], c
    assert c["loss_rel"] <= gpu_cifar.CURVE_TOLERANCE["float32"]["loss_rel"]
    assert c["accuracy_abs"] <= 0.01
    # The final (slow) weights agree too: same test accuracy.
    assert abs(c["fit_test_accuracy"] - c["raw_test_accuracy"]) <= 1 / 64


def test_curves_differ_when_the_data_order_differs():
    """The comparison can fail: another augmentation seed on one side shows up."""
    xt, yt, xv, yv = _data(128, 32)
    hyp = {**cifar10_fast.ab.HYP, "epochs": 1, "batch_size": 32, "widths": (8, 8, 8),
           "whiten_images": 128, "tta_level": 0}
    model = cifar10_fast.ab.build_model(hyp["widths"], hyp["bn_momentum"],
                                        hyp["scaling_factor"])
    raw = gpu_cifar.raw_train(xt, yt, xv, yv, hyp, init_from=model, data_seed=1)
    fit = cifar10_fast.train(xt, yt, xv, yv, hyp, model=model, data_seed=2)
    assert abs(raw["history"]["loss"][0] - fit["history"]["loss"][0]) \
        > 1e-3 * raw["history"]["loss"][0]


def test_short_run_evaluation_agrees_with_training_accuracy():
    """12 steps, fewer than one Lookahead period: the model must not fall back to its
    initial weights at the end (it did: test accuracy 0.07 after training at 0.52)."""
    xt, yt, xv, yv = _data(512, 256)
    torch.manual_seed(0)
    hyp = {"epochs": 3, "batch_size": 128, "widths": (16, 32, 32), "whiten_images": 512,
           "tta_level": 0, "lookahead_period": 16}
    result = cifar10_fast.train(xt, yt, xv, yv, hyp, data_seed=0)
    train_acc = result["history"]["accuracy"][-1]
    assert train_acc > 0.25            # it learnt something to check against
    evaluated = result["model"].evaluate(xt, F.one_hot(yt, 10).float(), batch_size=256,
                                         verbose=0, return_dict=True)["accuracy"]
    assert abs(evaluated - train_acc) < 0.12, (evaluated, train_acc)
    assert result["accuracy"] > 0.2    # held-out data, same classes
