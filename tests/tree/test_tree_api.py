import collections

import pytest

from torchkeras import tree

NT = collections.namedtuple("NT", ["b", "a"])
STRUCTS = [
    1, None, "s", [None, 1], {"b": 1, "a": [2, None]},
    collections.OrderedDict([("b", 1), ("a", 2)]), NT(1, (2, 3)), (), [], {},
    [[1], [2, [3]]], [{"z": 2, "y": [3, 4]}],
]


@pytest.mark.keras_oracle
@pytest.mark.parametrize("s", STRUCTS, ids=repr)
def test_matches_keras_tree(keras, s):
    kt = keras.tree
    assert tree.flatten(s) == kt.flatten(s)
    assert tree.is_nested(s) == kt.is_nested(s)
    if not isinstance(s, NT):  # keras's torch impl gives odd namedtuple paths
        assert tree.flatten_with_path(s) == kt.flatten_with_path(s)
    mine = tree.map_structure(lambda x: (x,), s)
    ref = kt.map_structure(lambda x: (x,), s)
    assert mine == ref and type(mine) is type(ref)
    n = len(kt.flatten(s))
    packed, ref_packed = tree.pack_sequence_as(s, list(range(n))), kt.pack_sequence_as(s, list(range(n)))
    assert packed == ref_packed and repr(packed) == repr(ref_packed)
    assert tree.lists_to_tuples(s) == kt.lists_to_tuples(s)


@pytest.mark.keras_oracle
def test_traverse_and_helpers_match_keras(keras):
    kt = keras.tree
    s = [(1, 2), [3], {"a": 4}]
    for top_down in (True, False):
        mine, ref = [], []
        assert tree.traverse(mine.append, s, top_down) == kt.traverse(ref.append, s, top_down)
        assert mine == ref
    f = lambda x: tree.MAP_TO_NONE if x == [3] else None  # noqa: E731
    g = lambda x: kt.MAP_TO_NONE if x == [3] else None  # noqa: E731
    assert tree.traverse(f, s) == kt.traverse(g, s) == [(1, 2), None, {"a": 4}]
    assert tree.map_shape_structure(len, [(1, None), {"a": (2, 3)}]) == kt.map_shape_structure(
        len, [(1, None), {"a": (2, 3)}])
    assert tree.map_structure_up_to([1, 2], lambda x: x, [[1, 2], 3]) == [[1, 2], 3]
    assert tree.map_structure(lambda x: 1, [None, 2], none_is_leaf=False) == [None, 1]


def test_map_structure_several_and_dict_order():
    out = tree.map_structure(lambda a, b: a + b, {"a": 1, "b": 2}, {"b": 3, "a": 4})
    assert out == {"a": 5, "b": 5}
    assert list(tree.map_structure(lambda x: x, {"b": 1, "a": 2})) == ["b", "a"]
    assert tree.map_structure_up_to([0, 0], len, [[1, 2], [3]]) == [2, 1]


@pytest.mark.parametrize("a,b", [
    ([1, 2], [1, [2]]), ([1, 2], (1, 2)), ({"a": 1}, {"b": 1}), ([1], [1, 2]), (NT(1, 2), (1, 2)),
])
def test_structure_mismatch_raises(a, b):
    with pytest.raises(ValueError, match="same nested structure"):
        tree.assert_same_structure(a, b)
    with pytest.raises(ValueError, match="same nested structure"):
        tree.map_structure(lambda x, y: None, a, b)


def test_errors():
    tree.assert_same_structure([1, (2,)], [3, (4,)])
    tree.assert_same_paths([1, 2], (3, 4))
    with pytest.raises(ValueError, match="same paths"):
        tree.assert_same_paths({"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match="at least one"):
        tree.map_structure(lambda x: x)
    with pytest.raises(ValueError, match="2 leaves"):
        tree.pack_sequence_as([1, 2], [1])
    with pytest.raises(TypeError, match="callable"):
        tree.traverse(3, [1])


def test_dicts_sorted_at_every_depth():
    # Keras's optree implementation (its documented semantics) sorts nested dicts too;
    # its torch-backend implementation leaves a dict inside a dict's value unsorted.
    s = {"x": (1, {"z": 2, "y": [3, 4]})}
    assert tree.flatten(s) == [1, 3, 4, 2]
    assert [p for p, _ in tree.flatten_with_path(s)] == [
        ("x", 0), ("x", 1, "y", 0), ("x", 1, "y", 1), ("x", 1, "z")]


def test_deep_structure_flattens_without_recursion_limit():
    s = 0
    for _ in range(5000):
        s = [s]
    assert tree.flatten(s) == [0]
