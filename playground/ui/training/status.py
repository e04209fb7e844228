"""The Training tab's words and figures: progress texts, run clock, end-of-run statements.

Plain Python (no widgets), so every text can be checked on its own. One figure, one
meaning: the progress bar's percentage is the run's, the fill it shows; the epoch's own
progress is said in words ("40% through it") where it is said at all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ...nn.history import EpochRecord

STALE_STATUS = ("The network changed after training: the figures shown (in grey) were "
                "measured before the last change to the network, not on this one. Continue "
                "trains this network and measures it again.")


LOSS_TIPS = {
    "se": "Squared error: half the squared distance between the outputs and the one-hot "
          "target. The classic choice for sigmoid outputs.",
    "ce": "Cross-entropy: minus the log of the probability given to the right digit. "
          "Learns faster; needs a Softmax (or Sigmoid) output layer.",
}
OPTIMIZER_TIPS = {
    "sgd": "Plain stochastic gradient descent: each batch moves the weights against "
           "the gradient, scaled by the learning rate.",
    "momentum": "SGD with momentum: the steps keep some of their previous direction, "
                "which smooths and speeds up descent.",
    "adam": "Adam: a step size per weight, adapted from the gradients' running mean and "
            "variance. Use a small learning rate (about 0.001).",
}

CHANCE_LIMIT = 0.20  # an epoch's accuracy below this (ten digits: 10% is guessing) is stuck
STUCK_MIN_SAMPLES = 10_000  # ... once the network has seen this many images (not before:
# on a small training set a network that learns may still guess after its first epoch)


def format_lr(lr: float) -> str:
    """The learning rate as typed back: exact enough that reading it gives the same float."""
    return f"{lr:.12g}"


def parse_number(text: str):
    """The float in ``text`` (a decimal comma is fine), or the text itself if none."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return text


def stuck_warning(record: EpochRecord, model, spec: dict, hyper: dict) -> str | None:
    """A plain warning when an epoch ends with the accuracy near chance, or None."""
    accuracy = next((a for a in (record.test_accuracy, record.val_accuracy, record.accuracy)
                     if a is not None), None)
    if (accuracy is None or accuracy >= CHANCE_LIMIT or model is None
            or model.samples_seen < STUCK_MIN_SAMPLES):
        return None
    layers = spec.get("layers") or [{}]
    softmax_ce = hyper.get("loss") == "ce" and layers[-1].get("type") == "Softmax"
    hint = ("Try a smaller learning rate, or Reset weights to start again." if softmax_ce
            else "Try a smaller learning rate, or cross-entropy with a Softmax output.")
    return (f"Accuracy is near chance ({100 * accuracy:.1f}%): the network is not "
            f"learning. {hint}")


def augment_summary(settings: dict | None) -> str:
    """"augment: shift 2 px, rotate 10°, elastic", or "" when there is none."""
    s = settings or {}
    parts = []
    if s.get("shift"):
        parts.append(f"shift {int(s['shift'])} px")
    if s.get("rotate"):
        parts.append(f"rotate {s['rotate']:g}°")
    if s.get("zoom"):
        parts.append(f"zoom {100 * s['zoom']:g}%")
    if s.get("elastic"):
        parts.append("elastic" if s["elastic"] == 1 else f"elastic {s['elastic']:g}")
    if s.get("noise"):
        parts.append(f"noise {s['noise']:g}")
    return ("augment: " + ", ".join(parts)) if parts else ""


def format_duration(seconds: float) -> str:
    """0:07, 2:15, 1:02:03; "--" when unknown."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "--"
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


MEASURED_IMAGES = "the validation, test and training images"  # after each epoch


def bar_text(epoch: int, last_epoch: int, run_fraction: float) -> str:
    """The progress bar's text: the epoch under way and the run's percentage, which is
    what the bar's fill shows."""
    return f"Epoch {epoch} of {last_epoch} - {percent(run_fraction)}% of the run"


def percent(fraction: float) -> int:
    """Whole percent, rounded down (a run is not "100%" before it ends)."""
    return max(0, min(100, int(100 * fraction + 1e-9)))


def epochs_to_train(first: int, count: int) -> str:
    """"epoch 2" or "epochs 2-6"."""
    last = first + count - 1
    return f"epoch {first}" if count == 1 else f"epochs {first}-{last}"


def epoch_line(record: EpochRecord) -> str:
    """One log line per epoch: its test accuracy, the mean training loss (the loss the
    training minimised, averaged over the epoch's batches) and its training time."""
    parts = []
    if record.test_accuracy is not None:
        parts.append(f"test accuracy {100 * record.test_accuracy:.1f}%")
    if record.loss is not None:
        parts.append(f"mean training loss {record.loss:.3g}")
    if record.seconds is not None:
        parts.append(f"{record.seconds:.1f} s")
    epoch = "?" if record.epoch is None else record.epoch
    return f"Epoch {epoch}: " + ", ".join(parts)


def run_duration(training: float, paused: float) -> str:
    """"0:10 of training", or "0:10 of training (paused 0:19)" when the run was paused."""
    text = f"{format_duration(training)} of training"
    if paused >= 0.5:
        text += f" (paused {format_duration(paused)})"
    return text


