"""``keras.applications.vgg19``: VGG19 and its preprocessing."""
from torchkeras.applications.vgg16 import VGG19, decode_predictions, preprocess_input

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]
