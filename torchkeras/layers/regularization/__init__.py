"""Regularization layers: dropout and noise while training, activity penalties."""
from torchkeras.layers.regularization.dropout import Dropout

__all__ = ["Dropout"]
