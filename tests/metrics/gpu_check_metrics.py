"""Device check (not a pytest file): every metric on CUDA, updated under
torch.cuda.set_sync_debug_mode("error"), must match the same metric on CPU."""
import sys
import time
import warnings

import numpy as np
import torch

import torchkeras as tk

M = tk.metrics
g = torch.Generator().manual_seed(0)


def U(*s):
    return torch.rand(*s, generator=g)


def B(*s):
    return (torch.rand(*s, generator=g) > 0.5).float()


def OH(n, c):
    return torch.eye(c)[torch.randint(0, c, (n,), generator=g)]


def I(n, c, shape=None):
    return torch.randint(0, c, shape or (n,), generator=g)


N = 64
CASES = [
    ("Mean", lambda: M.Mean(), lambda: (U(N, 3),), U(N)),
    ("Sum", lambda: M.Sum(), lambda: (U(N, 3),), U(N)),
    ("Accuracy", lambda: M.Accuracy(), lambda: (I(N, 3).float(), I(N, 3).float()), U(N)),
    ("BinaryAccuracy", lambda: M.BinaryAccuracy(), lambda: (B(N, 1), U(N, 1)), U(N)),
    ("CategoricalAccuracy", lambda: M.CategoricalAccuracy(), lambda: (OH(N, 5), U(N, 5)), U(N)),
    ("SparseCategoricalAccuracy", lambda: M.SparseCategoricalAccuracy(),
     lambda: (I(N, 5, (N, 1)), U(N, 5)), U(N)),
    ("TopK", lambda: M.TopKCategoricalAccuracy(k=2), lambda: (OH(N, 5), U(N, 5)), U(N)),
    ("SparseTopK", lambda: M.SparseTopKCategoricalAccuracy(k=2), lambda: (I(N, 5), U(N, 5)), U(N)),
    ("AUC", lambda: M.AUC(), lambda: (B(N, 3), U(N, 3)), U(N)),
    ("AUC_PR_thr", lambda: M.AUC(curve="PR", thresholds=[0.1, 0.5, 0.3]), lambda: (B(N), U(N)), U(N)),
    ("AUC_multi", lambda: M.AUC(multi_label=True, label_weights=[1.0, 0.5, 2.0]),
     lambda: (B(N, 3), U(N, 3)), U(N)),
    ("AUC_logits", lambda: M.AUC(from_logits=True), lambda: (B(N), torch.randn(N, generator=g)), U(N)),
    ("Precision", lambda: M.Precision(thresholds=[0.2, 0.5, 0.9]), lambda: (B(N, 4), U(N, 4)), U(N)),
    ("Precision_topk", lambda: M.Precision(top_k=2, class_id=1), lambda: (B(N, 4), U(N, 4)), U(N)),
    ("Recall", lambda: M.Recall(), lambda: (B(N), U(N)), U(N)),
    ("TP", lambda: M.TruePositives(thresholds=[0.0, 0.5, 1.0]), lambda: (B(N), U(N)), U(N)),
    ("TN", lambda: M.TrueNegatives(), lambda: (B(N), U(N)), U(N)),
    ("FP", lambda: M.FalsePositives(), lambda: (B(N), U(N)), U(N)),
    ("FN", lambda: M.FalseNegatives(), lambda: (B(N), U(N)), U(N)),
    ("SensAtSpec", lambda: M.SensitivityAtSpecificity(0.5), lambda: (B(N), U(N)), U(N)),
    ("SpecAtSens", lambda: M.SpecificityAtSensitivity(0.5), lambda: (B(N), U(N)), U(N)),
    ("PrecAtRec", lambda: M.PrecisionAtRecall(0.5), lambda: (B(N), U(N)), U(N)),
    ("RecAtPrec", lambda: M.RecallAtPrecision(0.5), lambda: (B(N), U(N)), U(N)),
    ("F1", lambda: M.F1Score(average="macro"), lambda: (B(N, 4), U(N, 4)), U(N)),
    ("FBeta", lambda: M.FBetaScore(beta=2.0, threshold=0.5), lambda: (B(N, 4), U(N, 4)), U(N)),
    ("IoU", lambda: M.IoU(4, [0, 2]), lambda: (I(N, 4), I(N, 4)), None),
    ("MeanIoU", lambda: M.MeanIoU(4, dtype="float32"), lambda: (I(N, 4), I(N, 4)), U(N)),
    ("BinaryIoU", lambda: M.BinaryIoU(), lambda: (I(N, 2), U(N)), I(N, 3).int()),
    ("OneHotIoU", lambda: M.OneHotIoU(3, [1]), lambda: (OH(N, 3), U(N, 3)), None),
    ("OneHotMeanIoU", lambda: M.OneHotMeanIoU(3), lambda: (OH(N, 3), U(N, 3)), None),
    ("BCE", lambda: M.BinaryCrossentropy(), lambda: (B(N, 3), U(N, 3) * 0.98 + 0.01), U(N)),
    ("CCE", lambda: M.CategoricalCrossentropy(from_logits=True), lambda: (OH(N, 5), U(N, 5)), U(N)),
    ("SCCE", lambda: M.SparseCategoricalCrossentropy(), lambda: (I(N, 5), U(N, 5) + 0.01), U(N)),
    ("KLD", lambda: M.KLDivergence(), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("Poisson", lambda: M.Poisson(), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("Hinge", lambda: M.Hinge(), lambda: (B(N, 3), U(N, 3)), U(N)),
    ("SquaredHinge", lambda: M.SquaredHinge(), lambda: (B(N, 3), U(N, 3)), U(N)),
    ("CategoricalHinge", lambda: M.CategoricalHinge(), lambda: (OH(N, 3), U(N, 3)), U(N)),
    ("MSE", lambda: M.MeanSquaredError(), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("MAE", lambda: M.MeanAbsoluteError(), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("MAPE", lambda: M.MeanAbsolutePercentageError(), lambda: (U(N, 3) + 0.1, U(N, 3)), U(N)),
    ("MSLE", lambda: M.MeanSquaredLogarithmicError(), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("RMSE", lambda: M.RootMeanSquaredError(), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("Cosine", lambda: M.CosineSimilarity(), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("LogCosh", lambda: M.LogCoshError(), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("R2", lambda: M.R2Score(num_regressors=2), lambda: (U(N, 3), U(N, 3)), U(N)),
    ("Pearson", lambda: M.PearsonCorrelation(), lambda: (U(N, 5), U(N, 5)), U(N)),
    ("Concordance", lambda: M.ConcordanceCorrelation(), lambda: (U(N, 5), U(N, 5)), U(N)),
]

fails = 0
dev = torch.device("cuda")
for name, ctor, make, sw in CASES:
    cpu, gpu = ctor().to("cpu"), ctor().to(dev)
    try:
        for step in range(3):
            args = make()
            w = sw if step > 0 else None
            kw = {} if w is None else {"sample_weight": w}
            cpu.update_state(*args, **kw)
            gargs = [a.to(dev) for a in args]
            gkw = {k: v.to(dev) for k, v in kw.items()}
            torch.cuda.synchronize()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.cuda.set_sync_debug_mode("error")
                try:
                    gpu.update_state(*gargs, **gkw)
                    res = gpu.result()
                finally:
                    torch.cuda.set_sync_debug_mode("default")
            assert all(v.device.type == "cuda" for v in gpu.variables), "state left CUDA"
            np.testing.assert_allclose(res.cpu().numpy(), cpu.result().numpy(), rtol=2e-5,
                                       atol=1e-6)
        torch.cuda.set_sync_debug_mode("error")
        try:
            gpu.reset_state()
        finally:
            torch.cuda.set_sync_debug_mode("default")
        print("ok  ", name)
    except Exception as e:  # report every failure, not only the first
        fails += 1
        print("FAIL", name, type(e).__name__, str(e)[:300])

# Default device: a metric built without .to() lives on CUDA.
assert tk.metrics.Mean().total.device.type == "cuda"

# Host overhead per update on CUDA (tensors already on the device).
loss = torch.tensor(0.5, device=dev)
mean = M.Mean().to(dev)
prec, acc = M.Precision().to(dev), M.SparseCategoricalAccuracy().to(dev)
auc = M.AUC().to(dev)
y, p = torch.randint(0, 10, (256,), device=dev), torch.rand(256, 10, device=dev)
yb, pb = (torch.rand(256, device=dev) > 0.5).float(), torch.rand(256, device=dev)
for label, fn in [("Mean.update_state(0-d)", lambda: mean.update_state(loss)),
                  ("Mean._update_fast", lambda: mean._update_fast(loss, 256)),
                  ("SparseCategoricalAccuracy", lambda: acc.update_state(y, p)),
                  ("Precision", lambda: prec.update_state(yb, pb)),
                  ("AUC(200)", lambda: auc.update_state(yb, pb))]:
    for _ in range(20):
        fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(500):
        fn()
    torch.cuda.synchronize()
    print("%-28s %7.1f us/update" % (label, (time.perf_counter() - t) / 500 * 1e6))
print("FAILURES:", fails)
sys.exit(1 if fails else 0)
