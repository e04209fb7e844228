"""The command line: train, evaluate and predict without the window.

    python main.py train [--preset seed|modern|...] [--arch FILE.json] [--epochs N] ...
    python main.py evaluate MODEL.npz [--json]
    python main.py predict MODEL.npz IMAGE... [--json]

Progress goes to stderr, results to stdout. Bad input prints one line on stderr
and exits with status 2.

With no command, ``python main.py`` (or ``nn-playground``) opens the window.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import stat
import sys
import tempfile
from pathlib import Path

import numpy as np

from . import nn, safeio
from .cli_args import (
    PACKAGE,
    augment_setting,
    hyper_from_args,
    learning_rate,
    memory_budget,
    patience,
    positive_int,
    seed,
    train_size,
    version,
    weight_decay,
)
from .data import DataError, load_mnist, to_mnist
from .data.preprocess import BLANK_MESSAGE, is_blank
from .nn.analysis import confusion_matrix
from .nn.history import FIELDS
from .nn.memory import BUDGET_ENV, DEFAULT_BUDGET, GB, configured_budget
from .nn.serialization import MODEL_SUFFIX, estimated_file_bytes, with_model_suffix
from .nn.spec import INPUT_SHAPE, N_CLASSES, format_shape, gives_probabilities, read_spec_file

# what --json says of each epoch: a record without its learning rate
JSON_EPOCH_FIELDS = tuple(k for k in FIELDS if k != "lr")

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 1
EXIT_BROKEN_PIPE = 141  # what a shell reports for a tool whose reader went away (128 + SIGPIPE)


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PACKAGE, description=__doc__.split("\n\n")[0],
                     epilog="With no command, 'python main.py' (or 'nn-playground') opens "
                            "the window.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="train a network on MNIST")
    train.add_argument("--preset", default="seed", choices=list(nn.PRESETS),
                       help="starting network and settings (default seed)")
    train.add_argument("--arch", metavar="FILE.json", help="network spec as JSON")
    train.add_argument("--epochs", type=positive_int("epochs"))
    train.add_argument("--batch-size", type=positive_int("batch size"))
    train.add_argument("--lr", type=learning_rate, help="learning rate")
    train.add_argument("--optimizer", choices=list(nn.optimizers.OPTIMIZERS))
    train.add_argument("--loss", choices=["se", "ce"], help="squared error or cross-entropy")
    train.add_argument("--init", choices=list(nn.INITS), help="weight initialisation")
    train.add_argument("--schedule", choices=list(nn.SCHEDULES),
                       help="learning rate over the run: constant (default), step (a tenth "
                            "from half-way, a hundredth from three quarters) or cosine")
    for name, metavar, what in (
            ("--shift", "PX", "move each training image by up to PX whole pixels"),
            ("--rotate", "DEG", "rotate each training image by up to DEG degrees"),
            ("--zoom", "FRAC", "scale each training image by up to FRAC (0.1: 0.9-1.1)"),
            ("--noise", "SIGMA", "add Gaussian pixel noise of this size (pixels are 0-1)")):
        train.add_argument(name, type=augment_setting(name[2:]), metavar=metavar,
                           help=f"{what}; new for every mini-batch")
    train.add_argument("--elastic", action="store_true",
                       help="elastic distortion of each training image (Simard et al.)")
    train.add_argument("--weight-decay", type=weight_decay, metavar="WD",
                       help="shrink the weights (not biases) each step: L2 for sgd and "
                            "momentum, decoupled (AdamW) for adam (default 0)")
    train.add_argument("--seed", type=seed, help="random seed for weights and shuffling")
    train.add_argument("--limit", type=train_size, metavar="N",
                       help="train on the first N training images only (the validation "
                            "and test images stay the same)")
    train.add_argument("--patience", type=patience, metavar="N",
                       help="stop early when the validation accuracy has not improved "
                            "for N epochs, and keep the best epoch's weights (default 0: "
                            "off)")
    train.add_argument("--memory-budget", type=memory_budget, metavar="GB",
                       help=f"refuse a network whose training would need more memory "
                            f"(default {DEFAULT_BUDGET // GB} GB, or ${BUDGET_ENV})")
    train.add_argument("--data", metavar="DIR", help="folder with the MNIST IDX files")
    train.add_argument("--save", metavar="MODEL.npz",
                       help="save the trained model (.npz is added if missing)")
    train.add_argument("--json", action="store_true", help="print results as JSON")

    evaluate = sub.add_parser("evaluate", help="test accuracy and confusion matrix")
    evaluate.add_argument("model", metavar="MODEL.npz")
    evaluate.add_argument("--data", metavar="DIR", help="folder with the MNIST IDX files")
    evaluate.add_argument("--json", action="store_true")

    predict = sub.add_parser("predict", help="read digits from image files (raster "
                                             "formats: PNG, JPEG, BMP, GIF, ...)")
    predict.add_argument("model", metavar="MODEL.npz")
    predict.add_argument("images", metavar="IMAGE", nargs="+")
    predict.add_argument("--json", action="store_true")
    return parser


def _say(text: str, end: str = "\n") -> None:
    """A line on stderr; a closed or broken stderr loses it, never the run."""
    try:
        print(text, end=end, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (OSError, ValueError, AttributeError):
        return False


def _progress(text: str) -> None:
    """A progress line: rewritten in place on a terminal, one line each otherwise."""
    if _stderr_is_terminal():
        _say(f"\r{text}\x1b[K", end="")
    else:
        _say(text)


def _end_progress() -> None:
    if _stderr_is_terminal():
        _say("\r\x1b[K", end="")


def _finite(value):
    """``value`` with every non-finite float replaced by None: JSON has no NaN."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (np.floating, np.integer)):
        return _finite(value.item())
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _json(value) -> str:
    return json.dumps(_finite(value), allow_nan=False)


