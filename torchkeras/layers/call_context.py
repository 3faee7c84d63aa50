"""State of the call in progress: the training flag seen by nested layers, nesting depth,
layers that added losses, and Keras masks carried on tensors."""
from __future__ import annotations

import contextlib
import threading

import torch


# Models cache how they call their layers (models/direct_calls.py). Anything that changes
# what a layer call does bumps this process-wide counter, and a model whose cached plan
# was made under another value derives it again on its next call.
_PLAN_VERSION = [0]

# Layer attributes whose change alters a call: Layer.__setattr__ invalidates on them.
PLAN_ATTRIBUTES = frozenset(("activity_regularizer", "_dtype_policy", "supports_masking",
                             "autocast", "trainable", "_trainable"))


def invalidate_call_plans() -> None:
    """Makes every model derive its cached layer-call plan again on its next call."""
    _PLAN_VERSION[0] += 1


def call_plan_version() -> int:
    """The current plan version (models compare it with the one their plan was made at)."""
    return _PLAN_VERSION[0]


class _State(threading.local):
    def __init__(self):
        self.training = None      # flag set by an outer call, seen by nested layers
        self.depth = 0            # 0 = not inside any layer call
        self.loss_layers = []     # layers whose add_loss ran since the top-level call began
        self.in_ddp = False       # inside a DistributedDataParallel forward (no re-routing)
        self.policy_autocast = False  # autocast was entered by a mixed-policy layer


STATE = _State()


def start_top_level_call() -> None:
    """Clears the losses of the previous top-level call (Keras resets them per call)."""
    if STATE.loss_layers:
        for layer in STATE.loss_layers:
            layer._losses = []
        STATE.loss_layers = []


def note_loss_layer(layer) -> None:
    """Remembers a layer that called add_loss (cleared at the next top-level call)."""
    if not STATE.loss_layers or STATE.loss_layers[-1] is not layer:
        STATE.loss_layers.append(layer)


def added_losses() -> list:
    """Losses added by add_loss during the current/last top-level call."""
    out, seen = [], set()
    for layer in STATE.loss_layers:
        if id(layer) not in seen:
            seen.add(id(layer))
            out.extend(layer._losses)
    return out


def get_mask(x):
    if isinstance(x, torch.Tensor):
        return getattr(x, "_keras_mask", None)
    if isinstance(x, (list, tuple)):
        masks = [getattr(v, "_keras_mask", None) for v in x]
        return None if all(m is None for m in masks) else masks
    return None


def set_mask(outputs, mask) -> None:
    if mask is None:
        return
    if isinstance(outputs, torch.Tensor):
        try:
            outputs._keras_mask = mask
        except (AttributeError, RuntimeError):
            pass
    elif isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for o, m in zip(outputs, masks):
            set_mask(o, m)


@contextlib.contextmanager
def no_fake_mode():
    """Real tensors even inside the fake-tensor tracing used for shape inference."""
    try:
        from torch._subclasses.fake_tensor import unset_fake_temporarily
    except ImportError:  # pragma: no cover
        yield
        return
    with unset_fake_temporarily():
        yield


@contextlib.contextmanager
def loop_call(training: bool):
    """One call context around a whole evaluate/predict loop: nested layers see the
    flag and a non-zero depth, so the loop may invoke a model's ``call`` directly."""
    state = STATE
    prev_training, prev_depth = state.training, state.depth
    state.training, state.depth = training, prev_depth + 1
    try:
        yield
    finally:
        state.training, state.depth = prev_training, prev_depth
