"""The training memory budget: 2 GB by default, NN_PLAYGROUND_MEMORY_GB or the CLI's
--memory-budget to change it; a bad value is named, never a crash."""

import subprocess
import sys
from pathlib import Path

import pytest

from playground import nn
from playground.nn.memory import BUDGET_ENV, DEFAULT_BUDGET, GB, configured_budget

ROOT = Path(__file__).resolve().parents[2]
MODERN = nn.preset("modern")["spec"]


def test_the_default_and_the_variable():
    assert configured_budget({}) == (DEFAULT_BUDGET, None)
    assert configured_budget({BUDGET_ENV: "4"}) == (4 * GB, None)
    assert configured_budget({BUDGET_ENV: "0,5"}) == (GB // 2, None)
    for bad in ("abc", "0", "-1", "1e9", "nan"):
        budget, problem = configured_budget({BUDGET_ENV: bad})
        assert budget == DEFAULT_BUDGET
        assert problem.startswith(f"{BUDGET_ENV}={bad}: the memory budget must be 0.1 to")


def test_the_check_follows_the_variable(monkeypatch):
    """Modern at batch 10,000 needs about 205 MB: within 2 GB, over 0.15 GB."""
    assert nn.check_training_memory(MODERN, 10_000, "adam") is None
    monkeypatch.setenv(BUDGET_ENV, "0.15")
    message = nn.check_training_memory(MODERN, 10_000, "adam")
    assert message and "(the limit is 150 MB)" in message
    assert nn.check_training_memory(MODERN, 10_000, "adam", budget=DEFAULT_BUDGET) is None


def cli(*args, env=None):
    import os

    return subprocess.run([sys.executable, str(ROOT / "main.py"), "train", *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("args", "env", "message"), [
    (("--preset", "modern", "--batch-size", "10000", "--memory-budget", "0.15"), None,
     "(the limit is 150 MB)"),
    (("--memory-budget", "0.01"), None, "memory budget (GB) must be a number from 0.1"),
    (("--limit", "100"), {BUDGET_ENV: "lots"}, f"{BUDGET_ENV}=lots: the memory budget"),
])
def test_the_cli_refuses_in_one_line(args, env, message):
    done = cli(*args, env=env)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
