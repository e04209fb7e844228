"""Memory: the estimate made from a spec before building, the budget check, evaluation in
chunks bounded by the widest layers, and the copies the trainer keeps. Peak memory is
measured in subprocesses (their peak resident set size), never by timing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import playground.nn as nn
from playground.nn import memory
from playground.nn.memory import (
    DEFAULT_BUDGET,
    EVAL_CHUNK_BYTES,
    check_training_memory,
    estimate_training_memory,
)

ROOT = Path(__file__).resolve().parents[2]
MB = 1_000_000
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc/self/status")


def wide(units: int, input_shape=(28, 28), hidden="Sigmoid") -> dict:
    return {"input": list(input_shape), "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": units}, {"type": hidden},
        {"type": "Dense", "units": 10}, {"type": "Sigmoid"}]}


# ---------------------------------------------------------------- the estimate

def test_the_estimate_counts_each_part():
    spec = wide(1000)
    params = 785 * 1000 + 1001 * 10
    sgd = estimate_training_memory(spec, 10)
    assert sgd.parameters == sgd.gradients == sgd.copies == 4 * params
    largest = 4 * 784 * 1000  # plain SGD's one temporary, lr * g, of the largest array
    assert sgd.optimizer_state == 0 and sgd.optimizer_temporaries == largest
    row = 4 * (784 + 1000 + 1000 + 10 + 10)  # the input as floats and each layer's output
    assert sgd.activations == 2 * 10 * row
    assert sgd.evaluation == 2 * memory.eval_chunk_rows(row) * row <= EVAL_CHUNK_BYTES
    assert sgd.data == 50_000 * 785
    momentum = estimate_training_memory(spec, 10, "momentum")
    adam = estimate_training_memory(spec, 10, "adam")
    # momentum: velocity and scratch; Adam: two moments and scratch; they step in place
    assert momentum.optimizer_state == 8 * params and adam.optimizer_state == 12 * params
    assert momentum.optimizer_temporaries == adam.optimizer_temporaries == 0
    assert estimate_training_memory(spec, 100).activations == 10 * sgd.activations
    assert estimate_training_memory(spec, 10, snapshots=2).copies == 3 * sgd.copies
    # a step and an evaluation chunk do not happen at once
    assert sgd.total == (sgd.parameters + sgd.gradients + sgd.copies + sgd.data
                         + max(sgd.activations, sgd.evaluation))
    big_batch = estimate_training_memory(spec, 10_000, "adam")
    assert big_batch.activations > big_batch.evaluation
    assert big_batch.total == (big_batch.parameters * 6 + big_batch.data
                               + big_batch.activations + big_batch.optimizer_temporaries)
    assert sgd.describe().startswith("about ")


def test_the_estimate_is_made_without_building_the_network(monkeypatch):
    def no_building(*args, **kwargs):
        raise AssertionError("the network was built")

    monkeypatch.setattr(nn.Dense, "build", no_building)
    monkeypatch.setattr(nn.Network, "__init__", no_building)
    assert estimate_training_memory(wide(60_000), 128, "adam").total > 1e9


def test_bad_input_to_the_estimate():
    with pytest.raises(nn.SpecError):
        estimate_training_memory({"layers": []}, 10)
    with pytest.raises(ValueError, match="unknown optimizer"):
        estimate_training_memory(wide(10), 10, "rmsprop")
    # the check leaves such problems to the checks that name them
    assert check_training_memory({"layers": []}, 10) is None
    assert check_training_memory(wide(10), 10, "rmsprop") is None


# ---------------------------------------------------------------- the budget check

def test_an_allowed_wide_network_fits_the_budget():
    assert check_training_memory(wide(60_000), 10) is None
    assert check_training_memory(wide(60_000), 128, "adam") is None
    assert check_training_memory(nn.preset("seed")["spec"], 10) is None


def test_an_oversize_network_is_refused_with_one_line():
    message = check_training_memory(wide(60_000), 2000, "adam")
    assert message is not None and "\n" not in message
    m = re.fullmatch(r"this network would need about (\d+\.\d) GB to train at batch size "
                     r"2,000 \(the limit is 2\.0 GB\): use (.+)", message)
    assert m, message
    need = estimate_training_memory(wide(60_000), 2000, "adam").total
    assert float(m.group(1)) == pytest.approx(need / 1e9, abs=0.05) and need > DEFAULT_BUDGET
    assert "a smaller batch" in m.group(2) and "fewer units" in m.group(2)
    assert "plain SGD" in m.group(2)


def test_the_budget_is_an_argument():
    spec = nn.preset("seed")["spec"]
    need = estimate_training_memory(spec, 10).total
    assert check_training_memory(spec, 10, budget=need) is None
    message = check_training_memory(spec, 10, budget=need - 1)
    assert message.startswith("this network would need about ") and "fewer units" in message


# ---------------------------------------------------------------- evaluation in chunks

def test_evaluation_chunks_follow_the_width_of_the_layers():
    seed = nn.Model.create(nn.preset("seed")["spec"]).network
    assert seed.eval_rows == memory.MAX_EVAL_ROWS  # small networks: as before
    net = nn.Network(wide(60_000, input_shape=(4,), hidden="ReLU"))
    row = memory.activation_row_bytes((4,), [("Flatten", (4,)), ("Dense", (60_000,)),
                                             ("ReLU", (60_000,)), ("Dense", (10,)),
                                             ("Sigmoid", (10,))])
    assert net.eval_rows == EVAL_CHUNK_BYTES // (2 * row) < 300
    x = np.random.default_rng(0).integers(0, 256, (700, 4), dtype=np.uint8)
    chunked = net.predict_proba(x)
    whole = net.predict_proba(x, batch_size=700)
    np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-6)
    assert chunked.shape == (700, 10) and chunked.dtype == np.float32


def test_training_evaluates_in_chunks_and_keeps_one_copy(monkeypatch):
    """The start, the reports and the epoch's end never run more than ``eval_rows``
    images through a wide network at once, and the trainer copies the weights once
    (not at every report)."""
    rng = np.random.default_rng(1)
    shape = (4,)

    def images(n):
        return rng.integers(0, 256, (n, *shape), dtype=np.uint8), rng.integers(0, 10, n)

    data = type("Data", (), {})()
    data.train_x, data.train_y = images(40)
    data.val_x, data.val_y = images(1000)
    data.test_x, data.test_y = images(1000)
    model = nn.Model.create(wide(20_000, input_shape=shape), {"batch_size": 4, "lr": 0.01})
    net = model.network
    rows, copies = [], []
    forward, get_weights = net.forward, net.get_weights
    monkeypatch.setattr(net, "forward",
                        lambda x, train=False: rows.append(len(x)) or forward(x, train))
    monkeypatch.setattr(net, "get_weights", lambda: copies.append(1) or get_weights())
    result = nn.Trainer(model, data).run(2, reports_per_epoch=10, validate_reports=True,
                                         val_sample=1000)
    assert result.status == "finished"
    assert max(rows) == net.eval_rows < 1000
    assert len(copies) == 1


# ---------------------------------------------------------------- measured peaks

CHILD = textwrap.dedent("""
    import json, resource, sys, types
    import numpy as np
    import playground.nn as nn
    from playground.nn import memory

    page = resource.getpagesize()

    def statm(i):
        with open("/proc/self/statm") as f:
            return int(f.read().split()[i]) * page

    def peak():  # VmHWM: this process's own peak (ru_maxrss may be its parent's at fork)
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f
                        if line.startswith("VmHWM:"))

    a = json.loads(sys.argv[1])
    spec, shape = a["spec"], tuple(a["spec"]["input"])
    rng = np.random.default_rng(0)

    def images(n):
        return (rng.integers(0, 256, (n, *shape), dtype=np.uint8),
                rng.integers(0, 10, n).astype(np.uint8))

    data = types.SimpleNamespace()
    data.train_x, data.train_y = images(a["train"])
    data.val_x, data.val_y = images(a["val"])
    data.test_x, data.test_y = images(a["test"])
    estimate = memory.estimate_training_memory(spec, a["batch"], a["optimizer"],
                                               train_size=a["train"]).total
    if a["limit"]:  # no more address space than the budget beyond what is mapped now
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (statm(0) + a["limit"], hard))
    before = statm(1)
    try:
        model = nn.Model.create(spec, {"batch_size": a["batch"], "optimizer": a["optimizer"],
                                       "lr": 0.01})
        result = nn.Trainer(model, data).run(1)
        status = result.status
    except MemoryError as e:
        status = f"MemoryError: {e}"
    print(json.dumps({"status": status, "used": peak() - before, "estimate": estimate}))
