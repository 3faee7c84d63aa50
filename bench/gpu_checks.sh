#!/usr/bin/env bash
# The GPU session's checks in one go (a lent CUDA machine, no internet). Results land in
# $OUT (default ./gpu_out): the CUDA-only tests, the compiled (CUDA-graph) step's tests, the
# fit-vs-raw training curves and the airbench94 timing (eager and CUDA graphs) of
# bench/gpu_cifar.py,
# and the whole test suite with CUDA as the default device. Each step has its own time limit
# so that one hang cannot eat the others.
#
#     OUT=/tmp/gpu bash bench/gpu_checks.sh [cifar_runs]
set -u
OUT=${OUT:-gpu_out}
RUNS=${1:-3}
PY=${PY:-python3}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" KERAS_BACKEND=torch PYTHONDONTWRITEBYTECODE=1
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  $PY -c "import torch, sys; print(sys.version.split()[0], torch.__version__, torch.version.cuda, torch.backends.cudnn.version())"
} >"$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

echo "== CUDA-only tests"
timeout 150 $PY -m pytest -q -p no:cacheprovider -rs \
  tests/trainers/test_cuda_sync.py tests/layers/rnn/test_cuda.py \
  tests/layers/convolutional/test_nc_views.py tests/models/test_direct_calls.py \
  tests/layers/normalization/test_cuda_layers.py tests/losses/test_fast_paths.py \
  tests/optimizers/test_optimizer_state.py >"$OUT/cuda_tests.txt" 2>&1
echo "rc=$?" >>"$OUT/cuda_tests.txt"
tail -n 25 "$OUT/cuda_tests.txt"

echo "== compiled training step (jit_compile='reduce-overhead': CUDA graphs)"
timeout 120 $PY -m pytest -q -p no:cacheprovider -rs tests/trainers/test_compiled_forward.py \
  >"$OUT/compiled_step.txt" 2>&1
echo "rc=$?" >>"$OUT/compiled_step.txt"
tail -n 5 "$OUT/compiled_step.txt"

echo "== bench/gpu_cifar.py --curves (fit vs the raw loop, same start, per epoch)"
timeout 120 $PY bench/gpu_cifar.py --curves --json "$OUT/gpu_curves.json" \
  >"$OUT/gpu_curves.txt" 2>&1
echo "rc=$?" >>"$OUT/gpu_curves.txt"
tail -n 16 "$OUT/gpu_curves.txt"

# images/s of fit eager and fit with CUDA graphs, each against the raw eager loop
echo "== bench/gpu_cifar.py --runs $RUNS --graphs"
timeout 300 $PY bench/gpu_cifar.py --runs "$RUNS" --graphs --json "$OUT/gpu_cifar.json" \
  >"$OUT/gpu_cifar.txt" 2>&1
echo "rc=$?" >>"$OUT/gpu_cifar.txt"
tail -n 15 "$OUT/gpu_cifar.txt"

echo "== whole suite, CUDA as the default device"
TORCHKERAS_DEVICE=cuda timeout 170 $PY -m pytest -q -p no:cacheprovider -n 8 \
  --timeout 120 tests >"$OUT/suite_cuda.txt" 2>&1
echo "rc=$?" >>"$OUT/suite_cuda.txt"
grep -E "^(FAILED|ERROR)" "$OUT/suite_cuda.txt" | head -n 60
tail -n 3 "$OUT/suite_cuda.txt"
