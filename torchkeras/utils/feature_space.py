"""FeatureSpace: Keras's one-stop preprocessing and encoding of structured (tabular) data."""
from __future__ import annotations

from typing import Sequence

from torchkeras import layers
from torchkeras.backend import standardize_dtype
from torchkeras.layers.layer import Layer
from torchkeras.layers.layer_utils import unique_name
from torchkeras.saving.serialization import serialize_keras_object
from torchkeras.utils.feature_space_data import (adapt_columns, add_feature_axis,
                                                  one_hot_width, to_call_input)
from torchkeras.utils.feature_space_group import PreprocessorGroup
from torchkeras.utils.feature_space_specs import Cross, Feature, deserialize_spec

_TYPES = ("float", "float_normalized", "float_rescaled", "float_discretized",
          "integer_categorical", "string_categorical", "integer_hashed", "string_hashed")


def _lookup_feature(dtype: str, lookup_cls, name: str, max_tokens, num_oov_indices: int,
                    output_mode: str) -> Feature:
    """A categorical feature indexed by an adapted lookup layer of class ``lookup_cls``."""
    return Feature(dtype, lookup_cls(name="%s_preprocessor" % name, max_tokens=max_tokens,
                                     num_oov_indices=num_oov_indices), output_mode)


def _hashed_feature(dtype: str, name: str, num_bins: int, output_mode: str) -> Feature:
    """A feature hashed into ``num_bins`` bins."""
    return Feature(dtype, layers.Hashing(name="%s_preprocessor" % name, num_bins=num_bins),
                   output_mode)


