"""Distiller: trains a student model on labels and on a frozen teacher's outputs."""
from __future__ import annotations

import numbers

import torch

from torchkeras import metrics as metrics_module
from torchkeras import tree
from torchkeras.distillation.distillation_loss import DistillationLoss, loss_structure
from torchkeras.models import Model, Sequential
from torchkeras.saving.serialization import (deserialize_keras_object,
                                             serialize_keras_object)


class Distiller(Model):
    """Knowledge distillation: a student learns from labels and from a teacher.

    ``loss = w * student_loss + (1 - w) * sum_i(weight_i * distillation_loss_i)`` with
    ``w = student_loss_weight``; the student loss is the ``compile`` loss on the
    student's predictions. The teacher is frozen (``trainable = False``) and runs in
    inference mode, without autograd. ``fit`` logs ``loss``, ``student_loss``,
    ``distillation_loss`` and ``total_loss`` as Keras does; calling the distiller (and
    ``predict``) runs the student.

    Args:
        teacher: A trained ``Model``, the knowledge source.
        student: The ``Model`` to train; same input and output shapes and dtypes.
        distillation_losses: A ``DistillationLoss`` (``LogitsDistillation``,
            ``FeatureDistillation``, ...) or a list of them.
        distillation_loss_weights: One weight per distillation loss (default: all 1.0).
        student_loss_weight: ``w`` above, in [0, 1]. Defaults to 0.5.
        name: Model name. Defaults to ``"distiller"``.
        **kwargs: Further ``Model`` arguments.

    Example:
        >>> distiller = Distiller(teacher, student,
        ...                       distillation_losses=LogitsDistillation(temperature=3.0))
        >>> distiller.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
        ...                   metrics=["accuracy"])
        >>> distiller.fit(x_train, y_train, epochs=10)
        >>> trained = distiller.student
    """

    def __init__(self, teacher: Model, student: Model, distillation_losses,
                 distillation_loss_weights=None, student_loss_weight: float = 0.5,
                 name: str = "distiller", **kwargs):
        # Everything is checked before the models are attached or frozen.
        _check_models(teacher, student)
        if isinstance(student_loss_weight, bool) or \
                not isinstance(student_loss_weight, numbers.Real):
            raise ValueError("student_loss_weight must be a number, got %s"
                             % (type(student_loss_weight),))
        if not 0.0 <= student_loss_weight <= 1.0:
            raise ValueError("student_loss_weight must be between 0.0 and 1.0, got %s"
                             % (student_loss_weight,))
        if distillation_losses is None:
            raise ValueError("'distillation_losses' cannot be `None`. Provide a distillation "
                             "loss (e.g., LogitsDistillation or FeatureDistillation) or a "
                             "list of distillation losses.")
        if not isinstance(distillation_losses, (list, tuple)):
            distillation_losses, weights = [distillation_losses], [1.0]
        elif distillation_loss_weights is None:
            weights = [1.0] * len(distillation_losses)
        else:
            if len(distillation_loss_weights) != len(distillation_losses):
                raise ValueError("Number of distillation_loss_weights (%d) must match number "
                                 "of distillation_losses (%d)"
                                 % (len(distillation_loss_weights), len(distillation_losses)))
            weights = list(distillation_loss_weights)
        for loss in distillation_losses:
            if not isinstance(loss, DistillationLoss):
                raise TypeError("distillation_losses must be DistillationLoss instances, "
                                "received %r." % (loss,))
            loss.validate_model_compatibility(teacher, student)
        super().__init__(name=name, **kwargs)
        self.teacher = teacher
        self.student = student
        self.student_loss_weight = student_loss_weight
        self.distillation_losses = list(distillation_losses)
        self.distillation_loss_weights = weights
        # Outside nn.Module's registry: the extractors share the models' layers, which
        # must not be listed (or saved) twice.
        self.__dict__["_teacher_feature_extractor"] = _feature_extractor(
            teacher, [getattr(d, "teacher_layer_name", None) for d in self.distillation_losses])
        self.__dict__["_student_feature_extractor"] = _feature_extractor(
            student, [getattr(d, "student_layer_name", None) for d in self.distillation_losses])
        self.teacher.trainable = False
        self.student_loss_tracker = metrics_module.Mean(name="student_loss")
        self.distillation_loss_tracker = metrics_module.Mean(name="distillation_loss")
        self.total_loss_tracker = metrics_module.Mean(name="total_loss")
        self._student_loss = None

    # -- compile ------------------------------------------------------------------------

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs) -> None:
        """Like ``Model.compile``; ``loss`` (required) is the student's supervised loss.

        Args:
            optimizer: Optimizer of the student's weights. Defaults to ``"adam"``.
            loss: Loss name/object/function, or a structure of them for several outputs.
            metrics: A list of metrics of the student's predictions.
            **kwargs: Further ``compile`` arguments.
        """
        if loss is None:
            raise ValueError("'loss' cannot be `None`.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError("metrics must be a list or tuple, got %s" % (type(metrics),))
        student_loss = loss_structure(loss)
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)
        self._student_loss = student_loss
        self._compile_config["loss"] = loss

    # -- forward and loss ---------------------------------------------------------------

    def call(self, inputs, training=None, **kwargs):
        """The student's predictions."""
        return self.student(inputs, training=training, **kwargs)

    def _teacher_features(self, x) -> dict:
        with torch.no_grad():   # the teacher is frozen: its outputs are constants
            extractor = self._teacher_feature_extractor
            if extractor is not None:
                return extractor(x, training=False)
            return {"final_output": self.teacher(x, training=False)}

    def _student_features(self, x, y_pred) -> dict:
        extractor = self._student_feature_extractor
        if extractor is not None:
            return extractor(x, training=True)
        return {"final_output": y_pred}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """``w * student_loss + (1 - w) * weighted distillation losses`` (updates the trackers).

        ``sample_weight`` is not used, as in Keras.
        """
        if y_pred is None:
            y_pred = self(x, training=training)
        zero = torch.zeros((), device=tree.flatten(y_pred)[0].device)
        student_loss = zero
        if self.student_loss_weight > 0.0 and y is not None:
            if self._student_loss is None:
                raise RuntimeError("compile() the Distiller with a student `loss` first.")
            values = tree.flatten(tree.map_structure(lambda fn, t, p: fn(t, p),
                                                     self._student_loss, y, y_pred))
            student_loss = torch.stack([torch.as_tensor(v) for v in values]).sum() \
                if len(values) > 1 else values[0]
            if student_loss.dim() > 0:
                student_loss = student_loss.mean()
        distillation_loss = zero
        if self.student_loss_weight < 1.0:
            teacher_features = self._teacher_features(x)
            student_features = self._student_features(x, y_pred)
            for loss_fn, weight in zip(self.distillation_losses,
                                       self.distillation_loss_weights):
                teacher_out, student_out = self._loss_inputs(
                    loss_fn, teacher_features, student_features, y_pred)
                loss_fn.validate_outputs(teacher_out, student_out)
                value = loss_fn.compute_loss(teacher_out, student_out)
                if isinstance(value, torch.Tensor) and value.dim() > 0:
                    raise ValueError(
                        "Distillation loss %s returned a non-scalar loss with shape %s. The "
                        "compute_loss method must return a scalar tensor."
                        % (type(loss_fn).__name__, tuple(value.shape)))
                distillation_loss = distillation_loss + weight * value
        w = self.student_loss_weight
        total_loss = w * student_loss + (1.0 - w) * distillation_loss
        self.student_loss_tracker.update_state(student_loss.detach())
        self.distillation_loss_tracker.update_state(distillation_loss.detach())
        self.total_loss_tracker.update_state(total_loss.detach())
        return total_loss

    def _loss_inputs(self, loss_fn, teacher_features: dict, student_features: dict, y_pred):
        if getattr(loss_fn, "teacher_layer_name", None) is None:
            return teacher_features["final_output"], y_pred
        picked = []
        for features, layer_name, role in (
                (teacher_features, loss_fn.teacher_layer_name, "teacher"),
                (student_features, loss_fn.student_layer_name, "student")):
            key = layer_name or "final_output"
            if key not in features:
                raise RuntimeError(
                    "Failed to extract features for %s targeting teacher layer '%s' and "
                    "student layer '%s'. Original error: Layer '%s' not found in extracted "
                    "%s features. Available: %s"
                    % (type(loss_fn).__name__, loss_fn.teacher_layer_name,
                       loss_fn.student_layer_name, key, role, list(features)))
            picked.append(features[key])
        return picked[0], picked[1]

    def reset_metrics(self) -> None:
        super().reset_metrics()
        for tracker in (self.student_loss_tracker, self.distillation_loss_tracker,
                        self.total_loss_tracker):
            tracker.reset_state()

    # -- config -------------------------------------------------------------------------

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "teacher": serialize_keras_object(self.teacher),
            "student": serialize_keras_object(self.student),
            "distillation_losses": [serialize_keras_object(d)
                                    for d in self.distillation_losses],
            "distillation_loss_weights": self.distillation_loss_weights,
            "student_loss_weight": self.student_loss_weight,
        })
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "Distiller":
        config = dict(config)
        for key in ("teacher", "student"):
            config[key] = deserialize_keras_object(config[key], custom_objects=custom_objects)
        config["distillation_losses"] = [
            deserialize_keras_object(d, custom_objects=custom_objects)
            for d in config["distillation_losses"]]
        config.pop("trainable", None)
        config.pop("dtype", None)
        return cls(**config)