def stopped_test_text(stop_accuracy: float | None, stop_images: int, test_images: int,
                      run_test: float | None, run_test_epoch: int | None,
                      before_first_epoch: bool, too_big: bool) -> str:
    """What a stop can say about the test accuracy, with the reason when it says none."""
    if stop_accuracy is not None:
        where = ("" if stop_images >= test_images
                 else f" (on {stop_images:,} of the {test_images:,} test images)")
        return f"test accuracy {100 * stop_accuracy:.1f}% with these weights{where}"
    if run_test is not None:
        return f"test accuracy {100 * run_test:.1f}% after epoch {run_test_epoch}"
    if not test_images:
        return "no test images to measure"
    why = ("the network is too big to measure right after a stop" if too_big
           else "the stopped weights could not be measured")
    if before_first_epoch:
        why = f"it stopped before its first epoch ended, and {why}"
    return (f"no test accuracy measured in this run ({why}); Continue or +1 epoch "
            f"measures it at the end of the next epoch")


def start_text(place, trained: bool, batch_size: int) -> str:
    """What a run that begins trains: "Training: 3 epochs of 50,000 images, batches of 10..."."""
    which = epochs_to_train(place.first_epoch, place.epochs)
    if trained:
        what = f"Continuing: {plural(place.epochs, 'more epoch')} ({which})"
    else:
        what = f"Training: {plural(place.epochs, 'epoch')}"
    return f"{what} of {place.train_size:,} images, batches of {batch_size}..."


def live_text(place, seen: int, epochs_reported: int, report,
              measured=None) -> str | None:
    """While training: the epoch under way and the last report's figures, or that an
    epoch's results are being measured (how far, from ``measured``, the latest
    ``Measuring``); None before the first report."""
    measuring = place.measuring(seen, epochs_reported)
    if measuring is not None:
        how_far = ("..." if measured is None or measured.epoch != measuring
                   else f": {percent(measured.fraction)}%")
        return f"Measuring epoch {measuring} on {MEASURED_IMAGES}{how_far}"
    if report is None:
        return None
    epoch = place.where(seen)[0]
    return (f"Training epoch {epoch} of {place.last_epoch}: running accuracy "
            f"{100 * report.accuracy:.1f}%, loss {report.loss:.3g}, lr {report.lr:g}")


def run_end_text(status: str, message: str, run, elapsed: str,
                 test_images: int) -> tuple[str, str, str, str]:
    """How a run ended, for the Training tab: (status text, "ok"/"warn"/"error", the
    progress bar's text, the log line). ``run`` is the ``TrainingController`` after the
    run; ``elapsed`` its duration as shown; an "error" is shown by ``message``."""
    stuck = f" {run.stuck}" if run.stuck else ""
    place = run.place
    if status == "finished" and getattr(run, "best", None) is not None:
        return _kept_best_text(message, run, elapsed, stuck)
    if status == "finished":
        test = (f"test accuracy {100 * run.run_test:.1f}%" if run.run_test is not None
                else "no test images to measure")
        return (f"Finished {plural(place.epochs, 'epoch')} in {elapsed}: {test}.{stuck}",
                "warn" if stuck else "ok", f"Done: epoch {place.last_epoch}",
                f"Finished: {test} after epoch {place.last_epoch}.")
    if status == "stopped":
        worker = run.last_worker
        test = stopped_test_text(
            worker.stop_test_accuracy, worker.stop_test_images, test_images, run.run_test,
            run.run_test_epoch, before_first_epoch=run.epochs_seen == 0,
            too_big=worker.stop_too_big)
        return (f"Stopped {run.place_text()} after {elapsed}: {test}. Continue goes on from "
                f"these weights.{stuck}", "warn", f"Stopped {run.place_text(True)}",
                f"Stopped {run.place_text()}: {test}.")
    if status == "diverged":
        text = message or "Training diverged; the last good weights were restored."
        if not text.lower().startswith("training diverged"):
            text = f"Training diverged: {text}"
        return text, "error", "Diverged", text
    message = message or "unknown error"
    return f"Training failed: {message}", "error", "Failed", f"Training failed: {message}"


def _kept_best_text(message: str, run, elapsed: str, stuck: str) -> tuple[str, str, str, str]:
    """A run with early stopping ended (``run.best`` is the epoch whose weights it kept):
    the trainer's message ("stopped early after epoch 7: ...; kept the weights of epoch 4
    (validation 91.20%)") and the test accuracy of the weights kept."""
    epoch = run.best[0]
    model = run.run_model
    record = next((r for r in (model.history if model is not None else ())
                   if r.epoch == epoch), None)
    test = (f"test accuracy {100 * record.test_accuracy:.1f}% with these weights"
            if record is not None and record.test_accuracy is not None
            else "no test images to measure")
    trained = plural(run.epochs_seen, "epoch")
    if message.startswith("finished; "):  # every epoch trained; the best one kept
        said = f"Finished {trained} in {elapsed}; {message.removeprefix('finished; ')}"
        text, bar = f"{said}, the best: {test}.", f"Done: epoch {_last_trained(run)}"
    else:  # "stopped early after epoch 7: ...; kept the weights of epoch 4 (...)"
        said = message[:1].upper() + message[1:]
        text = f"{said}: {test}. ({trained}, {elapsed}.)"
        bar = f"Stopped early: epoch {_last_trained(run)}"
    return text, "warn" if stuck else "ok", f"{bar}, kept epoch {epoch}", f"{said}: {test}."


