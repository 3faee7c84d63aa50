"""``keras.wrappers``: torchkeras models as scikit-learn estimators."""
from torchkeras.wrappers.sklearn_classifier import SKLearnClassifier
from torchkeras.wrappers.sklearn_regressor import SKLearnRegressor
from torchkeras.wrappers.sklearn_transformer import SKLearnTransformer

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
