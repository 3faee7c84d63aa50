"""torchkeras.distillation: knowledge distillation (Keras 3's ``keras.distillation``)."""
from torchkeras.distillation.distillation_loss import DistillationLoss
from torchkeras.distillation.distiller import Distiller
from torchkeras.distillation.feature_distillation import FeatureDistillation
from torchkeras.distillation.logits_distillation import LogitsDistillation

__all__ = ["DistillationLoss", "Distiller", "FeatureDistillation", "LogitsDistillation"]