def _last_trained(run) -> int:
    """The last epoch a run trained (an early stop ends before ``place.last_epoch``)."""
    return run.place.first_epoch + max(run.epochs_seen, 1) - 1


class RunClock:
    """Training time of a run: the time since Start, less the time spent paused."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self._clock = clock
        self._started = self._paused_since = None
        self._paused = 0.0

    def start(self) -> None:
        self._started = self._clock()
        self._paused, self._paused_since = 0.0, None

    def pause(self) -> None:
        if self._started is not None and self._paused_since is None:
            self._paused_since = self._clock()

    def resume(self) -> None:
        if self._paused_since is not None:
            self._paused += self._clock() - self._paused_since
            self._paused_since = None

    @property
    def paused(self) -> float:
        """Seconds spent paused (so far)."""
        now = self._clock()
        extra = now - self._paused_since if self._paused_since is not None else 0.0
        return self._paused + extra

    @property
    def training(self) -> float:
        """Seconds of training (not paused) since Start."""
        if self._started is None:
            return 0.0
        return max(0.0, self._clock() - self._started - self.paused)


class RunPlace:
    """Where a run stands, from the samples the model has seen: the epoch under way
    (numbered like the log's lines), how far through it, and how much of the run is done.

    ``first_epoch``: the run's first epoch; ``epochs``: how many it trains; ``train_size``:
    images per epoch; ``start_seen``: the model's ``samples_seen`` when it started.
    """

    def __init__(self, first_epoch: int = 1, epochs: int = 1, train_size: int = 1,
                 start_seen: int = 0):
        self.first_epoch, self.epochs = int(first_epoch), max(1, int(epochs))
        self.train_size, self.start_seen = max(1, int(train_size)), int(start_seen)

    @property
    def last_epoch(self) -> int:
        return self.first_epoch + self.epochs - 1

    @property
    def total(self) -> int:
        return self.train_size * self.epochs

    def done(self, samples_seen: int) -> int:
        return min(self.total, max(0, int(samples_seen) - self.start_seen))

    def where(self, samples_seen: int) -> tuple[int, float]:
        """(the epoch under way, the fraction of it done); after the last epoch, the
        epoch after it and 0."""
        k, rest = divmod(self.done(samples_seen), self.train_size)
        return self.first_epoch + k, rest / self.train_size

    def fraction(self, samples_seen: int) -> float:
        """How much of the run is done, 0 to 1 (the progress bar's fill)."""
        return self.done(samples_seen) / self.total

    def text(self, samples_seen: int, short: bool = False) -> str:
        """"in epoch 4 of 8 (40% through it)", "after epoch 3" or "before the first
        batch"; short (for the bar): "in epoch 4 - 43% of the run"."""
        epoch, fraction = self.where(samples_seen)
        if fraction == 0:
            if epoch == self.first_epoch:
                return "before the first batch"
            return f"after epoch {epoch - 1}"
        if short:
            return f"in epoch {epoch} - {percent(self.fraction(samples_seen))}% of the run"
        return f"in epoch {epoch} of {self.last_epoch} ({percent(fraction)}% through it)"

    def bar(self, samples_seen: int, measured=None) -> tuple[int, str]:
        """The bar's value (0 to 1000) and text; at an epoch's end, that epoch (its
        results are being measured: how far, with ``measured``, its latest
        ``Measuring``)."""
        epoch, fraction = self.where(samples_seen)
        if fraction == 0 and self.done(samples_seen):
            epoch -= 1
            if measured is not None and measured.epoch == epoch:
                return (int(1000 * self.fraction(samples_seen)),
                        f"Epoch {epoch} of {self.last_epoch} - measuring: "
                        f"{percent(measured.fraction)}%")
        run = self.fraction(samples_seen)
        return int(1000 * run), bar_text(epoch, self.last_epoch, run)

    def measuring(self, samples_seen: int, epochs_reported: int) -> int | None:
        """The epoch whose results are being measured (all its batches done, its
        results not yet arrived), or None."""
        done = self.done(samples_seen)
        k, rest = divmod(done, self.train_size)
        return self.first_epoch + k - 1 if done and not rest and k > epochs_reported else None

    def stats(self, samples_seen: int, training_seconds: float) -> str:
        """"1,234 images/s   training 0:10   ETA 0:05"."""
        done = self.done(samples_seen)
        speed = done / training_seconds if done and training_seconds > 0 else 0.0
        eta = (self.total - done) / speed if speed else None
        return ((f"{speed:,.0f} images/s   " if speed else "")
                + f"training {format_duration(training_seconds)}   ETA {format_duration(eta)}")