def _check_models(teacher, student) -> None:
    """Keras's checks: both are Models with compatible symbolic input/output specs."""
    for role, model in (("Teacher", teacher), ("Student", student)):
        if not isinstance(model, Model):
            raise ValueError("%s must be a keras.Model, got %s" % (role, type(model)))
    for attr, context in (("inputs", "input"), ("outputs", "output")):
        t_specs, s_specs = getattr(teacher, attr, None), getattr(student, attr, None)
        if t_specs is None or s_specs is None:
            continue
        tree.map_structure(lambda t, s: _check_shapes(t.shape, s.shape, context),
                           t_specs, s_specs)
        tree.map_structure(lambda t, s: _check_dtypes(t.dtype, s.dtype, context),
                           t_specs, s_specs)


def _check_shapes(shape1, shape2, context: str) -> None:
    if len(shape1) != len(shape2):
        raise ValueError("Teacher and student %s shapes have different dimensions. Teacher: "
                         "%s, Student: %s." % (context, shape1, shape2))
    for a, b in zip(shape1, shape2):
        if a is not None and b is not None and a != b:
            raise ValueError("Teacher and student %s shapes are incompatible. Teacher: %s, "
                             "Student: %s. All dimensions must match."
                             % (context, shape1, shape2))


def _check_dtypes(dtype1, dtype2, context: str) -> None:
    if dtype1 != dtype2:
        raise ValueError("Teacher and student %s dtypes must match. Teacher: %s, Student: %s."
                         % (context, dtype1, dtype2))


def _feature_extractor(model, layer_names: list):
    """A functional model returning ``{"final_output": ..., name: layer output, ...}``."""
    names = []
    for name in layer_names:
        if name and name not in names:
            names.append(name)
    if not names:
        return None
    if getattr(model, "inputs", None) is None:
        raise ValueError("Cannot create feature extractor for %s. The model has no symbolic "
                         "inputs attribute." % (model.name,))
    final = model.layers[-1].output if isinstance(model, Sequential) else model.output
    outputs = {"final_output": final}
    for name in names:
        outputs[name] = model.get_layer(name=name).output
    return Model(inputs=model.inputs, outputs=outputs,
                 name="%s_multi_feature_extractor" % model.name)
