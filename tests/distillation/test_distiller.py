"""Distiller against real Keras 3: loss values and one fit step with copied weights."""
import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import distillation


def _models(lib, seed=0):
    teacher = lib.Sequential([lib.Input((5,)), lib.layers.Dense(8, activation="relu", name="h"),
                              lib.layers.Dense(3, name="out")], name="teacher")
    student = lib.Sequential([lib.Input((5,)), lib.layers.Dense(8, activation="tanh", name="h"),
                              lib.layers.Dense(3, name="out")], name="student")
    return teacher, student


def _data(n=16):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 5)).astype("float32"), rng.integers(0, 3, n)


# (distillation losses, distiller kwargs, student loss) for a library's namespace.
CASES = {
    "logits_default": lambda lib: (
        lib.distillation.LogitsDistillation(), {},
        lib.losses.SparseCategoricalCrossentropy(from_logits=True)),
    "logits_kl_instance": lambda lib: (
        lib.distillation.LogitsDistillation(temperature=2.0, loss=lib.losses.KLDivergence()),
        {"student_loss_weight": 0.2}, "sparse_categorical_crossentropy"),
    "logits_cce_and_features": lambda lib: (
        [lib.distillation.LogitsDistillation(temperature=4.0,
                                             loss="categorical_crossentropy"),
         lib.distillation.FeatureDistillation(teacher_layer_name="h",
                                              student_layer_name="h")],
        {"distillation_loss_weights": [1.0, 0.5], "student_loss_weight": 0.3},
        lib.losses.SparseCategoricalCrossentropy(from_logits=True)),
    "features_final_cosine_only": lambda lib: (
        lib.distillation.FeatureDistillation(loss="cosine_similarity"),
        {"student_loss_weight": 0.0}, "sparse_categorical_crossentropy"),
    "student_only": lambda lib: (
        lib.distillation.LogitsDistillation(), {"student_loss_weight": 1.0},
        lib.losses.SparseCategoricalCrossentropy(from_logits=True)),
}


def _pair(keras, case):
    built = []
    for lib in (keras, tk):
        teacher, student = _models(lib)
        losses, kwargs, student_loss = CASES[case](lib)
        d = lib.distillation.Distiller(teacher, student, losses, **kwargs)
        built.append((d, teacher, student, student_loss))
    (kd, kt, ks, _), (od, ot, os_, _) = built
    ot.set_weights(kt.get_weights())
    os_.set_weights(ks.get_weights())
    return built


def _trackers(d):
    return [float(t.result()) for t in (d.student_loss_tracker, d.distillation_loss_tracker,
                                        d.total_loss_tracker)]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", list(CASES))
def test_loss_values_match_keras(keras, case):
    x, y = _data()
    (kd, _, _, k_loss), (od, _, _, o_loss) = _pair(keras, case)
    kd.compile(optimizer="sgd", loss=k_loss)
    od.compile(optimizer="sgd", loss=o_loss)
    xt, yt = torch.tensor(x), torch.tensor(y)
    theirs = float(kd.compute_loss(x=xt, y=yt, y_pred=kd(xt)).detach())
    ours = float(od.compute_loss(x=xt, y=yt, y_pred=od(xt)).detach())
    assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-6)
    assert _trackers(od) == pytest.approx(_trackers(kd), rel=1e-5, abs=1e-6)
    assert theirs != 0.0


@pytest.mark.keras_oracle
@pytest.mark.parametrize("case", ["logits_default", "logits_cce_and_features"])
def test_one_fit_step_matches_keras(keras, case):
    x, y = _data()
    (kd, kt, ks, k_loss), (od, ot, os_, o_loss) = _pair(keras, case)
    kd.compile(optimizer=keras.optimizers.SGD(0.5), loss=k_loss, metrics=["accuracy"])
    od.compile(optimizer=tk.optimizers.SGD(0.5), loss=o_loss, metrics=["accuracy"])
    k_hist = kd.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0).history
    o_hist = od.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0).history
    assert sorted(o_hist) == sorted(k_hist) == ["accuracy", "distillation_loss", "loss",
                                                "student_loss", "total_loss"]
    for key in k_hist:
        assert o_hist[key][0] == pytest.approx(k_hist[key][0], rel=1e-5, abs=1e-6), key
    for a, b in zip(os_.get_weights(), ks.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(ot.get_weights(), kt.get_weights()):   # the teacher did not move
        np.testing.assert_array_equal(a, b)
    k_eval = kd.evaluate(x, y, verbose=0, return_dict=True)
    o_eval = od.evaluate(x, y, verbose=0, return_dict=True)
    for key in k_eval:
        assert o_eval[key] == pytest.approx(k_eval[key], rel=1e-5, abs=1e-6), key


def test_fit_decreases_the_loss_and_trains_only_the_student():
    x, y = _data(64)
    teacher, student = _models(tk)
    teacher.compile(optimizer=tk.optimizers.Adam(0.05),
                    loss=tk.losses.SparseCategoricalCrossentropy(from_logits=True))
    teacher.fit(x, y, epochs=5, batch_size=16, verbose=0)
    frozen = [w.copy() for w in teacher.get_weights()]
    d = distillation.Distiller(teacher, student, distillation.LogitsDistillation(
        temperature=2.0, loss=tk.losses.KLDivergence()))
    d.compile(optimizer=tk.optimizers.Adam(0.02),
              loss=tk.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    history = d.fit(x, y, epochs=8, batch_size=16, verbose=0).history
    assert history["total_loss"][-1] < 0.7 * history["total_loss"][0]
    assert history["distillation_loss"][-1] < history["distillation_loss"][0]
    assert not teacher.trainable and len(d.trainable_weights) == len(student.trainable_weights)
    for a, b in zip(teacher.get_weights(), frozen):
        np.testing.assert_array_equal(a, b)
    assert d.predict(x[:4], verbose=0).shape == (4, 3)
    np.testing.assert_allclose(d.predict(x[:4], verbose=0), student.predict(x[:4], verbose=0))


def test_weights_are_not_listed_twice_with_feature_extractors():
    teacher, student = _models(tk)
    d = distillation.Distiller(teacher, student, distillation.FeatureDistillation(
        teacher_layer_name="h", student_layer_name="h"))
    assert len(d.weights) == 8 and len(d.trainable_weights) == 4
    names = [n for n, _ in d.named_parameters()]
    # the loss trackers' running sums are the only other entries (metric attributes)
    assert len([n for n in names if n.startswith(("teacher.", "student."))]) == 8
    assert not any("extractor" in n for n in list(d.state_dict()) + names)


@pytest.mark.keras_oracle
def test_config_matches_keras_and_round_trips(keras):
    k_d = keras.distillation.Distiller(*_models(keras), [
        keras.distillation.LogitsDistillation(temperature=2.0),
        keras.distillation.FeatureDistillation(teacher_layer_name="h",
                                               student_layer_name="h")],
        distillation_loss_weights=[1.0, 0.25], student_loss_weight=0.4)
    o_d = distillation.Distiller(*_models(tk), [
        distillation.LogitsDistillation(temperature=2.0),
        distillation.FeatureDistillation(teacher_layer_name="h", student_layer_name="h")],
        distillation_loss_weights=[1.0, 0.25], student_loss_weight=0.4)
    k_conf, o_conf = k_d.get_config(), o_d.get_config()
    assert list(o_conf) == list(k_conf)
    for key in ("name", "trainable", "distillation_loss_weights", "student_loss_weight"):
        assert o_conf[key] == k_conf[key]
    assert [d["config"] for d in o_conf["distillation_losses"]] == \
        [d["config"] for d in k_conf["distillation_losses"]]
    again = distillation.Distiller.from_config(o_conf)
    assert isinstance(again.distillation_losses[1], distillation.FeatureDistillation)
    assert again.distillation_losses[0].temperature == 2.0
    assert again.student_loss_weight == 0.4 and not again.teacher.trainable
    # Keras's own config (Keras module names) rebuilds too.
    from_keras = distillation.Distiller.from_config(k_conf)
    assert [type(d).__name__ for d in from_keras.distillation_losses] == \
        ["LogitsDistillation", "FeatureDistillation"]


def test_bad_arguments_raise_before_freezing_the_teacher():
    teacher, student = _models(tk)
    logits = distillation.LogitsDistillation()
    cases = [
        (dict(teacher="model", student=student, distillation_losses=logits), "Teacher"),
        (dict(teacher=teacher, student=student, distillation_losses=None), "cannot be"),
        (dict(teacher=teacher, student=student, distillation_losses=logits,
              student_loss_weight=1.5), "between 0.0 and 1.0"),
        (dict(teacher=teacher, student=student, distillation_losses=[logits],
              distillation_loss_weights=[1.0, 2.0]), "must match"),
        (dict(teacher=teacher, student=student, distillation_losses=[
            distillation.FeatureDistillation(teacher_layer_name="nope")]), "teacher model"),
    ]
    for kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            distillation.Distiller(**kwargs)
    assert teacher.trainable
    with pytest.raises(TypeError, match="DistillationLoss"):
        distillation.Distiller(teacher, student, ["kl_divergence"])
    wide = tk.Sequential([tk.Input((5,)), tk.layers.Dense(4)])
    with pytest.raises(ValueError, match="output shapes are incompatible"):
        distillation.Distiller(teacher, wide, logits)
    d = distillation.Distiller(teacher, student, logits)
    with pytest.raises(ValueError, match="'loss' cannot be"):
        d.compile(optimizer="adam")
    with pytest.raises(ValueError, match="metrics must be a list"):
        d.compile(optimizer="adam", loss="mse", metrics="accuracy")


def test_subclassed_models_only_with_final_outputs():
    class Small(tk.Model):
        def __init__(self):
            super().__init__()
            self.dense = tk.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

    teacher, student = Small(), Small()
    with pytest.raises(ValueError, match="subclassed"):
        distillation.Distiller(teacher, student, distillation.FeatureDistillation(
            teacher_layer_name="dense", student_layer_name="dense"))
    d = distillation.Distiller(teacher, student, distillation.FeatureDistillation())
    d.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 5), "float32")
    history = d.fit(x, np.zeros((4, 3), "float32"), epochs=2, verbose=0).history
    assert len(history["loss"]) == 2


def test_model_file_round_trip_keeps_weights_compile_and_optimizer_state(tmp_path):
    x, y = _data()
    teacher, student = _models(tk)
    d = distillation.Distiller(teacher, student, [
        distillation.LogitsDistillation(),
        distillation.FeatureDistillation(teacher_layer_name="h", student_layer_name="h")])
    d.compile(optimizer="adam", loss=tk.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    d.fit(x, y, epochs=1, batch_size=8, verbose=0)
    d.save(tmp_path / "d.keras")
    again = tk.models.load_model(tmp_path / "d.keras")
    assert isinstance(again, distillation.Distiller) and not again.teacher.trainable
    assert again.evaluate(x, y, verbose=0, return_dict=True) == \
        d.evaluate(x, y, verbose=0, return_dict=True)
    for m in (d, again):
        m.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(again.student.get_weights(), d.student.get_weights()):
        np.testing.assert_array_equal(a, b)
