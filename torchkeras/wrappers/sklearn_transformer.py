"""SKLearnTransformer: a torchkeras model as a scikit-learn transformer."""
from __future__ import annotations

import numpy as np

from torchkeras.wrappers.sklearn_base import SKLBase, TransformerMixin, validate


class SKLearnTransformer(TransformerMixin, SKLBase):
    """Wraps a model for scikit-learn as a transformer: ``transform`` returns the
    model's outputs (e.g. an encoder's embedding), ``fit`` trains it on ``X, y``.

    Args:
        model: A compiled ``Model`` or a callable ``model(X, y, **model_kwargs)``.
        warm_start: Keep training the fitted model on later ``fit`` calls.
        model_kwargs: Extra arguments for the ``model`` callable.
        fit_kwargs: Arguments for ``Model.fit``.

    Example:
        >>> pipe = sklearn.pipeline.make_pipeline(SKLearnTransformer(build), LogisticRegression())
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags

    def transform(self, X):
        """The model's outputs for ``X``."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        return np.asarray(self.model_.predict(validate(self, X, reset=False), verbose=0))
