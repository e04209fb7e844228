"""The state the window's panels share: data, layer stack, settings, model, file.

Plain Python, no Qt: panels read the session and listen to its events (``Event``:
connect / disconnect / emit, like Qt signals; the widgets connect through
``playground.ui.bind.listen``); they change it only through its methods. It holds no
maths: it calls the engine. Tested without a Qt application (tests/state).
"""

from __future__ import annotations

import copy
import enum
from pathlib import Path

from ..data import load_mnist
from ..nn import (
    EpochRecord,
    Model,
    ModelFileError,
    Network,
    check_hyper,
    check_spec,
    load_model,
    preset,
    save_model,
)
from ..nn.memory import check_training_memory
from ..nn.settings import train_size_of
from ..nn.spec import INPUT_SHAPE, SpecError, SpecReport, format_shape
from .events import Event
from .layer_stack import LayerStack
from .weight_shapes import loses_weights

#: Copies of the weights the window holds besides the live network: the one published for
#: drawing and the one on its way there (for the memory estimate).
WINDOW_SNAPSHOTS = 2


class TrainingState(str, enum.Enum):
    """Where training stands; each member equals its name in lower case ("idle", ...)."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"

    def __str__(self) -> str:
        return self.value


IDLE, RUNNING, PAUSED = TrainingState.IDLE, TrainingState.RUNNING, TrainingState.PAUSED


class Session:
    def __init__(self, data=None, preset_name: str = "seed"):
        self.specChanged = Event("specChanged")  # the stack or the loss changed: new ``report``
        self.modelChanged = Event("modelChanged")  # ``model`` was replaced (new architecture...)
        self.weightsChanged = Event("weightsChanged")  # ``predictor()`` has new weights
        self.hyperChanged = Event("hyperChanged")  # ``hyper`` changed
        self.trainingStateChanged = Event("trainingStateChanged")  # (TrainingState,)
        self.progressed = Event("progressed")  # (Progress,): a training report
        self.epochFinished = Event("epochFinished")  # (record,): as stored in the history
        self.drawingChanged = Event("drawingChanged")  # (canvas image or None if empty,)
        self.showImageRequested = Event("showImageRequested")  # (uint8 28x28, label or None)
        self.fileChanged = Event("fileChanged")  # ``path`` or ``dirty`` changed
        self._data = data
        p = preset(preset_name)
        self.stack = LayerStack(p["spec"]["layers"], p["spec"]["input"])
        self.hyper: dict = p["hyper"]
        self.preset_name = preset_name
        self.report: SpecReport = self._check(self.stack.spec())
        self.model: Model | None = None
        self._predictor: Network | None = None
        self._published_at = (0, 0)  # (samples seen, epochs done) behind the predictor
        self.training_state = IDLE
        self.path: Path | None = None
        self.dirty = False
        self._rebuild(keep_weights=False)
        self.dirty = False  # nothing to save yet
        self.stack.connect(self._on_stack_event)

    # -- data -------------------------------------------------------------------
    @property
    def data(self):
        """The training/validation/test split (MNIST, loaded on first use)."""
        if self._data is None:
            self._data = load_mnist().split()
        return self._data

    # -- architecture and settings ------------------------------------------------
    def _check(self, spec) -> SpecReport:
        """The engine's checks for ``spec`` with the current loss, on MNIST's 28 x 28, and
        whether training it at the current batch size and optimizer fits in memory."""
        report = check_spec(spec, self.hyper["loss"], INPUT_SHAPE)
        if report.ok:
            train_size = len(self._data.train_x) if self._data is not None else None
            too_much = check_training_memory(
                spec, self.hyper["batch_size"], self.hyper["optimizer"],
                snapshots=WINDOW_SNAPSHOTS,
                **({"train_size": train_size} if train_size else {}))
            if too_much:
                report.errors.append(SpecError(too_much[0].upper() + too_much[1:]))
        return report

    @property
    def spec(self) -> dict:
        return self.stack.spec()

    @property
    def trained(self) -> bool:
        return self.model is not None and self.model.trained

    @property
    def busy(self) -> bool:
        """Training is running or paused: the architecture must not change."""
        return self.training_state != IDLE

    def load_preset(self, name: str) -> None:
        p = preset(name)
        self.preset_name = name
        self.hyper = p["hyper"]
        self.hyperChanged.emit()
        self.stack.reset(p["spec"]["layers"], p["spec"]["input"])  # rebuilds via callback

    def set_spec(self, spec: dict) -> None:
        """Replace the whole stack (an imported architecture)."""
        self.stack.reset(spec["layers"], spec.get("input"))

    def would_discard_training(self, spec: dict) -> bool:
        """True if switching to ``spec`` would lose trained weights."""
        if not self.trained:
            return False
        # from the shapes alone: building the network would allocate all its weights
        return loses_weights(self._check(self.model.network.spec), self._check(spec))

    def set_hyper(self, **changes) -> list[str]:
        """Change training settings; returns the problems (nothing changes if any). A
        setting given as None is removed: its default applies (``train_size``: all
        images, ``augment``: none, ``weight_decay`` and ``patience``: 0...)."""
        new = {k: v for k, v in {**self.hyper, **changes}.items() if v is not None}
        problems = check_hyper(new, len(self.data.train_x) if self._data is not None else None)
        if problems:
            return problems
        loss_changed = new["loss"] != self.hyper["loss"]
        # an untrained network is the seed's and the initialisation's draw: a new one of
        # either draws its weights again (trained weights stay until Reset weights)
        redraw = (self.model is not None and not self.model.trained and not self.busy
                  and any(new.get(k) != self.hyper.get(k) for k in ("seed", "init")))
        self.hyper = new
        if self.model is not None:
            self.model.hyper = new  # one settings object: the trainer's lr writes it too
        self.hyperChanged.emit()
        # the loss, the batch size and the optimizer take part in the checks
        before = [str(e) for e in self.report.errors]
        report = self._check(self.spec)
        if loss_changed or [str(e) for e in report.errors] != before:
            if report.ok and self.model is None:  # e.g. a smaller batch now fits in memory
                self._rebuild(keep_weights=True)
            else:
                self.report = report
                self.specChanged.emit()
        if redraw and self.model is not None:
            self._rebuild(keep_weights=False)
        self._set_dirty(True)
        return []

    def reset_weights(self) -> None:
        """Fresh random weights from the seed; the history starts again."""
        self._rebuild(keep_weights=False)

    def _on_stack_event(self, event: str, args: tuple) -> None:
        if event == "reset" and self.path is not None:
            # a new architecture (preset, import, New) is a new, untitled document:
            # Save must not overwrite the file it came from with another network
            self.path = None
            self.fileChanged.emit()
        self._rebuild(keep_weights=True)

    def _rebuild(self, keep_weights: bool) -> None:
        self.report = self._check(self.spec)
        old = self.model
        if self.report.ok:
            keep = old.network if keep_weights and old is not None and old.trained else None
            net = Network(self.spec, seed=self.hyper["seed"], init=self.hyper["init"],
                          keep_from=keep)
            model = Model(net, self.hyper, [], 0)
            if keep is not None:
                n_old = sum(1 for layer in keep.layers if layer.trainable)
                if net.kept == n_old:  # every weight kept
                    model.history, model.samples_seen = old.history, old.samples_seen
            self.model = model
            self._predictor = net.snapshot()
            self._published_at = (model.samples_seen, len(model.history))
        else:
            self.model = None
            self._predictor = None
        if old is not None or self.model is not None:
            self._set_dirty(True)
        self.specChanged.emit()
        self.modelChanged.emit()
        self.weightsChanged.emit()

    # -- training -------------------------------------------------------------------
    def set_training_state(self, state) -> None:
        state = TrainingState(state)
        if state != self.training_state:
            self.training_state = state
            self.trainingStateChanged.emit(state)

    def predictor(self) -> Network | None:
        """A network to predict with: the latest weights published by training.

        Never the network being trained, so a prediction never sees half-updated weights.
        """
        return self._predictor

    def publish(self, snapshot: Network, progress=None) -> None:
        """Training calls this with a copy of the weights (and its Progress, if any)."""
        self._predictor = snapshot
        if progress is not None:  # where training stood when the copy was taken
            self._published_at = (round(progress.position
                                        * train_size_of(self.hyper, len(self.data.train_x))),
                                  progress.epoch - 1)
        self._set_dirty(True)
        if progress is not None:
            self.progressed.emit(progress)
        self.weightsChanged.emit()

    def finish_epoch(self, record: EpochRecord) -> None:
        self._published_at = (self._published_at[0], record.epoch)
        self.epochFinished.emit(record)

    # -- drawing --------------------------------------------------------------------
    def set_drawing(self, image) -> None:
        self.drawingChanged.emit(image)

    def show_image(self, image, label=None) -> None:
        """Put an image (e.g. an MNIST test digit) on the drawing canvas."""
        self.showImageRequested.emit(image, label)

    # -- files --------------------------------------------------------------------------
    def model_for_saving(self) -> Model:
        """A consistent model to save: the live one when idle or paused (the worker waits
        between batches), else the latest published snapshot."""
        if self.model is None:
            raise ValueError("the network is not valid yet: fix it before saving")
        if self.training_state == RUNNING and self._predictor is not None:
            samples, epochs = self._published_at  # what the published weights have seen
            return Model(self._predictor, dict(self.model.hyper),
                         copy.deepcopy(self.model.history[:epochs]), samples)
        return self.model

    def save(self, path) -> None:
        """Save the model; raises ModelFileError (the old file stays intact)."""
        save_model(path, self.model_for_saving())
        self.path = Path(path)
        self._set_dirty(False, force=True)

    def open(self, path) -> None:
        """Load a model file; raises ModelFileError and changes nothing on failure."""
        model = load_model(path)
        if model.network.input_shape != INPUT_SHAPE:
            raise ModelFileError(f"{path}: this network reads "
                                 f"{format_shape(model.network.input_shape)} inputs; "
                                 f"the digits here are {format_shape(INPUT_SHAPE)}")
        # a model trained elsewhere may name a batch larger than this training set
        model.hyper["batch_size"] = min(model.hyper["batch_size"], len(self.data.train_x))
        self.model = None  # the stack reset below must not transfer old weights
        self.hyper = model.hyper
        self.stack.disconnect(self._on_stack_event)
        try:
            self.stack.reset(model.network.spec["layers"], model.network.spec["input"])
        finally:
            self.stack.connect(self._on_stack_event)
        self.report = self._check(self.spec)
        self.model = model
        self._predictor = model.network.snapshot()
        self._published_at = (model.samples_seen, len(model.history))
        self.path = Path(path)
        self.hyperChanged.emit()
        self.specChanged.emit()
        self.modelChanged.emit()
        self.weightsChanged.emit()
        self._set_dirty(False, force=True)

    def new(self, preset_name: str = "seed") -> None:
        """Start again: a preset with fresh random weights and no history."""
        self.path = None
        self.model = None  # nothing trained carries over into the new network
        self.load_preset(preset_name)
        self._set_dirty(False, force=True)

    def _set_dirty(self, dirty: bool, force: bool = False) -> None:
        if dirty != self.dirty or force:
            self.dirty = dirty
            self.fileChanged.emit()
