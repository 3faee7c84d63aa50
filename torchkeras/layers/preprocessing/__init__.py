"""Preprocessing layers that run inside a model, on the tensors' device."""
from torchkeras.layers.preprocessing.category_encoding import CategoryEncoding
from torchkeras.layers.preprocessing.center_crop import CenterCrop
from torchkeras.layers.preprocessing.discretization import Discretization
from torchkeras.layers.preprocessing.hashed_crossing import HashedCrossing
from torchkeras.layers.preprocessing.hashing import Hashing
from torchkeras.layers.preprocessing.integer_lookup import IntegerLookup
from torchkeras.layers.preprocessing.string_lookup import StringLookup
from torchkeras.layers.preprocessing.text_vectorization import TextVectorization
from torchkeras.layers.preprocessing.normalization import Normalization
from torchkeras.layers.preprocessing.random_brightness import RandomBrightness
from torchkeras.layers.preprocessing.random_contrast import RandomContrast
from torchkeras.layers.preprocessing.random_crop import RandomCrop
from torchkeras.layers.preprocessing.random_flip import RandomFlip
from torchkeras.layers.preprocessing.random_rotation import RandomRotation
from torchkeras.layers.preprocessing.random_translation import RandomTranslation
from torchkeras.layers.preprocessing.random_zoom import RandomZoom
from torchkeras.layers.preprocessing.rescaling import Rescaling
from torchkeras.layers.preprocessing.resizing import Resizing
from torchkeras.layers.preprocessing.mel_spectrogram import MelSpectrogram
from torchkeras.layers.preprocessing.stft_spectrogram import STFTSpectrogram
# colour augmentation (aug-color)
from torchkeras.layers.preprocessing.random_grayscale import RandomGrayscale
from torchkeras.layers.preprocessing.random_invert import RandomInvert
from torchkeras.layers.preprocessing.solarization import Solarization
from torchkeras.layers.preprocessing.random_posterization import RandomPosterization
from torchkeras.layers.preprocessing.auto_contrast import AutoContrast
from torchkeras.layers.preprocessing.equalization import Equalization
from torchkeras.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from torchkeras.layers.preprocessing.random_sharpness import RandomSharpness
from torchkeras.layers.preprocessing.random_saturation import RandomSaturation
from torchkeras.layers.preprocessing.random_hue import RandomHue
from torchkeras.layers.preprocessing.random_color_jitter import RandomColorJitter
from torchkeras.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from torchkeras.layers.preprocessing.random_shear import RandomShear
from torchkeras.layers.preprocessing.clahe import ContrastLimitedAdaptiveHistogramEqualization
from torchkeras.layers.preprocessing.rand_augment import RandAugment
from torchkeras.layers.preprocessing.aug_mix import AugMix
# aug-geom: geometric & mixing augmentation, box utilities, Pipeline
from torchkeras.layers.preprocessing.cut_mix import CutMix
from torchkeras.layers.preprocessing.max_num_bounding_box import MaxNumBoundingBoxes
from torchkeras.layers.preprocessing.mix_up import MixUp
from torchkeras.layers.preprocessing.pipeline import Pipeline
from torchkeras.layers.preprocessing.random_elastic_transform import RandomElasticTransform
from torchkeras.layers.preprocessing.random_erasing import RandomErasing
from torchkeras.layers.preprocessing.random_perspective import RandomPerspective

__all__ = ["CategoryEncoding", "CenterCrop", "Discretization", "HashedCrossing", "Hashing", "IntegerLookup",
           "StringLookup", "TextVectorization", "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop",
           "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling",
           "Resizing"]
__all__ += ["MelSpectrogram", "STFTSpectrogram"]
# colour augmentation (aug-color)
__all__ += ["RandomGrayscale", "RandomInvert", "Solarization", "RandomPosterization",
            "AutoContrast", "Equalization", "RandomColorDegeneration", "RandomSharpness",
            "RandomSaturation", "RandomHue", "RandomColorJitter", "RandomGaussianBlur",
            "RandomShear", "ContrastLimitedAdaptiveHistogramEqualization", "RandAugment",
            "AugMix"]
__all__ += ["CutMix", "MaxNumBoundingBoxes", "MixUp", "Pipeline", "RandomElasticTransform",
            "RandomErasing", "RandomPerspective"]
