"""Test helpers shared by the project's tests (and usable for users' own layers)."""
from torchkeras.testing.layer_test import run_layer_test

__all__ = ["run_layer_test"]