def _load_spec(path: str):
    try:
        return read_spec_file(path)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _save_path(text: str) -> str:
    """The --save target: a file name (never a folder), ending in .npz."""
    if not text.strip():
        raise UsageError("--save needs a file name, such as model.npz")
    if text.endswith(os.sep) or (os.altsep and text.endswith(os.altsep)):
        raise UsageError(f"{text}: names a folder (it ends with '{text[-1]}'); "
                         f"name a file such as {os.path.join(text, 'model.npz')}")
    if safeio.is_folder(text):
        raise UsageError(f"{text}: is a folder; name a file such as "
                         f"{os.path.join(text, 'model.npz')}")
    st = safeio.stat_path(text)  # e.g. /dev/null: refused as named, not saved beside it
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{text}: not a regular file ({safeio.kind_of(st)}), not a model "
                         f"file; name a file such as model.npz")
    return with_model_suffix(text)


def _check_writable(path: str, need_bytes: int = 0) -> None:
    """Refuse a --save target that cannot be written, by creating and removing a trial
    temporary file beside it (and checking the disk has room)."""
    try:
        safeio.check_writable(path, need_bytes, "a model file")
    except safeio.FileProblem as e:
        raise UsageError(str(e)) from None


def _save(path: str, model) -> int:
    """Save the trained model; if that fails, save it to a fallback and say where."""
    try:
        nn.save_model(path, model)
    except nn.ModelFileError as e:
        for fallback in _fallback_paths(path):
            try:
                nn.save_model(fallback, model)
            except nn.ModelFileError:
                continue
            _say(f"{PACKAGE}: error: {e}; the trained model was saved to {fallback} instead")
            return EXIT_BAD_INPUT
        _say(f"{PACKAGE}: error: {e}; no other place to save the trained model was found")
        return EXIT_BAD_INPUT
    _say(f"saved {path}")
    return 0


def _fallback_paths(path: str):
    """Where a model goes when its own path fails: the home folder, then the temporary
    folder, as a new file named after the target."""
    stem = Path(path).name[:-len(MODEL_SUFFIX)][:100] or "model"
    folders = []
    try:
        folders.append(Path.home())
    except (RuntimeError, KeyError, OSError):
        pass
    folders.append(Path(tempfile.gettempdir()))
    for folder in folders:
        if not safeio.is_folder(folder):
            continue
        for n in range(1, 100):
            candidate = folder / f"{stem}.recovered{'' if n == 1 else f'-{n}'}.npz"
            if safeio.stat_path(candidate, follow=False) is None:
                yield str(candidate)
                break


def _data(folder):
    try:
        return load_mnist(folder).split()
    except DataError as e:
        raise UsageError(str(e)) from None


