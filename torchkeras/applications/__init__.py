"""Applications: Keras's pretrained image models, built on torchvision's architectures.

Each model is a torchkeras functional ``Model``: an optional ``InputAdapter`` (maps the
family's Keras input convention onto torchvision's normalization), a
``TorchvisionBackbone`` layer (NHWC in and out) and Keras's classification top.
``weights="imagenet"`` loads torchvision's weights, downloaded once into
``$TORCHKERAS_HOME/models``.

Example:
    >>> base = applications.MobileNetV2(input_shape=(224, 224, 3), include_top=False)
    >>> base.trainable = False
    >>> model = Sequential([base, layers.GlobalAveragePooling2D(), layers.Dense(100)])
"""
from torchkeras.applications import (convnext, densenet, efficientnet, imagenet_utils,
                                     mobilenet_v2, mobilenet_v3, resnet, resnet50,
                                     resnet_v2, vgg16, vgg19)
from torchkeras.applications.backbone import InputAdapter, TorchvisionBackbone
from torchkeras.applications.convnext import (ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall,
                                              ConvNeXtTiny)
from torchkeras.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from torchkeras.applications.efficientnet import (EfficientNetB0, EfficientNetB1,
                                                  EfficientNetB2, EfficientNetB3,
                                                  EfficientNetB4, EfficientNetB5,
                                                  EfficientNetB6, EfficientNetB7)
from torchkeras.applications.mobilenet_v2 import MobileNetV2
from torchkeras.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from torchkeras.applications.resnet import ResNet50, ResNet101, ResNet152
from torchkeras.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from torchkeras.applications.vgg16 import VGG16, VGG19
from torchkeras.applications import inception_resnet_v2, inception_v3, mobilenet, xception
from torchkeras.applications.inception_resnet_v2 import InceptionResNetV2
from torchkeras.applications.inception_v3 import InceptionV3
from torchkeras.applications.mobilenet import MobileNet
from torchkeras.applications.xception import Xception
# EfficientNetV2, NASNet and ConvNeXtXLarge (built as Keras builds them).
from torchkeras.applications import efficientnet_v2, nasnet
from torchkeras.applications.convnext import ConvNeXtXLarge
from torchkeras.applications.efficientnet_v2 import (EfficientNetV2B0, EfficientNetV2B1,
                                                     EfficientNetV2B2, EfficientNetV2B3,
                                                     EfficientNetV2L, EfficientNetV2M,
                                                     EfficientNetV2S)
from torchkeras.applications.nasnet import NASNetLarge, NASNetMobile

__all__ = [
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "DenseNet121",
    "DenseNet169", "DenseNet201", "EfficientNetB0", "EfficientNetB1", "EfficientNetB2",
    "EfficientNetB3", "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
    "InputAdapter", "MobileNetV2", "MobileNetV3Large", "MobileNetV3Small", "ResNet50",
    "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2",
    "TorchvisionBackbone", "VGG16", "VGG19", "convnext",
    "densenet", "efficientnet", "imagenet_utils", "mobilenet_v2", "mobilenet_v3", "resnet",
    "resnet50", "resnet_v2", "vgg16", "vgg19",
    "InceptionResNetV2", "InceptionV3", "MobileNet", "Xception", "inception_resnet_v2",
    "inception_v3", "mobilenet", "xception",
]
__all__ += [
    "ConvNeXtXLarge", "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
    "EfficientNetV2B3", "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S",
    "NASNetLarge", "NASNetMobile", "efficientnet_v2", "nasnet",
]
