"""TorchModuleWrapper: any ``torch.nn.Module`` used as a Keras layer."""
from __future__ import annotations

import torch
from torch import nn

from torchkeras.layers.layer import Layer


class TorchModuleWrapper(Layer):
    """Uses a plain ``nn.Module`` inside torchkeras models.

    Its parameters become the layer's weights (trainable unless frozen); it is put in
    ``train()``/``eval()`` mode from the Keras ``training`` flag, so ``nn.Dropout`` and
    ``nn.BatchNorm`` inside behave as the loop expects.

    Args:
        module: The module to wrap (lazy modules such as ``nn.LazyLinear`` work too).

    Example:
        >>> model = Sequential([Input((8,)), TorchModuleWrapper(nn.Linear(8, 4))])
    """

    def __init__(self, module: nn.Module, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, nn.Module):
            raise ValueError("TorchModuleWrapper expects a torch.nn.Module, got %r" % (module,))
        self.module = module
        self.built = not any(isinstance(p, nn.parameter.UninitializedParameter)
                             for p in module.parameters())

    def build(self, input_shape) -> None:
        self.built = True

    def _collect_entries(self, out: list, seen: set) -> None:
        # Parameters, then floating-point buffers (BatchNorm running statistics) as
        # non-trainable weights, so get/save/load_weights and counts include them.
        for key, p in self.module.named_parameters():
            if id(p) not in seen:
                seen.add(id(p))
                out.append((self, "module." + key, p))
        for key, b in self.module.named_buffers():
            if b is not None and b.is_floating_point() and id(b) not in seen:
                seen.add(id(b))
                out.append((self, "module." + key, b))

    def call(self, inputs, training=None):
        if training is not None and self.module.training != bool(training):
            self.module.train(bool(training))
        return self.module(inputs)

    def get_config(self) -> dict:
        raise NotImplementedError("TorchModuleWrapper holds an arbitrary torch module and "
                                  "cannot be rebuilt from a config; save weights instead.")
