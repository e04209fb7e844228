"""The command line: train, evaluate and predict without the window.

    python main.py train [--preset seed|modern|...] [--arch FILE.json] [--epochs N] ...
    python main.py evaluate MODEL.npz [--json]
    python main.py predict MODEL.npz IMAGE... [--json]

Progress goes to stderr, results to stdout. Bad input prints one line on stderr
and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import tempfile
from pathlib import Path

import numpy as np

from . import nn
from .data import DataError, load_mnist, to_mnist
from .nn.analysis import confusion_matrix
from .nn.spec import INPUT_SHAPE, format_shape, read_spec_file

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 1


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _positive_int(name):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, not '{text}'") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"{name} must be at least 1, not {value}")
        return value
    return parse


def _learning_rate(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"learning rate must be a positive finite number, not '{text}'")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= nn.network.MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"seed must be a whole number from 0 to {nn.network.MAX_SEED}, not '{text}'")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nn-playground", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="train a network on MNIST")
    train.add_argument("--preset", default="seed", choices=list(nn.PRESETS),
                       help="starting network and settings (default seed)")
    train.add_argument("--arch", metavar="FILE.json", help="network spec as JSON")
    train.add_argument("--epochs", type=_positive_int("epochs"))
    train.add_argument("--batch-size", type=_positive_int("batch size"))
    train.add_argument("--lr", type=_learning_rate, help="learning rate")
    train.add_argument("--optimizer", choices=list(nn.optimizers.OPTIMIZERS))
    train.add_argument("--loss", choices=["se", "ce"], help="squared error or cross-entropy")
    train.add_argument("--init", choices=list(nn.INITS), help="weight initialisation")
    train.add_argument("--seed", type=_seed, help="random seed for weights and shuffling")
    train.add_argument("--limit", type=_positive_int("limit"),
                       help="train on the first N training images only")
    train.add_argument("--data", metavar="DIR", help="folder with the MNIST IDX files")
    train.add_argument("--save", metavar="MODEL.npz", help="save the trained model")
    train.add_argument("--json", action="store_true", help="print results as JSON")

    evaluate = sub.add_parser("evaluate", help="test accuracy and confusion matrix")
    evaluate.add_argument("model", metavar="MODEL.npz")
    evaluate.add_argument("--data", metavar="DIR", help="folder with the MNIST IDX files")
    evaluate.add_argument("--json", action="store_true")

    predict = sub.add_parser("predict", help="read digits from image files")
    predict.add_argument("model", metavar="MODEL.npz")
    predict.add_argument("images", metavar="IMAGE", nargs="+")
    predict.add_argument("--json", action="store_true")
    return parser


def _progress(text: str) -> None:
    """A progress line: rewritten in place on a terminal, one line each otherwise."""
    if sys.stderr.isatty():
        print(f"\r{text}\x1b[K", end="", file=sys.stderr, flush=True)
    else:
        print(text, file=sys.stderr, flush=True)


def _end_progress() -> None:
    if sys.stderr.isatty():
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def _load_spec(path: str):
    try:
        return read_spec_file(path)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _check_writable(path: str) -> None:
    """Refuse a --save target that cannot be written, by writing a trial file beside it."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{path}: is a folder; name a file such as {target / 'model.npz'}")
    try:
        with tempfile.TemporaryFile(dir=target.resolve().parent):
            pass
    except OSError as e:
        raise UsageError(f"{path}: cannot save there ({e.strerror or e})") from None


def _data(folder):
    try:
        return load_mnist(folder).split()
    except DataError as e:
        raise UsageError(str(e)) from None


