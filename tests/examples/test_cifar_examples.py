"""Each CIFAR example runs end to end on synthetic data in CI-sized settings.

Small, fixed-seed runs: they must learn (well above the 10% of chance), print their
test accuracy and leave TensorBoard logs behind.
"""
import glob
import os

import pytest

import cifar10_cnn
import cifar10_fast
import cifar10_resnet

SMALL = ["--synthetic", "--train-size", "1024", "--test-size", "256", "--seed", "0"]


def _events(logdir):
    return glob.glob(os.path.join(logdir, "**", "events.out.tfevents.*"), recursive=True)


def test_cifar10_cnn(tmp_path, capsys):
    logdir = str(tmp_path / "cnn")
    accuracy = cifar10_cnn.main(SMALL + ["--epochs", "3", "--batch-size", "64",
                                         "--widths", "8,16,32", "--logdir", logdir])
    out = capsys.readouterr().out
    assert "cifar10_cnn test accuracy: %.4f (synthetic data)" % accuracy in out
    assert accuracy > 0.2
    assert _events(logdir)
    assert os.path.exists(os.path.join(logdir, "checkpoints", "best.weights.safetensors"))
    assert os.path.exists(os.path.join(logdir, "cifar10_cnn.weights.safetensors"))
    assert "reloaded (accuracy %.4f)" % accuracy in out


def test_cifar10_cnn_get_config_round_trip():
    model = cifar10_cnn.CifarCNN((4, 8, 8), name="cnn")
    again = cifar10_cnn.CifarCNN.from_config(model.get_config())
    assert again.widths == (4, 8, 8) and again.num_classes == 10
    block = cifar10_cnn.ConvBlock(8, dropout=0.3)
    assert cifar10_cnn.ConvBlock.from_config(block.get_config()).dropout_rate == 0.3


def test_cifar10_resnet_bf16(tmp_path, capsys):
    import torchkeras as keras
    logdir = str(tmp_path / "resnet")
    accuracy = cifar10_resnet.main(SMALL + ["--epochs", "3", "--batch-size", "64",
                                            "--depth", "8", "--width", "8", "--lr", "0.1",
                                            "--logdir", logdir])
    out = capsys.readouterr().out
    # jit (torch.compile) is on by default on CUDA only
    jit = keras.config.get_device().type == "cuda"
    assert "mixed_bfloat16, jit_compile=%s" % jit in out
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    assert "cifar10_resnet test accuracy: %.4f (synthetic data)" % accuracy in out
    assert accuracy > 0.2
    assert _events(logdir)


def test_cifar10_resnet_structure():
    model = cifar10_resnet.build_resnet(depth=14, width=4)
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert len([c for c in convs if not c.name.endswith("_proj")]) == 13   # 6n+1 (+ head)
    assert type(model.layers[3]).__name__ == "RandomFlip"
    with pytest.raises(ValueError, match="6n"):
        cifar10_resnet.build_resnet(depth=10)


def test_cifar10_fast(tmp_path, capsys):
    logdir = str(tmp_path / "fast")
    accuracy = cifar10_fast.main(SMALL + ["--epochs", "2.5", "--batch-size", "128",
                                          "--widths", "16,32,32", "--logdir", logdir])
    out = capsys.readouterr().out
    assert "cifar10_fast test accuracy: %.4f (synthetic data)" % accuracy in out
    # 2.5 epochs of 8 full batches: training stops after 20 steps, mid-epoch.
    assert "2560 training images" in out
    assert accuracy > 0.35
    assert _events(logdir)


def test_cnn_demo_settings_size_the_cpu_run_and_say_so(capsys):
    parse = cifar10_cnn.build_parser().parse_args
    args = parse(["--demo"])
    cifar10_cnn.demo_settings(args, cuda=False)
    out = capsys.readouterr().out
    assert (args.epochs, args.train_size, args.widths) == (3, 3000, "16,32,64")
    assert "Demo on CPU" in out and "about a minute" in out
    assert args.verbose == 1                      # the live progress bar
    args = parse(["--demo", "--train-size", "500"])
    cifar10_cnn.demo_settings(args, cuda=False)
    assert args.train_size == 500                 # explicit flags win
    args = parse(["--demo"])
    cifar10_cnn.demo_settings(args, cuda=True)
    assert (args.epochs, args.train_size, args.widths) == (3, None, "32,64,128")


def test_cifar10_fast_jit_flag_maps_to_compile_modes():
    assert cifar10_fast.jit_option(None) is False
    assert cifar10_fast.jit_option("default") is True
    assert cifar10_fast.jit_option("reduce-overhead") == "reduce-overhead"
