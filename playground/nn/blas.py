"""How many BLAS threads a training run uses.

A multi-layer perceptron's products are small below ``SMALL_BATCH`` rows: starting and
waiting for threads costs more than splitting the work saves, so one thread is fastest
(benchmarks/bench_train.py); larger batches use the machine's cores.

A network with convolutions has large im2col products at any batch size (a row per
output pixel), so sharing them between the cores can pay even at batch 10, but only
while the other cores are free: when another program keeps one busy, a product split
in two waits for its slower half, and a step can take several times as long as on one
thread (benchmarks/bench_conv.py). So such a run measures: it alternates one thread and
all of them over a few mini-batches (``TRIAL_BLOCKS`` blocks of ``BLOCK`` batches each),
keeps the faster, and measures again every ``RECHECK_SECONDS`` of training, as the
machine's load changes. A measurement starts with one thread and stops at the first
mini-batch on all of them that is ``GIVE_UP`` times slower.

On one BLAS thread the other cores are not idle: a convolution splits a large batch's
blocks of samples between ``block_workers()`` Python threads (its copies, adds and
products release the interpreter's lock), one per core, so the total stays one thread
per core. So a measurement tries three ways (``choices``: (BLAS threads, block workers)):
one thread for everything; one BLAS thread and a block worker per core; a BLAS thread
per core and the blocks one after another.
"""

from __future__ import annotations

import atexit
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

SMALL_BATCH = 256  # below it, a network without convolutions trains on one BLAS thread
BLOCK = 3  # mini-batches in a row on the same threads while measuring
TRIAL_BLOCKS = 3  # blocks per thread count in one measurement
WARM_UP = 2  # the first mini-batches of a run, not measured (work arrays being made)
RECHECK_SECONDS = 15.0  # training time between two measurements
# a mini-batch on all the cores this many times slower than on one ends the measurement
# (while another program holds a core, a shared product can take ten times as long)
GIVE_UP = 1.5


_workers = 1  # the Python threads a convolution's blocks of samples are split between
_executor: ThreadPoolExecutor | None = None
_executor_size = 0
_executor_lock = threading.Lock()


def block_workers() -> int:
    """How many threads a convolution splits its blocks of samples between now."""
    return _workers


def set_block_workers(workers: int) -> None:
    global _workers
    _workers = max(1, int(workers))


def run_parallel(tasks):
    """Run the callables ``tasks`` at the same time, the first on this thread and the
    others on kept helper threads; their results, in order."""
    global _executor, _executor_size
    if len(tasks) <= 1:
        return [task() for task in tasks]
    with _executor_lock:
        if _executor is None or _executor_size < len(tasks) - 1:
            if _executor is not None:
                _executor.shutdown(wait=False)
            _executor_size = len(tasks) - 1
            _executor = ThreadPoolExecutor(_executor_size, thread_name_prefix="conv-blocks")
        executor = _executor
    futures = [executor.submit(task) for task in tasks[1:]]
    try:
        first = tasks[0]()
    finally:
        rest = [future.result() for future in futures]
    return [first, *rest]


@atexit.register
def shutdown_workers() -> None:
    """Stop the helper threads (they start again when next needed)."""
    global _executor
    with _executor_lock:
        if _executor is not None:
            _executor.shutdown(wait=True)
            _executor = None


def has_convolutions(network) -> bool:
    from .conv import Conv2D

    return any(isinstance(layer, Conv2D) for layer in network.layers)


def blas_threads_for(network, batch_size: int) -> int | None:
    """The fixed BLAS threads for ``network`` at ``batch_size`` (None: the machine's
    cores); a network with convolutions measures instead (``thread_policy``)."""
    return 1 if batch_size < SMALL_BATCH else None


def _blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries ([] without them)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - optional speed-up
        return []
    return list(ThreadpoolController().select(user_api="blas").lib_controllers)


class FixedThreads:
    """A run on a fixed number of BLAS threads (None: leave them as they are)."""

    def __init__(self, threads: int | None):
        self.threads = threads
        self._libraries, self._before = [], []

    def __enter__(self):
        if self.threads is not None:
            self._libraries = _blas_libraries()
            self._before = [lib.num_threads for lib in self._libraries]
            for lib in self._libraries:
                lib.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc):
        for lib, n in zip(self._libraries, self._before, strict=True):
            lib.set_num_threads(n)
        set_block_workers(1)
        return False

    def step(self, run_step):
        """Run one mini-batch (``run_step()``) and return what it returns."""
        return run_step()


class MeasuredThreads(FixedThreads):
    """One thread, or the machine's cores for BLAS or for the blocks of samples,
    whichever trains the mini-batches faster now."""

    def __init__(self, clock=time.perf_counter):
        super().__init__(None)
        self._clock = clock
        self.choices: tuple[tuple[int, int], ...] = ()  # (BLAS threads, block workers)
        self.chosen: tuple[int, int] | None = None  # the choice in use after a measurement
        self.measurements = 0
        self._plan: list[tuple[int, int]] = []  # choices of the mini-batches to measure
        self._times: dict[tuple[int, int], list[float]] = {}
        self._skip = WARM_UP
        self._since = 0.0  # training seconds since the last measurement ended

    def __enter__(self):
        self._libraries = _blas_libraries()
        self._before = [lib.num_threads for lib in self._libraries]
        most = max(self._before, default=1)
        self.choices = ((1, 1), (1, most), (most, 1)) if most > 1 else ()
        if self.choices:
            self._start_measuring()
        return self

    def _set(self, choice: tuple[int, int]) -> None:
        threads, workers = choice
        for lib in self._libraries:
            if lib.num_threads != threads:
                lib.set_num_threads(threads)
        set_block_workers(workers)

    def _start_measuring(self) -> None:
        blocks = [c for _ in range(TRIAL_BLOCKS) for c in self.choices]
        self._plan = [c for c in blocks for _ in range(BLOCK)]
        self._times = {c: [] for c in self.choices}

    def step(self, run_step):
        if not self.choices:
            return run_step()
        measuring = self._skip == 0 and bool(self._plan)
        if measuring:
            self._set(self._plan[0])
        start = self._clock()
        out = run_step()
        seconds = self._clock() - start
        if self._skip:
            self._skip -= 1
        elif measuring:
            choice = self._plan.pop(0)
            self._times[choice].append(seconds)
            alone = self._times[self.choices[0]]
            if (choice != self.choices[0] and alone
                    and seconds > GIVE_UP * statistics.median(alone)):
                self._plan = []  # sharing is far slower now: not worth measuring on
            if not self._plan:
                self._decide()
        else:
            self._since += seconds
            if self._since >= RECHECK_SECONDS:
                self._start_measuring()
        return out

    def _decide(self) -> None:
        medians = {c: statistics.median(t) for c, t in self._times.items() if t}
        self.chosen = min(medians, key=lambda c: (medians[c], self.choices.index(c)))
        self._set(self.chosen)
        self.measurements += 1
        self._since = 0.0


def thread_policy(network, batch_size: int, fixed: int | None = None) -> FixedThreads:
    """The BLAS threads of a run: ``fixed`` when given, else measured for a network with
    convolutions, else ``blas_threads_for``. Enter it around the run and pass each
    mini-batch through its ``step``."""
    if fixed:
        return FixedThreads(fixed)
    if has_convolutions(network):
        return MeasuredThreads()
    return FixedThreads(blas_threads_for(network, batch_size))
