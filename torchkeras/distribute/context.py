"""The process group: initialised from torchrun's environment, queried by the loops."""
from __future__ import annotations

import atexit
import datetime
import os

import torch
import torch.distributed as dist

_DEFAULT_TIMEOUT_S = 300.0


def launched_by_torchrun() -> bool:
    """torchrun (or any launcher) set RANK/WORLD_SIZE for more than one process."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1 and "RANK" in os.environ


def initialize(backend: str | None = None, timeout_s: float | None = None) -> bool:
    """Initialises ``torch.distributed`` from torchrun's environment (idempotent).

    Args:
        backend: ``"nccl"`` on CUDA, ``"gloo"`` on CPU by default.
        timeout_s: Collective timeout in seconds (``TORCHKERAS_DIST_TIMEOUT``, default
            300): a rank that never arrives makes the others fail instead of hanging.

    Returns:
        True when a process group with more than one rank is active.

    Example:
        >>> # torchrun --nproc_per_node=2 train.py
        >>> torchkeras.distribute.initialize()
    """
    if not dist.is_available():
        return False
    if dist.is_initialized():
        return dist.get_world_size() > 1
    if not launched_by_torchrun():
        return False
    timeout_s = float(timeout_s or os.environ.get("TORCHKERAS_DIST_TIMEOUT", _DEFAULT_TIMEOUT_S))
    use_cuda = torch.cuda.is_available() and os.environ.get("TORCHKERAS_DEVICE", "cuda") != "cpu"
    backend = backend or ("nccl" if use_cuda else "gloo")
    if use_cuda:
        torch.cuda.set_device(local_rank())
    try:
        dist.init_process_group(backend=backend, timeout=datetime.timedelta(seconds=timeout_s))
    except Exception as e:
        raise RuntimeError(
            "Could not join the torch.distributed process group (rank %s of WORLD_SIZE=%s, "
            "MASTER_ADDR=%s:%s, backend %s): %s. Check that every process was launched with "
            "the same --nproc_per_node/--nnodes and that the rendezvous address is reachable."
            % (os.environ.get("RANK"), os.environ.get("WORLD_SIZE"),
               os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT"), backend, e)) from e
    atexit.register(_shutdown)
    return dist.get_world_size() > 1


def _shutdown() -> None:
    # A process group left alive at interpreter exit can abort the process (gloo/nccl
    # threads still running); tear it down cleanly once every rank is done.
    if dist.is_available() and dist.is_initialized():
        try:
            dist.barrier()
        finally:
            dist.destroy_process_group()


def is_distributed() -> bool:
    """True inside an initialised process group of more than one rank."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def is_chief() -> bool:
    """Rank 0 (or a single process): the one that prints and writes files."""
    return rank() == 0


def barrier() -> None:
    if is_distributed():
        dist.barrier()


def shared_seed() -> int:
    """Rank 0's torch seed, known to every rank: the data order of a distributed run.

    It is torch's initial seed (what ``set_random_seed`` set), so a restarted script
    that seeds the same way shuffles the same way (``BackupAndRestore`` resumes exactly);
    no random numbers are consumed.
    """
    seed = torch.tensor([torch.initial_seed() % (2 ** 31 - 1)], dtype=torch.int64)
    if is_distributed():
        seed = seed.to(_collective_device())
        dist.broadcast(seed, src=0)
    return int(seed.item())


def _collective_device() -> torch.device:
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")
