"""``keras.tree``: functions on nested structures of lists, tuples, namedtuples and dicts.

Keras 3's conventions: plain dicts (and defaultdicts) are walked in sorted key order,
``OrderedDict`` in insertion order, namedtuples field by field, and ``None`` is a leaf.
Anything else (tensors, numbers, strings, other objects) is a leaf.

Example:
    >>> from torchkeras import tree
    >>> tree.flatten({"b": 1, "a": [2, None]})
    [2, None, 1]
"""
from torchkeras.tree.tree_api import (
    MAP_TO_NONE, assert_same_paths, assert_same_structure, flatten, flatten_with_path,
    is_nested, lists_to_tuples, map_shape_structure, map_structure, map_structure_up_to,
    pack_sequence_as, traverse,
)

__all__ = [
    "MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten", "flatten_with_path",
    "is_nested", "lists_to_tuples", "map_shape_structure", "map_structure",
    "map_structure_up_to", "pack_sequence_as", "traverse",
]
