"""What the TensorBoard callback writes besides scalars: the model graph, weight
histograms and images, and profiler traces."""
from __future__ import annotations

import os
import warnings

import numpy as np
import torch


def keras_model_summary(writer, model, step: int = 0) -> bool:
    """Writes the model's JSON config under tag ``keras`` (TensorBoard's conceptual graph)."""
    from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2
    from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
    try:
        text = model.to_json()
    except Exception as exc:  # subclassed models without get_config
        warnings.warn("Model failed to serialize as JSON. Ignoring... %s" % (exc,))
        return False
    meta = SummaryMetadata()
    meta.plugin_data.plugin_name = "graph_keras_model"
    meta.plugin_data.content = b"1"
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[text.encode()],
                                    tensor_shape=tensor_shape_pb2.TensorShapeProto())
    summary = Summary(value=[Summary.Value(tag="keras", metadata=meta, tensor=tensor)])
    writer._get_file_writer().add_summary(summary, step)
    return True


def example_inputs(model):
    """Zero inputs shaped like the model's symbolic inputs (batch 1), or ``None``."""
    try:
        inputs = list(model.inputs)
    except (AttributeError, ValueError, TypeError):
        return None
    if not inputs:
        return None
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    from torchkeras import config as _config
    out = []
    for kt in inputs:
        shape = tuple(1 if d is None else int(d) for d in kt.shape)
        dtype = _config.to_torch_dtype(getattr(kt, "dtype", None))
        out.append(torch.zeros(shape, dtype=dtype, device=device))
    return out[0] if len(out) == 1 else out


def write_op_graph(writer, model) -> bool:
    """Traces the model once (eval mode, no grad) and writes torch's op graph."""
    sample = example_inputs(model)
    if sample is None:
        return False
    was_training = model.training
    if isinstance(sample, list):
        target, args = _ListInputs(model), tuple(sample)
    else:
        target, args = model, (sample,)
    try:
        model.eval()
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            writer.add_graph(target, args, use_strict_trace=False)
        return True
    except Exception as exc:  # models that jit tracing cannot follow
        warnings.warn("TensorBoard could not trace the model's op graph (%s); the conceptual "
                      "graph is still written." % (exc,))
        return False
    finally:
        model.train(was_training)


class _ListInputs(torch.nn.Module):
    """Positional tensors -> the list a multi-input model takes (jit tracing wants
    positional tensors)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, *inputs):
        return self.model(list(inputs), training=False)


def layer_weights(model):
    """``(name, owner_layer, key, weight)`` for the weights of ``model.layers``."""
    layers = getattr(model, "layers", None) or [model]
    for layer in layers:
        for owner, key, p in layer.weight_entries():
            name = "%s/%s" % (owner.name, getattr(p, "name", None) or key)
            yield name.replace(":", "_"), owner, key, p


def weight_as_images(weight: np.ndarray, channels_last: bool = True):
    """A weight reshaped as Keras shows it: ``(k, h, w, 1|3|4)`` scaled to [0, 1], or None."""
    w = np.squeeze(weight)
    if w.ndim == 0:
        return None
    if w.ndim == 1:
        w = w.reshape(1, 1, w.shape[0], 1)
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:
        if channels_last:
            w = np.transpose(w, (2, 0, 1))
        w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
    if w.ndim != 4 or w.shape[-1] not in (1, 3, 4):
        return None
    # Stretch each image to the full grey range: raw weights rarely lie in [0, 1].
    lo = w.min(axis=(1, 2, 3), keepdims=True)
    span = w.max(axis=(1, 2, 3), keepdims=True) - lo
    return (w - lo) / np.where(span > 0, span, 1.0)


class BatchProfiler:
    """``torch.profiler`` over a range of training batches, traces written to a folder.

    The trace (``*.pt.trace.json``) opens in TensorBoard's PyTorch profiler plugin,
    Perfetto or ``chrome://tracing``.
    """

    def __init__(self, log_dir: str):
        self.log_dir = log_dir
        self.profiler = None
        self._batch_ctx = None

    @property
    def active(self) -> bool:
        return self.profiler is not None

    def start(self) -> None:
        from torch.profiler import ProfilerActivity, profile, tensorboard_trace_handler
        activities = [ProfilerActivity.CPU]
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            activities.append(ProfilerActivity.CUDA)
        os.makedirs(self.log_dir, exist_ok=True)
        self.profiler = profile(activities=activities, record_shapes=True,
                                on_trace_ready=tensorboard_trace_handler(self.log_dir))
        self.profiler.start()

    def begin_batch(self, batch: int) -> None:
        self._batch_ctx = torch.profiler.record_function("batch_%d" % batch)
        self._batch_ctx.__enter__()

    def end_batch(self) -> None:
        if self._batch_ctx is not None:
            self._batch_ctx.__exit__(None, None, None)
            self._batch_ctx = None

    def stop(self) -> None:
        if self.profiler is None:
            return
        self.end_batch()
        try:
            self.profiler.stop()   # runs on_trace_ready: writes the trace file
        finally:
            self.profiler = None


def parse_profile_batch(profile_batch) -> tuple[int, int]:
    """``0``, ``n``, ``"a,b"`` or ``(a, b)`` -> the 1-based batch range (0, 0 = off)."""
    message = ("profile_batch must be a non-negative integer or 2-tuple of positive integers. "
               "A pair of positive integers signifies a range of batches to profile. Found: %s"
               % (profile_batch,))
    value = profile_batch
    try:
        if isinstance(value, str):
            value = [int(v) for v in value.split(",")]
            value = value[0] if len(value) == 1 else value
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            start = stop = int(value)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            start, stop = int(value[0]), int(value[1])
        else:
            raise ValueError(message)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop
