"""When a model may run its layers' ``call`` directly instead of ``layer(...)``.

``Layer.__call__`` converts and casts inputs, enters autocast for mixed policies, carries
masks and the training flag, and adds activity penalties. Inside a model whose own
``__call__`` has already done the model-wide part (training flag, nesting, autocast), none
of that changes anything for a layer when no masks are in play, no inputs need a cast, and
the layer has no hooks or activity regularizer. Sequential and functional models then call
``layer.call`` straight away: a few microseconds less per layer and step, which is most of
the gap to a hand-written loop on a GPU whose steps are short.
"""
from __future__ import annotations

import torch
from torch.nn.modules import module as _torch_module

from torchkeras.layers.call_context import STATE
from torchkeras.layers.layer import Layer, _call_info


def direct_calls(layers) -> tuple[list, torch.dtype | None] | None:
    """``([(layer, layer.call, takes_training), ...], mixed_dtype)`` for ``layers``, or None.

    All or nothing: every layer must be built, use the standard ``Layer.__call__``, have no
    activity regularizer and compute no masks, and all must share one policy: float32
    (``mixed_dtype`` None) or one mixed policy (``mixed_dtype`` its compute dtype).
    """
    plan, kinds = [], set()
    for layer in layers:
        info = _call_info(type(layer))
        policy = layer._dtype_policy
        if not layer.built or type(layer).__call__ is not Layer.__call__ \
                or layer.activity_regularizer is not None or info[4]:
            return None
        if policy.is_mixed:
            kinds.add(policy.torch_compute)
        elif policy.torch_compute is torch.float32:
            kinds.add(None)
        else:
            return None
        plan.append((layer, layer.call, info[0] or info[2]))
    if len(kinds) > 1:
        return None
    return plan, (kinds.pop() if kinds else None)


def inputs_allow_direct(inputs: list, mixed_dtype: torch.dtype | None) -> bool:
    """Whether this call's inputs let the layers be called directly: plain tensors without
    masks; float32 (or non-float) for a float32 model, or autocast already on with the
    policy's dtype for a mixed one; and no global module hooks installed."""
    if _torch_module._global_forward_hooks or _torch_module._global_forward_pre_hooks or \
            _torch_module._global_backward_hooks or _torch_module._global_backward_pre_hooks:
        return False
    for x in inputs:
        if type(x) is not torch.Tensor or getattr(x, "_keras_mask", None) is not None:
            return False
        if mixed_dtype is None and x.is_floating_point() and x.dtype is not torch.float32:
            return False
    if mixed_dtype is None:
        # Inside a mixed-policy layer's autocast, float32 layers must leave it: only
        # Layer.__call__ does that.
        return not STATE.policy_autocast
    device = inputs[0].device.type
    try:
        return torch.is_autocast_enabled(device) and \
            torch.get_autocast_dtype(device) is mixed_dtype
    except (AttributeError, TypeError):   # torch < 2.4: no per-device query
        return False
