"""The protocol between ``RNN`` (and ``Bidirectional``) and the built-in cells.

A cell that sets the class attribute ``projected_cell = True`` promises the methods of
:class:`ProjectedCell`; ``RNN`` then projects a whole sequence through the input kernel
at once (one matmul instead of one per timestep) and steps only the recurrent part, and,
when ``fused_mode`` names a torch kernel, runs torch's fused ``nn.LSTM``/``nn.GRU``/
``nn.RNN`` op on the cell's ``fused_weights``. Any other cell is called once per timestep
through its ``call``, as in Keras.
"""
from __future__ import annotations

from typing import Any, Protocol

import torch


class ProjectedCell(Protocol):
    """What ``RNN`` may call on a cell whose class sets ``projected_cell = True``.

    Example:
        >>> is_projected_cell(LSTMCell(4))
        True
    """

    projected_cell: bool

    def project(self, x: torch.Tensor, training: Any = None) -> torch.Tensor:
        """The input side of every gate for ``x`` of shape (N, T, F) or (N, F) (input
        dropout applied)."""

    def step(self, xp: torch.Tensor, states: list, training: Any = None) -> tuple:
        """One timestep from the projected input ``xp``: ``(output, new_states)``."""

    def dropped_input(self, x: torch.Tensor, training: Any) -> Any:
        """``x`` with the cell's input dropout mask applied (training only)."""

    def fused_mode(self) -> str | None:
        """``"LSTM"``, ``"GRU"``, ``"RNN_TANH"``/``"RNN_RELU"`` when torch's fused kernel
        computes exactly this cell, else None."""

    def fused_weights(self) -> list:
        """The cell's parameters in the order torch's fused kernel takes them."""


def is_projected_cell(cell: Any) -> bool:
    """Whether ``cell`` follows :class:`ProjectedCell` (its class says so).

    Args:
        cell: A recurrent cell.

    Example:
        >>> is_projected_cell(object())
        False
    """
    return getattr(type(cell), "projected_cell", False) is True