def cmd_train(args) -> int:
    p = nn.preset(args.preset)
    spec = _load_spec(args.arch) if args.arch else p["spec"]
    hyper = hyper_from_args(p["hyper"], args)
    report = nn.check_spec(spec, hyper["loss"], INPUT_SHAPE)
    if not report.ok:
        where = f"{args.arch}: " if args.arch else ""
        raise UsageError(f"{where}{report.errors[0]}")
    if args.save is not None:
        args.save = _save_path(args.save)
        need = estimated_file_bytes(report.total_params, hyper["epochs"])
        _check_writable(args.save, need)  # before training, not after an hour of it
    data = _data(args.data)
    n = nn.train_size_of(hyper, len(data.train_x))  # the validation and test sets stay whole
    if isinstance(hyper["batch_size"], int) and hyper["batch_size"] > n:
        raise UsageError(f"batch size {hyper['batch_size']} is larger than the {n:,} training "
                         f"images; use --batch-size {n} or less")
    problems = nn.check_hyper(hyper, n)
    if problems:
        raise UsageError(problems[0])
    if args.memory_budget is not None:
        budget = int(args.memory_budget * GB)
    else:
        budget, problem = configured_budget()
        if problem:
            raise UsageError(problem)
    too_much = nn.check_training_memory(spec, hyper["batch_size"], hyper["optimizer"],
                                        train_size=n, budget=budget)
    if too_much:
        raise UsageError(too_much)

    model = nn.Model.create(spec, hyper)
    trainer = nn.Trainer(model, data)
    _say(f"{n:,} of {data.summary()}; {model.network!r}, "
         f"{model.network.param_count:,} parameters")

    def on_progress(pr: nn.Progress) -> None:
        _progress(f"epoch {pr.epoch}/{pr.last_epoch} {100 * pr.batch / pr.batches:5.1f}%  "
                  f"loss {pr.loss:.4f}  accuracy {100 * pr.accuracy:5.1f}%  "
                  f"{pr.samples_per_second:,.0f} samples/s")

    def on_measuring(m) -> None:  # on a terminal how far; in a log once an epoch
        if m.done == 0 or _stderr_is_terminal():
            _progress(f"epoch {m.epoch}: measuring {m.done:,} of {m.total:,} images")

    def on_epoch(r: nn.EpochRecord) -> None:
        _end_progress()
        val = ("" if r.val_accuracy is None
               else f"  validation {100 * r.val_accuracy:.2f}%")
        _say(f"epoch {r.epoch}: {r.seconds:.2f} s  loss {r.loss:.4f}  "
             f"train {100 * r.train_sample_accuracy:.2f}%{val}  "
             f"test {100 * r.test_accuracy:.2f}%")

    interrupted = []

    def on_interrupt(signum, frame):  # Ctrl+C: stop between two batches, keep the weights
        interrupted.append(True)
        trainer.stop()
        signal.signal(signal.SIGINT, previous)  # a second Ctrl+C ends at once

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        result = trainer.run(on_progress=on_progress, on_epoch=on_epoch,
                             on_measuring=on_measuring)
    finally:
        signal.signal(signal.SIGINT, previous)
    _end_progress()
    if interrupted:
        _say("interrupted: keeping the weights trained so far")

    saved = _save(args.save, model) if args.save else 0

    seconds = sum(r.seconds for r in result.epochs)
    samples = n * len(result.epochs)
    if result.best_epoch is not None:  # early stopping kept an earlier epoch's weights
        _say(result.message)
    test_acc = (model.network.accuracy(data.test_x, data.test_y) / len(data.test_x)
                if result.status != "finished" or result.best_epoch is not None
                else result.test_accuracy)
    out = {
        "status": result.status,
        "test_accuracy": test_acc,
        "epochs": [{k: v for k, v in r.to_dict().items() if k in JSON_EPOCH_FIELDS}
                   for r in result.epochs],
        "samples_per_second": samples / seconds if seconds > 0 else None,
        "parameters": model.network.param_count,
    }
    if args.json:
        print(_json(out))
    else:
        print(f"test accuracy {100 * test_acc:.2f}%")
    if saved:
        return saved
    if result.status == "diverged":
        _say(result.message)
        return EXIT_DIVERGED
    return 130 if interrupted else 0


