"""The weights side of Layer: add_weight, Keras-ordered weight lists, trainable freezing,
get_weights/set_weights in Keras layouts."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from torchkeras import config as _config
from torchkeras.layers import call_context as _ctx
from torchkeras.layers.layer_utils import _free_key
from torchkeras.scopes.name_scope import current_path
from torchkeras.variable_view import keras_variable
from torchkeras.variables import Variable, is_trainable



def weight_path(layer_name: str, variable_name: str) -> str:
    """Keras's variable path: the open name scopes (the layers building this one), the
    layer's own name unless it is the innermost scope already, then the variable name.

    Example:
        >>> weight_path("dense", "kernel")      # outside any scope
        'dense/kernel'
    """
    scope = current_path()
    if scope == layer_name or scope.endswith("/" + layer_name):
        return "%s/%s" % (scope, variable_name)
    if scope:
        return "%s/%s/%s" % (scope, layer_name, variable_name)
    return "%s/%s" % (layer_name, variable_name)

class LayerWeightsMixin:
    """Weight creation and bookkeeping of :class:`torchkeras.layers.Layer`."""

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers(include_self=True):
            layer._trainable = value
        self._sync_requires_grad()

    def _sync_requires_grad(self, parent_trainable: bool = True) -> None:
        on = parent_trainable and self._trainable
        for p in self._parameters.values():
            if p is not None:
                p.requires_grad_(on and is_trainable(p) and p.is_floating_point())
        for m in self._modules.values():
            if isinstance(m, LayerWeightsMixin):
                m._sync_requires_grad(on)
            elif m is not None:
                for p in m.parameters():
                    p.requires_grad_(on and is_trainable(p))

    # ------------------------------------------------------------------ weights
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True,
                   autocast: bool = True, regularizer=None, constraint=None,
                   aggregation: str = "none", overwrite_with_gradient: bool = False,
                   name: str | None = None, **kwargs) -> Variable:
        """Creates a weight, registers it on this module and returns it.

        Args:
            shape: Weight shape (``()`` for a scalar).
            initializer: Name, ``Initializer`` or callable ``(shape, dtype) -> tensor``.
            dtype: Weight dtype (default: the layer's variable dtype).
            trainable: Whether training updates it (else ``requires_grad=False``).
            regularizer: Penalty added to ``losses``.
            constraint: Projection applied after each optimizer step.
            name: Keras variable name (``kernel``, ``bias``…).
        """
        from torchkeras import constraints, initializers, regularizers
        shape = () if shape is None else tuple(int(s) for s in shape)
        torch_dtype = _config.to_torch_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if torch_dtype.is_floating_point else "zeros"
        init = initializers.get(initializer)
        with _ctx.no_fake_mode():
            data = init(shape, dtype=torch_dtype) if callable(init) else init
            data = torch.as_tensor(data, dtype=torch_dtype).reshape(shape)
            data = data.to(self._weight_device())
            var = Variable(data, trainable=trainable, name=name or "variable")
        var.path = weight_path(self.name, name or "variable")
        var.regularizer = regularizers.get(regularizer)
        var.constraint = constraints.get(constraint)
        if not self._trainable:
            var.requires_grad_(False)
        key = _free_key(self, name or "variable")
        self.register_parameter(key, var)
        return var

    def add_variable(self, shape, initializer, dtype=None, trainable: bool = True,
                     autocast: bool = True, regularizer=None, constraint=None,
                     name: str | None = None) -> Variable:
        """Creates a variable (Keras's ``add_variable``: ``add_weight`` with the shape and
        initializer required).

        Args:
            shape: Variable shape.
            initializer: Name, ``Initializer`` or callable ``(shape, dtype) -> tensor``.
            dtype: Variable dtype (default: the layer's variable dtype).
            trainable: Whether training updates it.
            name: Keras variable name.

        Example:
            >>> self.total = self.add_variable((), "zeros", trainable=False, name="total")
        """
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, autocast=autocast,
                               regularizer=regularizer, constraint=constraint, name=name)

    def _weight_device(self) -> torch.device:
        return getattr(self, "_build_device", None) or _config.get_device()

    def weight_entries(self) -> list:
        """``(owning layer, torch key, parameter)`` for every weight, in Keras's order
        (``get_weights``'s): own trainable, own non-trainable, then each sublayer's,
        without duplicates. The contract saving and TensorBoard name weights through;
        the owner's :meth:`keras_layout` converts each value.

        Example:
            >>> dense = Dense(3); dense.build((None, 2))
            >>> [key for _, key, _ in dense.weight_entries()]
            ['weight', 'bias']
        """
        return self._weight_entries()

    def _weight_entries(self) -> list:
        """(owner layer, key, parameter) in Keras order: own trainable, own
        non-trainable, then each sublayer's, without duplicates."""
        seen: set = set()
        out: list = []
        self._collect_entries(out, seen)
        return out

    def _collect_entries(self, out: list, seen: set) -> None:
        own = [(k, p) for k, p in self._parameters.items() if p is not None]
        for k, p in [e for e in own if is_trainable(e[1])] + [e for e in own if not is_trainable(e[1])]:
            if id(p) not in seen:
                seen.add(id(p))
                out.append((self, k, p))
        for key, m in self._modules.items():
            _collect_module(self, key, m, out, seen)

    def _trainable_entries(self) -> list:
        if not self._trainable:
            return []
        path_ok = self._trainable_paths()
        return [e for e in self._weight_entries()
                if is_trainable(e[2]) and path_ok.get(id(e[0]), True)]

    def torch_weights(self, trainable: bool | None = None) -> list:
        """The stored parameters behind ``weights`` (torch layouts), in Keras's order.

        ``weights`` and friends hand out Keras-layout views; code that feeds torch
        (optimizers, savers, EMA) uses these parameters instead.

        Args:
            trainable: ``None`` for all (as ``weights``), ``True`` for those of
                ``trainable_weights``, ``False`` for those of ``non_trainable_weights``.

        Example:
            >>> opt = torch.optim.SGD(model.torch_weights(trainable=True), lr=0.1)
        """
        if trainable is None:
            return [p for _, _, p in self._weight_entries()]
        chosen = {id(p) for _, _, p in self._trainable_entries()}
        return [p for _, _, p in self._weight_entries() if (id(p) in chosen) == trainable]

    def _views(self, entries) -> list:
        return [keras_variable(layer, key, p) for layer, key, p in entries]

    @property
    def weights(self) -> list:
        """All weights as Keras variables (Keras layouts, views over the parameters)."""
        return self._views(self._weight_entries())

    @property
    def variables(self) -> list:
        return self.weights

    @property
    def trainable_weights(self) -> list:
        """Trainable weights as Keras variables (views over the parameters)."""
        return self._views(self._trainable_entries())

    @property
    def non_trainable_weights(self) -> list:
        """Non-trainable weights as Keras variables (views over the parameters)."""
        chosen = {id(p) for _, _, p in self._trainable_entries()}
        return self._views([e for e in self._weight_entries() if id(e[2]) not in chosen])

    @property
    def trainable_variables(self) -> list:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        return self.non_trainable_weights

    def _trainable_paths(self) -> dict:
        """id(layer) -> whether every layer on its path from ``self`` is trainable.

        One walk for all sublayers (asking per layer from the root would be quadratic):
        the first path found depth-first through direct sublayers decides; a layer
        reached only through a ModuleList/ModuleDict takes its owner's answer.
        """
        result: dict = {}
        through_containers: dict = {}
        stack = [(self, True)]
        while stack:
            layer, ok = stack.pop()
            if id(layer) in result:
                continue
            ok = ok and layer._trainable
            result[id(layer)] = ok
            direct = [m for m in layer._modules.values() if isinstance(m, LayerWeightsMixin)]
            stack.extend((m, ok) for m in reversed(direct))
            direct_ids = {id(m) for m in direct}
            for child in _child_layers(layer):
                if id(child) not in direct_ids:
                    for sub in child._flatten_layers(include_self=True):
                        through_containers.setdefault(id(sub), ok)
        for key, ok in through_containers.items():
            result.setdefault(key, ok)
        return result

    def count_params(self) -> int:
        """Number of scalars in all weights (the layer must be built)."""
        if not self.built:
            raise ValueError("You tried to call `count_params` on layer '%s', but the layer "
                             "isn't built. Call `build(input_shape)` or call it on data first."
                             % self.name)
        return int(sum(p.numel() for p in self.torch_weights()))

    def keras_layout(self, key: str, tensor: torch.Tensor) -> torch.Tensor:
        """The weight stored as ``key`` re-laid out from torch's layout to Keras's
        (a view where the layout allows).

        The public side of the Keras-layout contract: saving, ``get_weights`` and the
        TensorBoard callback call this and :meth:`torch_layout`. A layer whose torch
        storage differs from Keras's (Dense's ``(out, in)`` kernel, conv kernels, fused
        RNN gates) overrides the hooks ``_to_keras_layout``/``_from_keras_layout``, which
        stay inside ``torchkeras.layers``.

        Args:
            key: The parameter's key inside this layer (``"weight"``, ``"cell.bias"``…).
            tensor: The parameter's value in torch's layout.

        Returns:
            The value in Keras's layout.

        Example:
            >>> dense = Dense(3); dense.build((None, 2))
            >>> dense.keras_layout("weight", dense.weight).shape   # Keras: (in, out)
            torch.Size([2, 3])
        """
        return self._to_keras_layout(key, tensor)

    def torch_layout(self, key: str, tensor: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`keras_layout`: a Keras-layout value of weight ``key`` in the
        layout of its torch storage.

        Args:
            key: The parameter's key inside this layer.
            tensor: The value in Keras's layout.

        Returns:
            The value in torch's layout.
        """
        return self._from_keras_layout(key, tensor)

    def _to_keras_layout(self, key: str, tensor: torch.Tensor) -> torch.Tensor:
        """Hook: torch storage -> Keras layout of one weight (identity by default)."""
        return tensor

    def _from_keras_layout(self, key: str, tensor: torch.Tensor) -> torch.Tensor:
        return tensor

    def get_weights(self) -> list:
        """Weights as numpy arrays in Keras's order and layouts."""
        return [layer._to_keras_layout(k, p.detach()).cpu().numpy().copy()
                for layer, k, p in self._weight_entries()]

    def set_weights(self, weights) -> None:
        """Sets every weight from Keras-layout arrays; checks all before changing any."""
        entries = self._weight_entries()
        weights = list(weights)
        if len(weights) != len(entries):
            raise ValueError("Layer '%s' expects %d weights, but set_weights received %d."
                             % (self.name, len(entries), len(weights)))
        staged = []
        for (layer, key, p), w in zip(entries, weights):
            arr = torch.as_tensor(np.asarray(w))
            expected = tuple(layer._to_keras_layout(key, p.detach()).shape)
            if tuple(arr.shape) != expected:
                raise ValueError("Layer '%s' weight '%s' has shape %s, but set_weights received "
                                 "shape %s." % (layer.name, getattr(p, "name", None) or key,
                                                expected, tuple(arr.shape)))
            staged.append((p, layer._from_keras_layout(key, arr)))
        with torch.no_grad():
            for p, arr in staged:
                p.copy_(arr.to(dtype=p.dtype, device=p.device))

    # ------------------------------------------------------------------ losses


def _child_layers(module) -> list:
    """Direct sublayers, looking through ModuleList/ModuleDict/Sequential containers."""
    out = []
    for m in module._modules.values():
        if isinstance(m, LayerWeightsMixin):
            out.append(m)
        elif isinstance(m, (nn.ModuleList, nn.ModuleDict, nn.Sequential)):
            out.extend(_child_layers(m))
    return out


def _collect_module(owner, key, m, out, seen) -> None:
    if isinstance(m, LayerWeightsMixin):
        m._collect_entries(out, seen)
    elif isinstance(m, (nn.ModuleList, nn.ModuleDict, nn.Sequential)) and any(
            isinstance(c, LayerWeightsMixin) for c in m.children()):
        # Containers of layers: each layer keeps its own Keras layout hooks.
        for sub_key, child in m._modules.items():
            _collect_module(owner, key + "." + sub_key, child, out, seen)
    elif m is not None and not _is_metric(m):
        for k, p in m.named_parameters():
            if id(p) not in seen:
                seen.add(id(p))
                out.append((owner, key + "." + k, p))


def _is_metric(module) -> bool:
    # Metric state kept on a layer (e.g. a loss tracker) is not a layer weight.
    return hasattr(module, "update_state") and hasattr(module, "result")
