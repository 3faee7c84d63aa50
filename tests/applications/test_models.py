"""Applications as torchkeras models: shapes, summary, freezing, nesting, configs."""
import os

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import applications, layers

torch.set_num_threads(1)


def _summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def test_resnet50_features_shapes_and_summary():
    base = applications.ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
    assert base.name == "resnet50"
    assert base.input_shape == (None, 32, 32, 3)
    assert base.output_shape == (None, 1, 1, 2048)
    lines = _summary_lines(base)
    text = "\n".join(lines)
    assert "conv1_conv (Conv2D)" in text and "conv5_block3_out (Activation)" in text
    assert "(None, 1, 1, 2048)" in text
    # Batch-norm moving statistics are non-trainable weights, as in Keras's ResNet50.
    assert "Non-trainable params: 53,120" in text
    out = base(torch.rand(2, 32, 32, 3) * 255)
    assert out.shape == (2, 1, 1, 2048)
    free = applications.ResNet50(include_top=False, weights=None, pooling="max")
    assert free.output_shape == (None, 2048)
    assert free.layers[-1].name == "max_pool"
    assert free(torch.rand(1, 40, 56, 3)).shape == (1, 2048)


def test_mobilenet_v2_top_matches_keras_layout(keras):
    ours = applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=10)
    theirs = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=10)
    assert ours.name == theirs.name == "mobilenetv2_1.00_32"
    assert ours.output_shape == theirs.output_shape == (None, 10)
    assert ours.count_params() == theirs.count_params()
    assert len(ours.trainable_weights) > 0
    assert sum(w.numel() for w in ours.non_trainable_weights) == sum(
        int(np.prod(w.shape)) for w in theirs.non_trainable_weights)
    assert ours.layers[-1].name == "predictions"
    probs = ours(torch.rand(3, 32, 32, 3) * 2 - 1)
    torch.testing.assert_close(probs.sum(-1), torch.ones(3))


def test_argument_validation(tmp_path):
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        applications.ResNet50(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="weights"):
        applications.ResNet50(weights=str(tmp_path / "missing.pth"))
    with pytest.raises(ValueError, match="at least 32x32"):
        applications.ResNet50(include_top=False, weights=None, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="static `input_shape`"):
        applications.ResNet50(include_top=True, weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="should be \\(224, 224, 3\\)"):
        applications.ResNet50(weights="imagenet", input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="3 channels"):
        applications.ResNet50(include_top=False, weights="imagenet", input_shape=(64, 64, 1))
    with pytest.raises(ValueError, match="classifier_activation"):
        applications.ResNet50(weights="imagenet", classifier_activation="relu")
    with pytest.raises(ValueError, match="pooling"):
        applications.ResNet50(include_top=False, weights=None, pooling="sum")
    with pytest.raises(ValueError, match="minimalistic"):
        applications.MobileNetV3Small(weights=None, minimalistic=True)
    with pytest.raises(ValueError, match="alpha=1.0"):
        applications.MobileNetV2(alpha=0.5)


def test_input_tensor_and_alpha():
    inp = tk.Input((48, 48, 3))
    x = layers.Rescaling(1.0)(inp) if hasattr(layers, "Rescaling") else inp * 1.0
    model = applications.MobileNetV2(input_tensor=x, include_top=False, weights=None,
                                     alpha=0.5, pooling="avg")
    assert model.inputs[0] is inp
    assert model.output_shape == (None, 1280)
    assert model(torch.rand(2, 48, 48, 3)).shape == (2, 1280)