def _load_model(path):
    try:
        return nn.load_model(path)
    except nn.ModelFileError as e:
        raise UsageError(str(e)) from None


def _load_mnist_model(path):
    """A model file whose network reads 28 x 28 digits."""
    model = _load_model(path)
    if model.network.input_shape != INPUT_SHAPE:
        raise UsageError(f"{path}: this network reads "
                         f"{format_shape(model.network.input_shape)} inputs; "
                         f"MNIST digits are {format_shape(INPUT_SHAPE)}")
    return model


def cmd_evaluate(args) -> int:
    model = _load_mnist_model(args.model)
    data = _data(args.data)
    labels = data.test_y
    confusion = confusion_matrix(labels, model.network.predict(data.test_x))
    accuracy = float(np.trace(confusion)) / len(labels)
    if args.json:
        print(_json({"test_accuracy": accuracy, "test_images": len(labels),
                     "confusion": confusion.tolist()}))
        return 0
    print(f"test accuracy {100 * accuracy:.2f}% on {len(labels):,} images")
    print("confusion matrix (rows: true digit, columns: predicted)")
    print("     " + "".join(f"{d:>6}" for d in range(N_CLASSES)))
    for d, row in enumerate(confusion):
        print(f"{d:>5}" + "".join(f"{c:>6}" for c in row))
    return 0


def cmd_predict(args) -> int:
    model = _load_mnist_model(args.model)
    try:
        from .ui.images import read_image
    except ImportError as e:  # pragma: no cover - Qt is a dependency
        raise UsageError(f"cannot read images: {e}") from None
    inputs, files, failed = [], [], 0
    for path in args.images:  # a bad file is reported; the others are still read
        try:
            x = to_mnist(read_image(path))
            if is_blank(x):
                raise ValueError(f"{path}: {BLANK_MESSAGE}")
        except ValueError as e:
            _say(f"{PACKAGE}: error: {e}")
            failed += 1
            continue
        inputs.append(x)
        files.append(path)
    if not inputs:
        return EXIT_BAD_INPUT
    probs = model.network.predict_proba(np.stack(inputs))
    results = [{"file": path, "digit": int(np.nan_to_num(p, nan=-np.inf).argmax()),
                "probabilities": [round(float(v), 6) for v in p]}
               for path, p in zip(files, probs, strict=True)]
    if args.json:
        print(_json(results))
    else:
        # Softmax and Sigmoid outputs read as probabilities; other outputs are scores
        probabilities = gives_probabilities(model.network.spec)
        for r in results:
            p = r["probabilities"]
            best = (f"{100 * p[r['digit']]:.1f}%" if probabilities
                    else f"score {p[r['digit']]:.2f}")
            print(f"{r['file']}: {r['digit']} ({best})  "
                  + " ".join(f"{d}:{v:.2f}" for d, v in enumerate(p)))
    return EXIT_BAD_INPUT if failed else 0


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict}


def _ensure_std_streams() -> None:
    """Give closed standard streams (e.g. ``2>&-``) a place to go: /dev/null, so that
    no file this process opens becomes fd 2 and progress lines lose nothing but
    themselves."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                opened = os.open(os.devnull, os.O_RDWR)
            except OSError:
                return
            if opened != fd:
                os.close(opened)
    for name, mode in (("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            try:
                setattr(sys, name, open({"stdout": 1, "stderr": 2}[name], mode,
                                        closefd=False))
            except OSError:
                pass


def _silence_stdout() -> None:
    """After a broken pipe: nothing more reaches the reader, and exiting prints nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    _ensure_std_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
        return status
    except SystemExit as e:  # --help, --version
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
        return e.code if isinstance(e.code, int) else 0
    except UsageError as e:
        _say(f"{PACKAGE}: error: {e}")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `evaluate m.npz | head -1`: stop quietly, as tools do
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        _say(f"{PACKAGE}: interrupted")
        return 130
    except OSError as e:  # the last edge: any file problem not met before is one line
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        _say(f"{PACKAGE}: error: {where}{safeio.os_reason(e)}")
        return EXIT_BAD_INPUT
    except MemoryError:
        _say(f"{PACKAGE}: error: not enough memory for this")
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
