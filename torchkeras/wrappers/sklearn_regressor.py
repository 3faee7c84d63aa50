"""SKLearnRegressor: a torchkeras model as a scikit-learn regressor."""
from __future__ import annotations

from torchkeras.wrappers.sklearn_base import SKLBase

try:
    from sklearn.base import RegressorMixin
except ImportError:
    class RegressorMixin:   # noqa: D101 - placeholder when scikit-learn is absent
        pass


class SKLearnRegressor(RegressorMixin, SKLBase):
    """Wraps a model for scikit-learn as a regressor (``score`` is R²).

    Args:
        model: A compiled ``Model`` or a callable ``model(X, y, **model_kwargs)``.
        warm_start: Keep training the fitted model on later ``fit`` calls.
        model_kwargs: Extra arguments for the ``model`` callable.
        fit_kwargs: Arguments for ``Model.fit``.

    Example:
        >>> reg = SKLearnRegressor(build, fit_kwargs={"epochs": 20}).fit(X, y)
        >>> reg.score(X, y)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags
