"""SKLearnClassifier: a torchkeras model as a scikit-learn classifier."""
from __future__ import annotations

import numpy as np

from torchkeras.wrappers.sklearn_base import SKLBase, TargetReshaper, sklearn, validate

try:
    from sklearn.base import ClassifierMixin
except ImportError:
    class ClassifierMixin:   # noqa: D101 - placeholder when scikit-learn is absent
        pass


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """Wraps a model for scikit-learn (``Pipeline``, ``GridSearchCV``, ...) as a classifier.

    Labels are one-hot encoded for the model (so it ends in ``num_classes`` units, e.g.
    with a softmax and ``categorical_crossentropy``); ``predict`` maps its outputs back to
    the original labels, ``classes_`` lists them.

    Args:
        model: A compiled ``Model`` or a callable ``model(X, y, **model_kwargs)``.
        warm_start: Keep training the fitted model on later ``fit`` calls.
        model_kwargs: Extra arguments for the ``model`` callable.
        fit_kwargs: Arguments for ``Model.fit``.

    Example:
        >>> def build(X, y):
        ...     model = Sequential([Input(X.shape[1:]), layers.Dense(y.shape[1],
        ...                                                          activation="softmax")])
        ...     model.compile("adam", "categorical_crossentropy")
        ...     return model
        >>> clf = SKLearnClassifier(build, fit_kwargs={"epochs": 5}).fit(X, labels)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags

    def decision_function(self, X):
        """The model's raw outputs (class scores)."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        return np.asarray(self.model_.predict(validate(self, X, reset=False), verbose=0))

    def _process_target(self, y, reset: bool = False):
        from sklearn.utils.multiclass import type_of_target
        kind = type_of_target(y)
        if kind == "unknown":
            raise ValueError("Unknown label type for data: %r" % (y,))
        if kind not in ("binary", "multiclass"):
            raise ValueError("Only binary and multiclass target types are supported. Target "
                             "type: %s" % kind)
        if reset:
            self._target_encoder = sklearn.pipeline.make_pipeline(
                TargetReshaper(), sklearn.preprocessing.OneHotEncoder(sparse_output=False)
            ).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._target_encoder.transform(y)