def cmd_train(args) -> int:
    p = nn.preset(args.preset)
    spec = _load_spec(args.arch) if args.arch else p["spec"]
    hyper = dict(p["hyper"])
    for key, value in (("epochs", args.epochs), ("batch_size", args.batch_size),
                       ("lr", args.lr), ("optimizer", args.optimizer), ("loss", args.loss),
                       ("init", args.init), ("seed", args.seed)):
        if value is not None:
            hyper[key] = value
    report = nn.check_spec(spec, hyper["loss"], INPUT_SHAPE)
    if not report.ok:
        where = f"{args.arch}: " if args.arch else ""
        raise UsageError(f"{where}{report.errors[0]}")
    if args.save:
        _check_writable(args.save)  # before training, not after an hour of it
    data = _data(args.data)
    if args.limit:
        data = data.limit(args.limit)
    n = len(data.train_x)
    if isinstance(hyper["batch_size"], int) and hyper["batch_size"] > n:
        raise UsageError(f"batch size {hyper['batch_size']} is larger than the {n:,} training "
                         f"images; use --batch-size {n} or less")
    problems = nn.check_hyper(hyper, n)
    if problems:
        raise UsageError(problems[0])

    model = nn.Model.create(spec, hyper)
    trainer = nn.Trainer(model, data)
    print(f"{data.summary()}; {model.network!r}, {model.network.param_count:,} parameters",
          file=sys.stderr)

    def on_progress(pr: nn.Progress) -> None:
        _progress(f"epoch {pr.epoch}/{pr.last_epoch} {100 * pr.batch / pr.batches:5.1f}%  "
                  f"loss {pr.loss:.4f}  accuracy {100 * pr.accuracy:5.1f}%  "
                  f"{pr.samples_per_second:,.0f} samples/s")

    def on_epoch(r: dict) -> None:
        _end_progress()
        val = ("" if r["val_accuracy"] is None
               else f"  validation {100 * r['val_accuracy']:.2f}%")
        print(f"epoch {r['epoch']}: {r['seconds']:.2f} s  loss {r['loss']:.4f}{val}  "
              f"test {100 * r['test_accuracy']:.2f}%", file=sys.stderr, flush=True)

    interrupted = []

    def on_interrupt(signum, frame):  # Ctrl+C: stop between two batches, keep the weights
        interrupted.append(True)
        trainer.stop()
        signal.signal(signal.SIGINT, previous)  # a second Ctrl+C ends at once

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        result = trainer.run(on_progress=on_progress, on_epoch=on_epoch)
    finally:
        signal.signal(signal.SIGINT, previous)
    _end_progress()
    if interrupted:
        print("interrupted: keeping the weights trained so far", file=sys.stderr)

    if args.save:
        try:
            nn.save_model(args.save, model)
        except nn.ModelFileError as e:
            raise UsageError(str(e)) from None
        print(f"saved {args.save}", file=sys.stderr)

    seconds = sum(r["seconds"] for r in result.epochs)
    samples = len(data.train_x) * len(result.epochs)
    test_acc = (model.network.accuracy(data.test_x, data.test_y) / len(data.test_x)
                if result.status != "finished" else result.test_accuracy)
    out = {
        "status": result.status,
        "test_accuracy": test_acc,
        "epochs": [{k: r[k] for k in ("epoch", "seconds", "loss", "accuracy",
                                      "val_accuracy", "test_accuracy")}
                   for r in result.epochs],
        "samples_per_second": samples / seconds if seconds > 0 else None,
        "parameters": model.network.param_count,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"test accuracy {100 * test_acc:.2f}%")
    if result.status == "diverged":
        print(result.message, file=sys.stderr)
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
        print(json.dumps({"test_accuracy": accuracy, "test_images": len(labels),
                          "confusion": confusion.tolist()}))
        return 0
    print(f"test accuracy {100 * accuracy:.2f}% on {len(labels):,} images")
    print("confusion matrix (rows: true digit, columns: predicted)")
    print("     " + "".join(f"{d:>6}" for d in range(10)))
    for d, row in enumerate(confusion):
        print(f"{d:>5}" + "".join(f"{c:>6}" for c in row))
    return 0


def cmd_predict(args) -> int:
    model = _load_mnist_model(args.model)
    try:
        from .ui.images import read_image
    except ImportError as e:  # pragma: no cover - Qt is a dependency
        raise UsageError(f"cannot read images: {e}") from None
    inputs = []
    for path in args.images:
        try:
            x = to_mnist(read_image(path))
        except ValueError as e:
            raise UsageError(str(e)) from None
        if not x.any():
            raise UsageError(f"{path}: no digit found: the image is blank")
        inputs.append(x)
    probs = model.network.predict_proba(np.stack(inputs))
    results = [{"file": path, "digit": int(p.argmax()),
                "probabilities": [round(float(v), 6) for v in p]}
               for path, p in zip(args.images, probs, strict=True)]
    if args.json:
        print(json.dumps(results))
    else:
        # Softmax and Sigmoid outputs read as probabilities; other outputs are scores
        probabilities = model.network.spec["layers"][-1]["type"] in ("Softmax", "Sigmoid")
        for r in results:
            p = r["probabilities"]
            best = (f"{100 * p[r['digit']]:.1f}%" if probabilities
                    else f"score {p[r['digit']]:.2f}")
            print(f"{r['file']}: {r['digit']} ({best})  "
                  + " ".join(f"{d}:{v:.2f}" for d, v in enumerate(p)))
    return 0


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as e:
        print(f"nn-playground: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("nn-playground: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
