"""Core layers."""
from torchkeras.layers.core.activation import Activation
from torchkeras.layers.core.dense import Dense
from torchkeras.layers.core.einsum_dense import EinsumDense
from torchkeras.layers.core.embedding import Embedding
from torchkeras.layers.core.identity import Identity
from torchkeras.layers.core.lambda_layer import Lambda
from torchkeras.layers.core.masking import Masking
from torchkeras.layers.core.torch_op import TorchOp
from torchkeras.layers.core.whitening_conv2d import WhiteningConv2D
from torchkeras.layers.torch_module import TorchModuleWrapper
from torchkeras.layers.core.reversible_embedding import ReversibleEmbedding
from torchkeras.layers.core.wrapper import Wrapper

__all__ = ["Activation", "Dense", "EinsumDense", "Embedding", "Identity", "Lambda", "Masking",
           "TorchModuleWrapper", "WhiteningConv2D"]
__all__ += ["ReversibleEmbedding", "Wrapper"]
