"""What the scikit-learn wrappers share: building or cloning the model, fitting it on
validated arrays, and reshaping targets between scikit-learn's and the model's shapes."""
from __future__ import annotations

import copy

import numpy as np

try:
    import sklearn
    from sklearn.base import BaseEstimator, TransformerMixin
except ImportError:   # the wrappers say so when used
    sklearn = None

    class BaseEstimator:   # noqa: D101 - placeholder so the classes can be defined
        pass

    class TransformerMixin:   # noqa: D101
        pass


def require_sklearn(owner: str) -> None:
    if sklearn is None:
        raise ImportError("%s requires `scikit-learn` to be installed. Run `pip install "
                          "scikit-learn` to install it." % owner)


def validate(estimator, *args, **kwargs):
    """scikit-learn's input validation (``validate_data``, or the older method)."""
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:   # scikit-learn < 1.6
        return estimator._validate_data(*args, **kwargs)
    return validate_data(estimator, *args, **kwargs)


class TargetReshaper(TransformerMixin, BaseEstimator):
    """Makes 1-D targets 2-D for the model, and squeezes predictions back."""

    def fit(self, y):
        self.ndim_ = np.ndim(y)
        return self

    def transform(self, y):
        y = np.asarray(y)
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        y = np.asarray(y)
        return y.squeeze(1) if self.ndim_ == 1 and y.ndim == 2 and y.shape[1] == 1 else y


class SKLBase(BaseEstimator):
    """Base of the scikit-learn wrappers.

    Args:
        model: A compiled ``Model`` (cloned, weights re-initialised, for each fit) or a
            callable ``model(X, y, **model_kwargs)`` returning a compiled model.
        warm_start: Keep training the fitted model on later ``fit`` calls.
        model_kwargs: Extra arguments for the ``model`` callable.
        fit_kwargs: Arguments for ``Model.fit`` (``epochs``, ``batch_size``, ...).
    """

    def __init__(self, model, warm_start: bool = False, model_kwargs: dict | None = None,
                 fit_kwargs: dict | None = None):
        require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        model = self.model if callable(self.model) else copy.deepcopy(self.model)
        return type(self)(model=model, warm_start=self.warm_start,
                          model_kwargs=self.model_kwargs, fit_kwargs=self.fit_kwargs)

    @property
    def epoch_(self) -> int:
        """Epochs the fitted model has trained."""
        history = getattr(self, "history_", None)
        return len(history.epoch) if history is not None else 0

    def _get_model(self, X, y):
        from torchkeras.models import Model, clone_model
        if isinstance(self.model, Model):
            clone = clone_model(self.model)
            config = self.model.get_compile_config()
            if config is not None:   # fresh weights, the same compile settings
                clone.compile_from_config(config)
            return clone
        if not callable(self.model):
            raise TypeError("`model` must be a torchkeras Model or a callable returning one; "
                            "got %s" % type(self.model).__name__)
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Builds (or, with ``warm_start``, reuses) the model and trains it on ``X, y``.

        Args:
            X: Array-like ``(n_samples, n_features)``.
            y: Targets ``(n_samples,)`` or ``(n_samples, n_outputs)``.
            **kwargs: More ``Model.fit`` arguments (override ``fit_kwargs``).
        """
        X, y = validate(self, X, y)
        y = self._process_target(y, reset=True)
        model = self.model_ if self.warm_start and hasattr(self, "model_") \
            else self._get_model(X, y)
        if not getattr(model, "compiled", False) or not model.loss or model.optimizer is None:
            raise RuntimeError("Given model needs to be compiled, and have a loss and an "
                               "optimizer.")
        fit_kwargs = {"verbose": 0, **(self.fit_kwargs or {}), **kwargs}
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def predict(self, X):
        """Model predictions, in the targets' original shape (and labels)."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = validate(self, X, reset=False)
        return self._reverse_process_target(np.asarray(self.model_.predict(X, verbose=0)))

    def _process_target(self, y, reset: bool = False):
        from sklearn.utils.multiclass import type_of_target
        if type_of_target(y) == "unknown":
            raise ValueError("Unknown label type for data: %r" % (y,))
        if reset:
            self._target_encoder = TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)
