"""Nested-structure functions with Keras 3's semantics (see ``torchkeras.tree``)."""
from __future__ import annotations

import collections
from typing import Any, Callable


class MAP_TO_NONE:
    """Return this from a ``traverse`` function to replace a sub-tree with ``None``."""


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _node_items(x: Any, none_is_leaf: bool = True) -> list | None:
    """The ``(key, child)`` pairs of a node in traversal order, or ``None`` for a leaf."""
    t = type(x)
    if t is list or t is tuple or _is_namedtuple(x):
        return list(enumerate(x))
    if t is dict or t is collections.defaultdict:
        return [(k, x[k]) for k in sorted(x)]
    if t is collections.OrderedDict:
        return list(x.items())
    if x is None and not none_is_leaf:
        return []
    return None


def _rebuild(node: Any, keys: list, values: list, sort_dict: bool = False) -> Any:
    """A node of ``node``'s type holding ``values`` at ``keys``."""
    t = type(node)
    if node is None:
        return None
    if t is list:
        return list(values)
    if t is tuple:
        return tuple(values)
    if _is_namedtuple(node):
        return t(*values)
    mapping = dict(zip(keys, values))
    # A dict keeps the caller's key order (Keras's map_structure does); pack_sequence_as
    # returns it sorted, as Keras does.
    order = sorted(node) if sort_dict else list(node)
    if t is collections.defaultdict:
        return collections.defaultdict(node.default_factory, {k: mapping[k] for k in order})
    if t is collections.OrderedDict:
        return collections.OrderedDict((k, mapping[k]) for k in node)
    return {k: mapping[k] for k in order}


def is_nested(structure: Any) -> bool:
    """Whether ``structure`` is a list, tuple, namedtuple or dict (not a leaf).

    Args:
        structure: Any value.

    Returns:
        ``True`` for a container node, ``False`` for a leaf (including ``None``).

    Example:
        >>> is_nested({"a": 1}), is_nested(1)
        (True, False)
    """
    return _node_items(structure) is not None


def flatten(structure: Any) -> list:
    """The leaves of ``structure`` in Keras's order (dicts by sorted key).

    Args:
        structure: A nested structure; a leaf gives a one-element list.

    Returns:
        A list of leaves.

    Example:
        >>> flatten({"b": 1, "a": (2, 3)})
        [2, 3, 1]
    """
    out: list = []
    stack = [structure]
    while stack:
        x = stack.pop()
        items = _node_items(x)
        if items is None:
            out.append(x)
        else:
            stack.extend(v for _, v in reversed(items))
    return out


def flatten_with_path(structure: Any) -> list:
    """``(path, leaf)`` pairs; a path is the tuple of keys/indices from the root.

    Args:
        structure: A nested structure.

    Returns:
        A list of ``(tuple, leaf)`` pairs in ``flatten`` order.

    Example:
        >>> flatten_with_path({"a": [1, 2]})
        [(('a', 0), 1), (('a', 1), 2)]
    """
    out: list = []
    stack = [((), structure)]
    while stack:
        path, x = stack.pop()
        items = _node_items(x)
        if items is None:
            out.append((path, x))
        else:
            stack.extend((path + (k,), v) for k, v in reversed(items))
    return out


def _map(func: Callable, structures: tuple, none_is_leaf: bool, check_leaves: bool) -> Any:
    first = structures[0]
    items = _node_items(first, none_is_leaf)
    if items is None:
        if check_leaves and any(_node_items(s, none_is_leaf) is not None for s in structures[1:]):
            raise ValueError("Structures don't have the same nested structure.")
        return func(*structures)
    if first is None:
        return None
    keys = [k for k, _ in items]
    others = [_matching_children(first, keys, s, none_is_leaf) for s in structures[1:]]
    values = [
        _map(func, (v,) + tuple(o[i] for o in others), none_is_leaf, check_leaves)
        for i, (_, v) in enumerate(items)
    ]
    return _rebuild(first, keys, values)


