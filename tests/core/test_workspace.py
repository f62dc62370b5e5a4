"""Work buffers of a network's passes, and the products into them."""

import numpy as np
import pytest
import scipy.sparse as sp

from sknn.core.losses import get_loss
from sknn.core.network import Network
from sknn.core.workspace import column_major, matmul, work_buffers


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape", [(7, 1, 5), (7, 3, 5), (1, 4, 6), (7, 1, 1)])
def test_matmul_equals_numpy_for_every_layout(shape, order, dtype):
    """``matmul`` picks np.dot (outer products), BLAS on the transposes
    (column-major outputs) or plain matmul; each equals ``a @ w``, and the
    outer product exactly (one multiplication per entry)."""
    n, k, m = shape
    rng = np.random.default_rng(0)
    a, w = rng.normal(size=(n, k)).astype(dtype), rng.normal(size=(k, m)).astype(dtype)
    out = np.empty((n, m), dtype, order=order)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    got = matmul(a, w, out)
    assert got is out
    if k == 1:
        np.testing.assert_array_equal(out, a * w)
    else:
        np.testing.assert_allclose(out, a @ w, rtol=rtol)
    mixed = matmul(a.astype(np.float64), w, np.empty((n, m), dtype))
    np.testing.assert_allclose(mixed, a @ w, rtol=rtol)  # cast into out, as matmul
    dense = matmul(sp.csr_matrix(a), w, np.empty((n, m), dtype))
    np.testing.assert_allclose(dense, a @ w, rtol=rtol)


def test_column_major_stores_columns_contiguously():
    out = column_major(6, 3, np.float32)
    assert out.shape == (6, 3) and out.dtype == np.float32
    assert out.flags.f_contiguous and not out.flags.c_contiguous
    assert out[:4].strides[0] == out.itemsize  # a batch's leading rows too
    single = column_major(6, 1, np.float64)
    assert single.shape == (6, 1) and single.flags.c_contiguous


def _net(**options):
    loss = get_loss("squared_error")
    return Network([4, 5, 3, 2], ["relu", "tanh"], loss, np.float32, **options)


def test_work_buffers_have_one_entry_per_layer_and_none_where_unneeded():
    net = _net()
    work = work_buffers(net, 8, net._hooks)
    assert work["rows"] == 8 and work["ones"].shape == (8,)
    assert [z.shape for z in work["z"]] == [(8, 5), (8, 3), (8, 2)]
    assert [d.shape for d in work["delta"]] == [(8, 5), (8, 3), (8, 2)]
    assert work["p"].shape == (8, 2) and work["p"].flags.f_contiguous
    assert work["z"][-1].flags.f_contiguous and work["delta"][-1].flags.f_contiguous
    assert work["a"] == [None, None]  # relu and tanh overwrite z
    assert work["mask"] == work["dropped"] == [None, None]
    assert work["noise"] is None and work["norm"] == [None, None]
    assert work["wn"] == [None, None, None]
    arrays = [work["ones"], work["p"], *work["z"], *work["delta"]]
    assert all(a.dtype == np.float32 for a in arrays)


def test_work_buffers_for_dropout_noise_normalisation_and_weight_norm():
    net = _net(
        dropout=[0.0, 0.5],
        input_noise=0.1,
        normalization=[None, "batch"],
        norm_position="after",
        weight_norm=[True, False, True],
    )
    work = work_buffers(net, 6, net._hooks)
    assert work["mask"][0] is None and work["mask"][1].shape == (6, 3)
    assert work["dropped"][0] is None and work["dropped"][1].shape == (6, 3)
    assert work["noise"].shape == (6, 4)
    assert work["norm"][0] is None and work["norm"][1]["out"].shape == (6, 3)
    w0, norm0, tmp0 = work["wn"][0]
    assert w0.shape == tmp0.shape == (4, 5) and norm0.shape == (5,)
    assert work["wn"][1] is None and work["wn"][2][0].shape == (3, 2)
    assert not np.shares_memory(work["mask"][1], work["dropped"][1])
