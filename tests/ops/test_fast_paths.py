"""The eager fast paths of ``torchkeras.ops`` give the same results as the general paths."""
import numpy as np
import pytest
import torch

from torchkeras import ops
from torchkeras.layers.keras_tensor import KerasTensor
from torchkeras.ops.fast_paths import constant_pads, dispatch, reversed_axes, same_dtype


def test_dispatch_takes_slow_path_only_for_non_leaves():
    seen = []

    def slow(args, kwargs):
        seen.append((args, kwargs))
        return "slow"

    op = dispatch(lambda *a, **k: "fast", slow)
    t = torch.ones(2)
    assert op(t, (1, 2), axis=-1) == "fast"
    assert op([t, t], None) == "fast"
    assert seen == []
    assert op([[t]]) == "slow"          # nested list: scanned by the slow path
    assert op(t, axis=(0,)) == "slow"   # tuple keyword value
    assert op(np.ones(2)) == "slow"
    assert len(seen) == 3


def test_keras_tensor_in_a_list_still_builds_a_graph_node():
    kt = KerasTensor((None, 3), dtype="float32")
    out = ops.concatenate([kt, kt], axis=-1)
    assert isinstance(out, KerasTensor)
    assert tuple(out.shape) == (None, 6)


def test_helpers():
    assert reversed_axes(3) == (2, 1, 0)
    assert reversed_axes(0) == ()
    assert same_dtype([torch.ones(1), torch.zeros(2)])
    assert not same_dtype([torch.ones(1), torch.zeros(2, dtype=torch.int32)])
    assert not same_dtype([torch.ones(1), 1.0])
    assert not same_dtype([])
    assert constant_pads(((1, 2), (3, 4)), 2) == [3, 4, 1, 2]
    assert constant_pads(((1, 2),), 2) is None
    assert constant_pads([[1, 2], [3, 4]], 2) is None
    assert constant_pads(((1, 2.0), (3, 4)), 2) is None


def test_pad_fast_and_general_paths_agree():
    x = torch.arange(6.0).reshape(2, 3)
    fast = ops.pad(x, ((1, 0), (0, 2)), constant_values=7.0)
    general = ops.pad(x, [[1, 0], [0, 2]], constant_values=7.0)
    expected = np.pad(x.numpy(), ((1, 0), (0, 2)), constant_values=7.0)
    np.testing.assert_array_equal(fast.numpy(), expected)
    np.testing.assert_array_equal(general.numpy(), expected)


def test_concatenate_and_stack_mixed_and_same_dtypes():
    a = torch.ones(2, dtype=torch.int32)
    b = torch.full((2,), 0.5)
    assert ops.concatenate([a, b]).dtype == torch.float32
    assert ops.concatenate([a, a]).dtype == torch.int32
    assert ops.stack((b, b), axis=1).shape == (2, 2)
    np.testing.assert_array_equal(ops.concatenate([a, a], axis=None).numpy(), [1, 1, 1, 1])


def test_sum_dtypes():
    assert ops.sum(torch.ones(3, dtype=torch.float16)).dtype == torch.float16
    assert ops.sum(torch.ones(3, dtype=torch.int8)).dtype == torch.int32
    assert ops.sum(torch.ones(2, 3, dtype=torch.int64), axis=1).tolist() == [3, 3]


def test_take_negative_and_nd_indices():
    x = torch.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(ops.take(x, torch.tensor([-1, 0]), axis=0).numpy(),
                                  x.numpy()[[-1, 0]])
    idx = torch.tensor([[0, -1], [1, 2]])
    np.testing.assert_array_equal(ops.take(x, idx, axis=-1).numpy(),
                                  np.take(x.numpy(), idx.numpy(), axis=-1))


@pytest.mark.parametrize("dtype", ["float32", "int32", "bool"])
def test_one_hot_out_of_range_ids_are_zero_rows(dtype):
    y = ops.one_hot(torch.tensor([2, -1, 3, 0], dtype=torch.int32), 3, dtype=dtype)
    expected = np.array([[0, 0, 1], [0, 0, 0], [0, 0, 0], [1, 0, 0]])
    assert str(y.dtype) == "torch." + dtype
    np.testing.assert_array_equal(y.numpy().astype(int), expected)
    np.testing.assert_array_equal(ops.one_hot(torch.tensor([1, 0]), 2, axis=0).numpy(),
                                  [[0, 1], [1, 0]])