def _matching_children(ref: Any, keys: list, other: Any, none_is_leaf: bool = True) -> list:
    """``other``'s children in ``ref``'s key order; ValueError when the nodes differ."""
    items = _node_items(other, none_is_leaf)
    if items is None:
        raise ValueError(
            "Structures don't have the same nested structure: expected a %s, got %r"
            % (type(ref).__name__, other)
        )
    if type(other) is not type(ref) and not (
        isinstance(ref, dict) and isinstance(other, dict)
    ):
        raise ValueError(
            "Structures don't have the same nested structure: node type mismatch, "
            "expected %s, got %s" % (type(ref).__name__, type(other).__name__)
        )
    other_map = dict(items)
    if set(other_map) != set(keys):
        if isinstance(ref, dict):
            raise ValueError(
                "Structures don't have the same nested structure: dict keys differ, "
                "missing %s, extra %s"
                % (sorted(set(keys) - set(other_map), key=repr),
                   sorted(set(other_map) - set(keys), key=repr))
            )
        raise ValueError(
            "Structures don't have the same nested structure: expected %d items, got %d"
            % (len(keys), len(other_map))
        )
    return [other_map[k] for k in keys]


def map_structure(func: Callable, *structures: Any, none_is_leaf: bool = True) -> Any:
    """Applies ``func`` leaf-wise to one or more structures of the same shape.

    Args:
        func: Called with one leaf from each structure.
        *structures: Structures with identical nesting (dict key order may differ).
        none_is_leaf: If ``False``, ``None`` values are kept as ``None`` without calling
            ``func``.

    Returns:
        A structure like the first one holding ``func``'s results.

    Raises:
        ValueError: No structure given, or the structures differ.

    Example:
        >>> map_structure(lambda a, b: a + b, [1, (2,)], [10, (20,)])
        [11, (22,)]
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    return _map(func, structures, none_is_leaf, check_leaves=len(structures) > 1)


def map_structure_up_to(shallow_structure: Any, func: Callable, *structures: Any) -> Any:
    """Like ``map_structure`` but stops at the leaves of ``shallow_structure``.

    Args:
        shallow_structure: Structure whose leaves mark where to stop descending.
        func: Called with the sub-structures of ``structures`` at each such leaf.
        *structures: Structures at least as deep as ``shallow_structure``.

    Returns:
        A structure shaped like ``shallow_structure``.

    Example:
        >>> map_structure_up_to([0, 0], len, [[1, 2], [3]])
        [2, 1]
    """
    if not structures:
        raise ValueError("Must provide at least one structure")

    def walk(shallow: Any, subs: tuple) -> Any:
        items = _node_items(shallow)
        if items is None:
            return func(*subs)
        keys = [k for k, _ in items]
        others = [_matching_children(shallow, keys, s) for s in subs]
        values = [walk(v, tuple(o[i] for o in others)) for i, (_, v) in enumerate(items)]
        return _rebuild(shallow, keys, values)

    return walk(shallow_structure, structures)


def assert_same_structure(a: Any, b: Any, check_types: bool | None = None) -> None:
    """Raises ValueError unless ``a`` and ``b`` have the same nesting and node types.

    Args:
        a: A structure.
        b: Another structure.
        check_types: Deprecated in Keras; ignored (types are always checked).

    Example:
        >>> assert_same_structure([1, (2,)], [3, (4,)])
    """
    _map(lambda *_: None, (a, b), none_is_leaf=True, check_leaves=True)


def assert_same_paths(a: Any, b: Any) -> None:
    """Raises ValueError unless ``a`` and ``b`` have the same set of leaf paths.

    Args:
        a: A structure.
        b: Another structure (node types may differ).

    Example:
        >>> assert_same_paths([1, 2], (3, 4))
    """
    a_paths = {p for p, _ in flatten_with_path(a)}
    b_paths = {p for p, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        msg = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            msg += "\nPaths in `a` missing in `b`:\n%s" % (a_paths - b_paths,)
        if b_paths - a_paths:
            msg += "\nPaths in `b` missing in `a`:\n%s" % (b_paths - a_paths,)
        raise ValueError(msg)


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """Packs ``flat_sequence`` into the nesting of ``structure`` (the inverse of flatten).

    Args:
        structure: The template structure.
        flat_sequence: A list/tuple with one value per leaf of ``structure``.

    Returns:
        The packed structure (dicts come back in sorted key order, as in Keras).

    Raises:
        TypeError: ``flat_sequence`` is not a sequence.
        ValueError: Its length differs from the number of leaves.

    Example:
        >>> pack_sequence_as({"b": 0, "a": (0, 0)}, [1, 2, 3])
        {'a': (1, 2), 'b': 3}
    """
    if not isinstance(flat_sequence, (list, tuple)):
        try:
            flat_sequence = list(flat_sequence)
        except TypeError:
            raise TypeError(
                "flat_sequence must be a sequence, got %s" % type(flat_sequence).__name__
            ) from None
    n = len(flatten(structure))
    if len(flat_sequence) != n:
        raise ValueError(
            "pack_sequence_as: flat_sequence has %d items but the structure holds %d leaves"
            % (len(flat_sequence), n)
        )
    it = iter(flat_sequence)

    def build(x: Any) -> Any:
        items = _node_items(x)
        if items is None:
            return next(it)
        keys = [k for k, _ in items]
        return _rebuild(x, keys, [build(v) for _, v in items], sort_dict=True)

    return build(structure)


def traverse(func: Callable, structure: Any, top_down: bool = True) -> Any:
    """Visits every sub-structure (depth first), optionally replacing it.

    Top-down: a non-``None`` result of ``func(sub)`` replaces ``sub`` and its children
    are not visited. Bottom-up: children are visited first and a non-``None`` result
    replaces the (rebuilt) ``sub``. Return ``MAP_TO_NONE`` to replace with ``None``.

    Args:
        func: Called on each sub-structure and leaf.
        structure: The structure.
        top_down: Visit parents before children.

    Returns:
        The rebuilt structure.

    Raises:
        TypeError: ``func`` is not callable.

    Example:
        >>> traverse(lambda x: x * 2 if isinstance(x, int) else None, [1, (2,)])
        [2, (4,)]
    """
    if not callable(func):
        raise TypeError("traverse: func must be callable, got %r" % (func,))

    def children(x: Any) -> Any:
        items = _node_items(x)
        if items is None:
            return x
        keys = [k for k, _ in items]
        return _rebuild(x, keys, [visit(v) for _, v in items])

    def visit(x: Any) -> Any:
        if top_down:
            ret = func(x)
            if ret is None:
                return children(x)
        else:
            x = children(x)
            ret = func(x)
            if ret is None:
                return x
        return None if ret is MAP_TO_NONE else ret

    return visit(structure)


def lists_to_tuples(structure: Any) -> Any:
    """The structure with every list turned into a tuple (recursively).

    Args:
        structure: A structure.

    Example:
        >>> lists_to_tuples([1, [2]])
        (1, (2,))
    """
    return traverse(lambda x: tuple(x) if isinstance(x, list) else None, structure,
                    top_down=False)


def _is_shape_tuple(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and all(
        isinstance(e, (int, type(None))) for e in x
    )


def map_shape_structure(func: Callable, structure: Any) -> Any:
    """Maps ``func`` over a structure whose leaves are shapes (tuples/lists of int/None).

    Args:
        func: Called with each shape.
        structure: A structure of shapes.

    Example:
        >>> map_shape_structure(len, {"a": (1, 2), "b": [(3,)]})
        {'a': 2, 'b': [1]}
    """
    def walk(x: Any) -> Any:
        if _is_shape_tuple(x):
            return func(x)
        items = _node_items(x)
        if items is None:
            return func(x)
        keys = [k for k, _ in items]
        return _rebuild(x, keys, [walk(v) for _, v in items])

    return walk(structure)