def test_transfer_learning_with_frozen_base():
    """Keras's tutorial: frozen base inside Sequential([base, GAP, Dense(100)])."""
    base = applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3))
    base.trainable = False
    model = tk.Sequential([base, layers.GlobalAveragePooling2D(), layers.Dense(100)])
    assert model.built and model.output_shape == (None, 100)
    lines = _summary_lines(model)
    assert any("mobilenetv2_1.00_32 (Functional)" in l for l in lines)
    assert any("Trainable params: 128,100" in l for l in lines)
    assert len(model.trainable_weights) == 2
    before = [w.detach().clone() for w in base.weights]
    head_before = model.layers[-1].weight.detach().clone()
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (16, 32, 32, 3)).astype("float32")
    y = rng.randint(0, 100, 16)
    model.compile(optimizer="adam", loss=tk.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    # Every base weight, batch-norm moving statistics included, is unchanged.
    for w, b in zip(base.weights, before):
        torch.testing.assert_close(w.detach().cpu(), b.cpu(), rtol=0, atol=0)
    assert not torch.equal(model.layers[-1].weight.detach(), head_before)

    # Unfrozen, the base trains and its moving statistics move.
    base.trainable = True
    assert len(model.trainable_weights) > 100
    backbone = base.layers[-1]
    stats_before = backbone._norms[0].running_mean.clone()
    model.compile(optimizer="sgd", loss=tk.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert not torch.equal(backbone._norms[0].running_mean, stats_before)


def test_frozen_base_uses_moving_statistics():
    base = applications.ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
    x = torch.rand(4, 32, 32, 3) * 255
    base.trainable = False
    bn = base.get_layer("conv2_block1_1_bn")
    stats = bn.moving_variance.detach().clone()
    out_train = base(x, training=True)
    out_infer = base(x, training=False)
    torch.testing.assert_close(out_train, out_infer)
    assert torch.equal(bn.moving_variance.detach(), stats)
    assert all(not p.requires_grad for p in base.parameters())
    # Unfrozen again: batch statistics are used and updated.
    base.trainable = True
    out_train = base(x, training=True)
    assert not torch.allclose(out_train, out_infer)
    assert not torch.equal(bn.moving_variance.detach(), stats)


def test_config_round_trip_and_weight_files(tmp_path):
    model = applications.MobileNetV3Small(input_shape=(32, 32, 3), weights=None, classes=7)
    # Move the batch-norm statistics away from their initial values.
    model(torch.rand(8, 32, 32, 3) * 255, training=True)
    clone = tk.Model.from_config(model.get_config())
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    clone.set_weights(model.get_weights())
    x = torch.rand(2, 32, 32, 3) * 255
    torch.testing.assert_close(clone(x), model(x))
    path = os.path.join(tmp_path, "small.weights.h5")
    model.save_weights(path)
    loaded = applications.MobileNetV3Small(input_shape=(32, 32, 3), weights=path, classes=7)
    torch.testing.assert_close(loaded(x), model(x))
    model.save(os.path.join(tmp_path, "small.keras"))
    restored = tk.saving.load_model(os.path.join(tmp_path, "small.keras"))
    torch.testing.assert_close(restored(x), model(x))


def test_channels_first():
    tk.config.set_image_data_format("channels_first")
    try:
        model = applications.ResNet50(include_top=False, weights=None, input_shape=(3, 32, 32),
                                      pooling="avg")
        assert model.output_shape == (None, 2048)
        assert model(torch.rand(2, 3, 32, 32)).shape == (2, 2048)
    finally:
        tk.config.set_image_data_format("channels_last")


BUILDERS = [
    (applications.ResNet101, {}), (applications.ResNet152, {}), (applications.VGG16, {}),
    (applications.VGG19, {}), (applications.MobileNetV3Large, {}),
    (applications.EfficientNetB0, {}), (applications.EfficientNetB7, {}),
    (applications.DenseNet121, {}), (applications.DenseNet201, {}),
    (applications.ConvNeXtTiny, {}), (applications.ConvNeXtSmall, {}),
]


@pytest.mark.slow
@pytest.mark.parametrize("builder,kwargs", BUILDERS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_architecture_builds_and_runs(builder, kwargs):
    top = builder(weights=None, input_shape=(64, 64, 3), classes=5, **kwargs)
    assert top.output_shape == (None, 5)
    assert top(torch.rand(1, 64, 64, 3) * 255).shape == (1, 5)
    base = builder(include_top=False, weights=None, pooling="avg", **kwargs)
    assert len(base.output_shape) == 2


def test_other_channel_counts_and_frozen_config():
    with pytest.warns(UserWarning, match="1 or 3 input channels"):
        applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 4))
    gray = applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 1),
                                 pooling="avg")
    assert gray.get_layer("conv1_conv").kernel.shape[2] == 1
    assert gray(torch.rand(2, 32, 32, 1)).shape == (2, 2048)
    mono = applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 1))
    backbone = [l for l in mono.layers if isinstance(l, applications.TorchvisionBackbone)][0]
    clone = type(backbone).from_config({**backbone.get_config(), "trainable": False})
    assert clone.in_channels == 1 and not clone.trainable
    assert not any(p.requires_grad for p in clone.parameters())
    assert clone.trainable_weights == [] and len(clone.non_trainable_weights) == len(
        backbone.weights)