""")


def measure(spec, *, batch=10, optimizer="sgd", train=10, val=0, test=0, limit=0) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1"}
    args = {"spec": spec, "batch": batch, "optimizer": optimizer, "train": train,
            "val": val, "test": test, "limit": limit}
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@linux_only
@pytest.mark.parametrize("units,optimizer,batch,val", [
    (20_000, "sgd", 10, 800),  # weights first
    (20_000, "adam", 10, 800),  # Adam's two moments and its temporaries
    (1_000, "momentum", 4000, 10_000),  # activations first
    (60_000, "sgd", 10, 300),  # the widest allowed layer
])
def test_the_estimate_is_close_to_the_measured_peak(units, optimizer, batch, val):
    m = measure(wide(units), batch=batch, optimizer=optimizer, train=batch, val=val)
    assert m["status"] == "finished"
    ratio = m["used"] / m["estimate"]
    print(f"{units} {optimizer} batch {batch}: used {m['used'] / MB:.0f} MB, "
          f"estimated {m['estimate'] / MB:.0f} MB")
    assert 0.5 < ratio < 1.5, f"used {m['used'] / MB:.0f} MB, estimated {m['estimate'] / MB:.0f} MB"


@linux_only
def test_a_60000_unit_layer_evaluates_10000_images_within_the_budget():
    """784-60000-10's evaluation used to put 10,000 x 60,000 activations (2.4 GB) in
    memory, two or three times over: "Unable to allocate 2.24 GiB". The same layer over
    8 inputs costs the same activations and trains in a moment."""
    m = measure(wide(60_000, input_shape=(8,)), train=10, val=10_000, test=10_000,
                limit=DEFAULT_BUDGET)
    assert m["status"] == "finished"
    print(f"used {m['used'] / MB:.0f} MB, estimated {m['estimate'] / MB:.0f} MB")
    assert m["used"] < min(DEFAULT_BUDGET, 1.5 * m["estimate"])
