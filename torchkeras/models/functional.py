"""Functional: a model defined by a graph of layers called on ``Input`` tensors."""
from __future__ import annotations

import re

import numpy as np
import torch

from torchkeras.layers.input_layer import InputLayer
from torchkeras.layers.keras_tensor import KerasTensor, flatten_leaves, map_structure
from torchkeras.layers.call_context import call_plan_version
from torchkeras.fast_paths import call_signature, direct_calls, inputs_allow_direct
from torchkeras.models.graph_clone import clone_graph_nodes, is_input_tensor
from torchkeras.models.input_rank import adjust_input_rank
from torchkeras.models.model import Model, register_functional_class


class Functional(Model):
    """A model whose forward pass replays the recorded graph of layer calls.

    Args:
        inputs: ``Input`` tensor(s): one, a list or a dict.
        outputs: Output tensor(s) of the graph: one, a list or a dict.
        name: Model name.
    """

    # Weight files name this model's layers ``layers/<name>`` (Keras's paths); read by
    # torchkeras.saving.weight_paths.
    layers_in_weight_paths = True

    def __init__(self, inputs, outputs, name: str | None = None, trainable: bool = True,
                 **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        for kt in flatten_leaves(inputs) + flatten_leaves(outputs):
            if not isinstance(kt, KerasTensor) or kt._keras_history is None:
                raise ValueError("Model %s: all inputs and outputs must be symbolic tensors "
                                 "produced by `Input` and layers, got %r" % (self.name, kt))
        if not all(is_input_tensor(kt) for kt in flatten_leaves(inputs)):
            # A model that starts at intermediate tensors (Keras allows it).
            inputs, outputs = clone_graph_nodes(inputs, outputs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._flat_inputs = flatten_leaves(inputs)
        # Dict outputs in sorted key order, as Keras flattens them (layer order, weights
        # and list losses follow it).
        self._flat_outputs = flatten_leaves(
            [outputs[k] for k in sorted(outputs)] if isinstance(outputs, dict) else outputs)
        self._nodes = self._topological_nodes()
        layers = _keras_layer_order(self._flat_inputs, self._flat_outputs)
        seen_names: set = set()
        dup_names: set = set()
        for layer in layers:
            (dup_names if layer.name in seen_names else seen_names).add(layer.name)
        dup = sorted(dup_names)
        if dup:
            raise ValueError("All layer names should be unique. Model %s has duplicates: %s"
                             % (self.name, dup))
        for layer in layers:
            self.add_module(self._free_module_key(layer.name), layer)
        self._plan = [_NodePlan(n) for n in self._nodes if not isinstance(n.layer, InputLayer)]
        self._input_names = [kt._keras_history[0].name for kt in self._flat_inputs]
        readers = {}
        for node in self._nodes:
            for kt in node.input_tensors:
                readers.setdefault(id(kt), node.layer.name)
        self._input_checks = [(kt.shape, name, readers.get(id(kt)))
                              for kt, name in zip(self._flat_inputs, self._input_names)]
        self.built = True
        shapes = [kt.shape for kt in self._flat_inputs]
        self._build_input_shape = shapes[0] if len(shapes) == 1 else shapes

    def _free_module_key(self, name: str) -> str:
        """A submodule key for layer ``name`` that clashes with none of the model's own
        attributes (`Input(name="inputs")`, a layer named "layers"...): Keras keeps graph
        layers apart from the model's attributes; here they become submodules, so a
        clashing name is suffixed until free. Layers are still found by name."""
        key = _module_key(name)
        while key in self._modules or hasattr(type(self), key) or key in self.__dict__:
            key += "_"
        return key

    def _topological_nodes(self) -> list:
        """Nodes from the inputs to the outputs (depth-first post-order).

        An explicit stack instead of recursion: graphs of any depth, in linear time.
        """
        input_ids = {id(kt) for kt in self._flat_inputs}
        order, done, active = [], set(), set()

        def node_of(kt, consumer: str):
            layer, node_index, _ = kt._keras_history
            if isinstance(layer, InputLayer) and id(kt) not in input_ids:
                raise ValueError(
                    "Graph disconnected: cannot find the value of input '%s' needed by layer "
                    "'%s'. Pass it in the model's `inputs`." % (layer.name, consumer))
            return layer._inbound_nodes[node_index]

        for kt in self._flat_outputs:
            root = node_of(kt, "(model output)")
            if id(root) in done:
                continue
            # (node, iterator over its input tensors); a node is finished when its
            # iterator runs out, which gives the same post-order as the recursive walk.
            active.add(id(root))
            stack = [(root, iter(root.input_tensors))]
            while stack:
                node, pending = stack[-1]
                for parent_kt in pending:
                    parent = node_of(parent_kt, node.layer.name)
                    if id(parent) in done:
                        continue
                    if id(parent) in active:
                        raise ValueError("The graph has a cycle at layer '%s'."
                                         % parent.layer.name)
                    active.add(id(parent))
                    stack.append((parent, iter(parent.input_tensors)))
                    break
                else:
                    stack.pop()
                    active.discard(id(node))
                    done.add(id(node))
                    order.append(node)
        return order

    @property
    def inputs(self) -> list:
        return list(self._flat_inputs)

    @property
    def outputs(self) -> list:
        return list(self._flat_outputs)

    @property
    def input(self):
        """The model's input tensor(s), in the structure the model was built with."""
        return self._inputs_struct

    @property
    def output(self):
        """The model's output tensor(s), in the structure the model was built with."""
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [kt.shape for kt in self._flat_inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [kt.shape for kt in self._flat_outputs]
        return shapes[0] if not isinstance(self._outputs_struct, (list, dict)) else shapes

    @property
    def output_names(self) -> list:
        if isinstance(self._outputs_struct, dict):
            # Sorted, as Keras flattens dicts: a list of losses or metrics given for dict
            # outputs maps to the outputs in key order.
            return sorted(self._outputs_struct.keys())
        return [kt._keras_history[0].name for kt in self._flat_outputs]

    def _standardize_inputs(self, inputs) -> list:
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                keys = list(self._inputs_struct.keys())
                if all(k in inputs for k in keys):
                    return [inputs[k] for k in keys]
            missing = [n for n in self._input_names if n not in inputs]
            if missing:
                raise ValueError("Model %s expects inputs named %s, got keys %s"
                                 % (self.name, self._input_names, sorted(inputs)))
            return [inputs[n] for n in self._input_names]
        if isinstance(inputs, (list, tuple)):
            if len(self._flat_inputs) == 1 and len(inputs) != 1:
                return [inputs]
            if len(inputs) != len(self._flat_inputs):
                raise ValueError("Model %s expects %d input(s), but it received %d input "
                                 "tensors." % (self.name, len(self._flat_inputs), len(inputs)))
            return list(inputs)
        if len(self._flat_inputs) != 1:
            raise ValueError("Model %s expects %d inputs, but it received one tensor."
                             % (self.name, len(self._flat_inputs)))
        return [inputs]

    def call(self, inputs, training=None, mask=None):
        values = {}
        flat = self._standardize_inputs(inputs)
        dtypes = self.__dict__.get("_input_dtypes")
        if dtypes is None:
            dtypes = self.__dict__["_input_dtypes"] = [_torch_dtype(kt) for kt in
                                                       self._flat_inputs]
        for i, (kt, x, dtype) in enumerate(zip(self._flat_inputs, flat, dtypes)):
            if isinstance(x, torch.Tensor):
                # Inputs take the dtype and rank their Input declares, as in Keras (ints
                # fed to a float model are cast; a trailing unit axis is added/dropped).
                if dtype is not None and x.dtype is not dtype:
                    x = x.to(dtype)
                if x.dim() != len(kt.shape):
                    ref, name, reader = self._input_checks[i]
                    x = adjust_input_rank(x, ref, self.name, name, reader)
                flat[i] = x
            elif dtype is None and isinstance(x, (np.ndarray, list)):
                # String Inputs stay on the host (a DataLoader collates str to a list);
                # their rank is fitted as tensors' is.
                x = x if isinstance(x, np.ndarray) else np.asarray(x, dtype=object)
                if x.ndim != len(kt.shape):
                    ref, name, reader = self._input_checks[i]
                    x = adjust_input_rank(x, ref, self.name, name, reader)
                flat[i] = x
            values[id(kt)] = x
        direct = self.__dict__.get("_direct")
        version = call_plan_version()
        if direct is None or self.__dict__.get("_plan_version") != version:
            self.__dict__["_plan_version"] = version
            found = direct_calls([p.layer for p in self._plan])
            direct = self.__dict__["_direct"] = (found is not None,
                                                 found[1] if found else None)
        if direct[0] and inputs_allow_direct(flat, direct[1]):
            for plan in self._plan:
                plan.run_direct(values, training)
        else:
            for plan in self._plan:
                plan.run(values)
        return map_structure(lambda kt: values[id(kt)], self._outputs_struct)

    def __setstate__(self, state) -> None:
        # After pickling or deepcopy the graph's tensors are new objects: the replay
        # plan, keyed by their identities, is derived again from the copied nodes.
        super().__setstate__(state)
        self._plan = [_NodePlan(n) for n in self._nodes if not isinstance(n.layer, InputLayer)]
        self.__dict__["_direct"] = None
        self.__dict__["_input_dtypes"] = None

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        from torchkeras.models.functional_config import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from torchkeras.models.functional_config import functional_from_config
        return functional_from_config(cls, config, custom_objects)


register_functional_class(Functional)


def _keras_layer_order(flat_inputs, flat_outputs) -> list:
    """Layers in Keras's order: farthest from the outputs first, ties broken by the order a
    depth-first walk from the outputs meets them (weights lists follow this order)."""
    nodes, op_index, finished, layers_by_id = [], {}, set(), {}

    def meet(kt):
        layer, node_index, _ = kt._keras_history
        layers_by_id[id(layer)] = layer
        op_index.setdefault(id(layer), len(op_index))
        return layer._inbound_nodes[node_index]

    # The recursive walk, unrolled: a layer is numbered when first met, a node is
    # appended once all its parents are.
    for kt in flat_outputs:
        layer, node_index, _ = kt._keras_history
        if id(layer._inbound_nodes[node_index]) in finished:
            continue
        root = meet(kt)
        stack = [(root, iter(root.input_tensors))]
        while stack:
            node, pending = stack[-1]
            for parent_kt in pending:
                p_layer, p_index, _ = parent_kt._keras_history
                if id(p_layer._inbound_nodes[p_index]) in finished:
                    continue
                parent = meet(parent_kt)
                stack.append((parent, iter(parent.input_tensors)))
                break
            else:
                stack.pop()
                if id(node) not in finished:
                    finished.add(id(node))
                    nodes.append(node)
    in_graph = {id(n) for n in nodes}
    node_depth, layer_depth = {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for kt in flat_inputs:           # inputs that no output depends on
        layer = kt._keras_history[0]
        if id(layer) not in layer_depth:
            layers_by_id[id(layer)] = layer
            layer_depth[id(layer)] = 0
            op_index[id(layer)] = -1
    ordered = sorted(layers_by_id, key=lambda i: (-layer_depth[i], op_index[i]))
    return [layers_by_id[i] for i in ordered]


class _NodePlan:
    """Precomputed replay of one node: the hot path of a functional forward pass."""

    __slots__ = ("layer", "in_id", "out_id", "args", "kwargs", "out_ids", "call",
                 "takes_training")

    def __init__(self, node):
        self.layer = node.layer
        self.call = node.layer.call
        info = call_signature(type(node.layer))
        self.takes_training = info[0] or info[2]
        single_in = (len(node.args) == 1 and isinstance(node.args[0], KerasTensor)
                     and not node.kwargs)
        self.in_id = id(node.args[0]) if single_in else None
        self.args, self.kwargs = node.args, node.kwargs
        single_out = isinstance(node.outputs, KerasTensor)
        self.out_id = id(node.outputs) if single_out else None
        self.out_ids = [id(kt) for kt in node.output_tensors]

    def run_direct(self, values: dict, training) -> None:
        """``run`` with ``layer.call`` in place of ``layer(...)`` (see direct_calls)."""
        layer = self.layer
        # A hook added after the plan was made (fast path 2 of torchkeras/fast_paths.py).
        if self.in_id is None or layer._forward_hooks or layer._forward_pre_hooks:
            self.run(values)
            return
        x = values[self.in_id]
        self._store(values, self.call(x, training=training)
                    if self.takes_training and training is not None else self.call(x))

    def run(self, values: dict) -> None:
        if self.in_id is not None:
            out = self.layer(values[self.in_id])
        else:
            def get(v):
                return values[id(v)] if isinstance(v, KerasTensor) else v
            args = map_structure(get, self.args)
            kwargs = map_structure(get, self.kwargs)
            out = self.layer(*args, **kwargs)
        self._store(values, out)

    def _store(self, values: dict, out) -> None:
        if self.out_id is not None:
            values[self.out_id] = out
        else:
            for key, value in zip(self.out_ids, flatten_leaves(out)):
                values[key] = value


def _torch_dtype(kt):
    from torchkeras import config as _config
    return None if kt.dtype == "string" else _config.to_torch_dtype(kt.dtype)


def _module_key(name: str) -> str:
    return re.sub(r"[^0-9a-zA-Z_]", "_", name)

