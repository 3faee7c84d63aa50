"""DropoutRNNCell: the per-sequence dropout masks of recurrent cells.

A recurrent cell drops the same input units (and the same recurrent units) at every
timestep of one sequence, so the masks are drawn once, cached on the cell while the
``RNN`` layer walks the sequence, and cleared when it is done.
"""
from __future__ import annotations

import torch

from torchkeras.layers.regularization.seeding import SeedStream


class DropoutRNNCell:
    """Mixin giving a cell cached dropout masks for ``dropout``/``recurrent_dropout``.

    The host class sets ``dropout``, ``recurrent_dropout`` and ``seed``; cells whose
    gates each get their own mask set ``dropout_mask_count``.

    Example:
        >>> cell = LSTMCell(8, dropout=0.2)
        >>> mask = cell.get_dropout_mask(torch.ones(4, 3))   # (4, 3), reused every step
        >>> cell.reset_dropout_mask()
    """

    def _seed_stream(self) -> SeedStream:
        stream = self.__dict__.get("_dropout_stream")
        if stream is None:
            stream = SeedStream(getattr(self, "seed", None))
            self.__dict__["_dropout_stream"] = stream
        return stream

    def _create_dropout_mask(self, step_input: torch.Tensor, rate: float):
        count = getattr(self, "dropout_mask_count", None)
        keep = 1.0 - rate
        stream = self._seed_stream()

        def draw():
            if rate >= 1.0:
                return torch.zeros_like(step_input)
            kept = stream.bernoulli_keep(step_input.shape, keep, step_input)
            return kept.to(step_input.dtype) * (1.0 / keep)

        if count is None:
            return draw()
        return [draw() for _ in range(count)]

    def get_dropout_mask(self, step_input: torch.Tensor):
        """The input mask for this sequence (drawn on first use), or None without dropout."""
        mask = self.__dict__.get("_dropout_mask")
        if mask is None and self.dropout > 0:
            mask = self._create_dropout_mask(step_input, self.dropout)
            self.__dict__["_dropout_mask"] = mask
        return mask

    def get_recurrent_dropout_mask(self, step_input: torch.Tensor):
        """The recurrent-state mask for this sequence, or None without recurrent dropout."""
        mask = self.__dict__.get("_recurrent_dropout_mask")
        if mask is None and self.recurrent_dropout > 0:
            mask = self._create_dropout_mask(step_input, self.recurrent_dropout)
            self.__dict__["_recurrent_dropout_mask"] = mask
        return mask

    def reset_dropout_mask(self) -> None:
        """Forgets the cached input mask; the next sequence draws a new one."""
        self.__dict__["_dropout_mask"] = None

    def reset_recurrent_dropout_mask(self) -> None:
        self.__dict__["_recurrent_dropout_mask"] = None