class FeatureSpace(Layer):
    """Preprocesses and encodes a dict of structured features, as ``keras.utils.FeatureSpace``.

    Each feature is typed by name (``"float"``, ``"float_normalized"``,
    ``"float_rescaled"``, ``"float_discretized"``, ``"integer_categorical"``,
    ``"string_categorical"``, ``"integer_hashed"``, ``"string_hashed"``) or by a
    ``FeatureSpace.<type>(...)`` spec; ``adapt`` learns the statistics, vocabularies and
    bins, and calling the space on a dict of arrays returns one float32 vector per sample
    (``output_mode="concat"``) or a dict of encoded features (``"dict"``). Features and
    crosses are ordered by name in both modes.

    Args:
        features: Dict of feature name -> type name or spec.
        output_mode: ``"concat"`` (default) or ``"dict"``.
        crosses: Feature crosses: tuples of feature names or ``FeatureSpace.cross(...)``.
        crossing_dim: Default number of hash bins for crosses. Defaults to 32.
        hashing_dim: Default number of bins of hashed features. Defaults to 32.
        num_discretization_bins: Default number of bins of discretized floats.
        name: Layer name.

    Example:
        >>> fs = FeatureSpace({"age": "float_normalized", "city": "string_categorical",
        ...                    "rooms": "integer_categorical"}, crosses=[("city", "rooms")])
        >>> fs.adapt({"age": [31., 45., 22.], "city": ["Oslo", "Rome", "Oslo"],
        ...           "rooms": [1, 2, 2]})
        >>> fs({"age": [30.], "city": ["Rome"], "rooms": [3]}).shape   # 1 + 3 + 3 + 32
        torch.Size([1, 39])
    """

    # ------------------------------------------------------------------ feature specs
    @classmethod
    def cross(cls, feature_names: Sequence[str], crossing_dim: int,
              output_mode: str = "one_hot") -> Cross:
        """A cross of ``feature_names`` hashed into ``crossing_dim`` bins."""
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype: str, preprocessor, output_mode: str) -> Feature:
        """A feature handled by any preprocessing layer ``preprocessor``."""
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name: str | None = None) -> Feature:
        """Float values passed through as they are."""
        name = name or unique_name("float")
        return Feature("float32", layers.Identity(dtype="float32",
                                                  name="%s_preprocessor" % name), "float")

    @classmethod
    def float_rescaled(cls, scale: float = 1.0, offset: float = 0.0,
                       name: str | None = None) -> Feature:
        """Float values times ``scale`` plus ``offset`` (a ``Rescaling`` layer)."""
        name = name or unique_name("float_rescaled")
        return Feature("float32", layers.Rescaling(scale=scale, offset=offset,
                                                   name="%s_preprocessor" % name), "float")

    @classmethod
    def float_normalized(cls, name: str | None = None) -> Feature:
        """Float values standardized with the adapted mean and variance."""
        name = name or unique_name("float_normalized")
        return Feature("float32", layers.Normalization(axis=-1,
                                                       name="%s_preprocessor" % name), "float")

    @classmethod
    def float_discretized(cls, num_bins: int, bin_boundaries=None, output_mode: str = "one_hot",
                          name: str | None = None) -> Feature:
        """Float values bucketed into ``num_bins`` adapted bins (or fixed boundaries)."""
        name = name or unique_name("float_discretized")
        # Keras passes both arguments to Discretization, which refuses them together;
        # given boundaries win here, so the documented argument works.
        preprocessor = layers.Discretization(
            num_bins=None if bin_boundaries is not None else num_bins,
            bin_boundaries=bin_boundaries, name="%s_preprocessor" % name)
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens: int | None = None, num_oov_indices: int = 1,
                            output_mode: str = "one_hot", name: str | None = None) -> Feature:
        """Integer categories indexed by an adapted ``IntegerLookup``."""
        return _lookup_feature("int32", layers.IntegerLookup, name or unique_name(
            "integer_categorical"), max_tokens, num_oov_indices, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens: int | None = None, num_oov_indices: int = 1,
                           output_mode: str = "one_hot", name: str | None = None) -> Feature:
        """String categories indexed by an adapted ``StringLookup``."""
        return _lookup_feature("string", layers.StringLookup, name or unique_name(
            "string_categorical"), max_tokens, num_oov_indices, output_mode)

    @classmethod
    def string_hashed(cls, num_bins: int, output_mode: str = "one_hot",
                      name: str | None = None) -> Feature:
        """Strings hashed into ``num_bins`` bins."""
        return _hashed_feature("string", name or unique_name("string_hashed"), num_bins,
                               output_mode)

    @classmethod
    def integer_hashed(cls, num_bins: int, output_mode: str = "one_hot",
                       name: str | None = None) -> Feature:
        """Integers hashed into ``num_bins`` bins."""
        return _hashed_feature("int32", name or unique_name("integer_hashed"), num_bins,
                               output_mode)

    # ------------------------------------------------------------------ construction
    def __init__(self, features: dict, output_mode: str = "concat", crosses=None,
                 crossing_dim: int = 32, hashing_dim: int = 32,
                 num_discretization_bins: int = 32, name: str | None = None):
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if not isinstance(features, dict):
            raise TypeError("`features` must be a dict of feature name -> type. Received: "
                            "%s" % type(features).__name__)
        if output_mode not in ("dict", "concat"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             "{'dict', 'concat'}. Received: output_mode=%r" % (output_mode,))
        super().__init__(name=name)
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {n: self._standardize_feature(n, v) for n, v in features.items()}
        self.crosses = [self._standardize_cross(c, set(features)) for c in crosses or ()]
        self.crosses_by_name = {c.name: c for c in self.crosses}
        self.output_mode = output_mode
        self.inputs = {n: layers.Input(shape=(1,), dtype=f.dtype, name=n)
                       for n, f in self.features.items()}
        # Saved where Keras saves them (`preprocessors/string_lookup`, ...), whatever the
        # feature names are; the public `preprocessors` stays a plain dict.
        self._modules["preprocessors"] = PreprocessorGroup(
            [f.preprocessor for f in self.features.values()])
        self._crossers = {c.name: layers.HashedCrossing(c.crossing_dim, name=c.name)
                          for c in self.crosses}
        self._encoders: dict = {}
        self._encoders_built = False
        self._concat = None
        self.encoded_features = None
        self._is_adapted = False
        self._sublayers_built = False
        self._feature_order: list | None = None
        self._cross_order: list | None = None

    @property
    def preprocessors(self) -> dict:
        """Feature name -> its preprocessing layer."""
        return {n: f.preprocessor for n, f in self.features.items()}

    @property
    def crossers(self) -> dict:
        """Cross name -> its ``HashedCrossing`` layer."""
        return dict(self._crossers)

    @property
    def one_hot_encoders(self) -> dict:
        """Feature or cross name -> the ``CategoryEncoding`` that one-hot encodes it."""
        return dict(self._encoders)

    def _standardize_feature(self, name: str, feature) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return deserialize_spec(feature)
        if feature == "float_discretized":
            return self.float_discretized(num_bins=self.num_discretization_bins, name=name)
        if feature in ("integer_hashed", "string_hashed"):
            return getattr(self, feature)(self.hashing_dim, name=name)
        if isinstance(feature, str) and feature in _TYPES:
            return getattr(self, feature)(name=name)
        raise ValueError("Invalid feature type: %r (feature %r). Expected a Feature or one of "
                         "%s." % (feature, name, ", ".join(_TYPES)))

    def _standardize_cross(self, cross, known: set) -> Cross:
        if isinstance(cross, dict):
            cross = deserialize_spec(cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError("When specifying `crosses`, the argument `crossing_dim` "
                             "(dimensionality of the crossing space) should be specified "
                             "as well.")
        if isinstance(cross, str) or any(k not in known for k in cross):
            raise ValueError("All features referenced in the `crosses` argument should be "
                             "present in the `features` dict. Received unknown features: %r"
                             % (cross,))
        return Cross(cross, crossing_dim=self.crossing_dim)

    # ------------------------------------------------------------------ adapt
    def _list_adaptable_preprocessors(self) -> list:
        names = []
        for name, feature in self.features.items():
            p = feature.preprocessor
            if isinstance(p, layers.Normalization) and p.input_mean is not None:
                continue      # given mean and variance
            if isinstance(p, layers.Discretization) and p.num_bins is None:
                continue      # given bin boundaries
            if isinstance(p, (layers.StringLookup, layers.IntegerLookup,
                              layers.TextVectorization)) and \
                    getattr(p, "input_vocabulary", None) is not None:
                continue      # given vocabulary
            if callable(getattr(p, "adapt", None)):
                names.append(name)
        return names

    def adapt(self, dataset) -> None:
        """Learns every adaptable preprocessor's state (statistics, vocabularies, bins).

        Args:
            dataset: A dict of arrays/lists, or an iterable (torch ``DataLoader``,
                generator, list, ``PyDataset``) yielding dicts of feature batches or of
                single samples; ``(features, labels)`` elements use the features.

        Raises:
            ValueError: For data of another kind or without some feature.
        """
        names = self._list_adaptable_preprocessors()
        columns = adapt_columns(dataset, names)
        for name in names:
            column = columns[name]
            if column.ndim <= 1:
                column = column.reshape(-1, 1)    # one feature per sample, as Keras adapts
            self.features[name].preprocessor.adapt(column)
        self._is_adapted = True
        # A new vocabulary or bin count needs new one-hot widths: rebuild the encoders
        # (Keras keeps the first ones, which then drop the new ids silently).
        self.encoded_features, self._encoders, self._concat = None, {}, None
        self._encoders_built = False
        self.get_encoded_features()    # builds the encoders
        self.built = True
        self._sublayers_built = True

    # ------------------------------------------------------------------ graph
    def get_inputs(self) -> dict:
        """The dict of ``keras.Input`` (shape ``(1,)``) the encoded features come from."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features as symbolic tensors (a tensor, or a dict in dict mode)."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            crossed = self._cross_features(preprocessed)
            self.encoded_features = self._merge_features(preprocessed, crossed)
        return self.encoded_features

    def _preprocess_features(self, features: dict) -> dict:
        return {n: self.features[n].preprocessor(features[n]) for n in self.features}

    def _cross_features(self, features: dict) -> dict:
        return {c.name: self._crossers[c.name]([features[n] for n in c.feature_names])
                for c in self.crosses}

    def _build_encoders(self, preprocessed: dict, crossed: dict) -> None:
        # First (symbolic) pass: one CategoryEncoding per one-hot feature, checks for concat.
        specs = {**{n: self.features[n] for n in self._feature_order},
                 **{n: self.crosses_by_name[n] for n in self._cross_order}}
        for name, spec in specs.items():
            tensor = preprocessed[name] if name in preprocessed else crossed[name]
            layer = self.features[name].preprocessor if name in self.features \
                else self._crossers[name]
            dtype = standardize_dtype(tensor.dtype)
            if getattr(layer, "output_mode", None) == "int":
                # Index-producing layers; some report a float dtype on symbolic tensors.
                dtype = "int64"
            if spec.output_mode == "one_hot":
                if not dtype.startswith("int"):
                    raise ValueError("Feature '%s' has `output_mode='one_hot'`. Thus its "
                                     "preprocessor should return an integer dtype. Instead it "
                                     "returns a %s dtype." % (name, dtype))
                self._encoders[name] = layers.CategoryEncoding(
                    num_tokens=one_hot_width(name, layer), output_mode="multi_hot")
            elif self.output_mode == "concat" and (
                    spec.output_mode == "int" or dtype.startswith("int") or dtype == "string"):
                raise ValueError("Cannot concatenate features because feature '%s' has not "
                                 "been encoded (it has dtype %s). Consider using "
                                 "`output_mode='dict'`." % (name, dtype))
        if self.output_mode == "concat":
            self._concat = layers.Concatenate(axis=-1)

    def _merge_features(self, preprocessed: dict, crossed: dict):
        if self._feature_order is None:
            self._feature_order = sorted(preprocessed)
            self._cross_order = sorted(crossed)
        if not self._encoders_built:
            self._build_encoders(preprocessed, crossed)
            self._encoders_built = True
        merged = {}
        for name in self._feature_order + self._cross_order:
            value = preprocessed[name] if name in preprocessed else crossed[name]
            encoder = self._encoders.get(name)
            merged[name] = encoder(value) if encoder is not None else value
        if self.output_mode == "dict":
            return merged
        parts = list(merged.values())
        return self._concat(parts) if len(parts) > 1 else parts[0]

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace "
                                 "before you can start using it.")
            self._is_adapted = True

    def _check_if_built(self) -> None:
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # ------------------------------------------------------------------ call
    def __call__(self, data: dict):
        """Encodes ``data``: a dict of one array/list/tensor (or scalar) per feature.

        A batch ``(batch,)`` or ``(batch, 1)`` per feature gives ``(batch, dim)`` (concat)
        or ``(batch, ...)`` per entry (dict); scalars give one unbatched sample.
        """
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError("A FeatureSpace can only be called with a dict. Received: "
                             "data=%s (of type %s)" % (data, type(data)))
        missing = [n for n in self.features if n not in data]
        unknown = [k for k in data if k not in self.features]
        if missing or unknown:
            raise ValueError("FeatureSpace was called with keys %s; expected exactly the "
                             "features %s (missing: %s, unknown: %s)."
                             % (sorted(data), sorted(self.features), missing, unknown))
        batch, rebatched = {}, False
        for name, feature in self.features.items():
            batch[name], scalar = add_feature_axis(to_call_input(data[name], feature.dtype))
            rebatched = rebatched or scalar
        preprocessed = self._preprocess_features(batch)
        merged = self._merge_features(preprocessed, self._cross_features(preprocessed))
        if not rebatched:
            return merged
        if self.output_mode == "concat":
            if merged.shape[0] != 1:
                raise ValueError("Expected rebatched data to have batch size 1. Received: "
                                 "shape=%s" % (tuple(merged.shape),))
            return merged[0]
        return {n: x[0] if x.dim() == 2 and x.shape[0] == 1 else x for n, x in merged.items()}

    # ------------------------------------------------------------------ saving
    def get_config(self) -> dict:
        return {"features": serialize_keras_object(self.features),
                "output_mode": self.output_mode,
                "crosses": serialize_keras_object(self.crosses),
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config: dict) -> "FeatureSpace":
        return cls(**config)

    def get_build_config(self) -> dict:
        return {n: f.preprocessor.get_build_config() for n, f in self.features.items()}

    def build_from_config(self, config: dict) -> None:
        for name, build_config in (config or {}).items():
            preprocessor = self.features[name].preprocessor
            if not preprocessor.built and build_config:
                preprocessor.build_from_config(build_config)
        self._is_adapted = True

    def save(self, filepath) -> None:
        """Saves the FeatureSpace (with its adapted state) to a ``.keras`` file.

        Reload it with ``keras.models.load_model(filepath)``.
        """
        # torchkeras.saving is still initializing when the layers import torchkeras.utils.
        from torchkeras.saving import save_model
        save_model(self, filepath)
