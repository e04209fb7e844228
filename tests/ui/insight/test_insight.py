"""The insight views: weights, confusion matrix, mistakes, inside a prediction, dataset."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from playground import nn
from playground.data import to_mnist
from playground.nn import analysis
from playground.state.session import Session
from playground.ui.insight import (
    ConfusionView,
    DatasetView,
    Evaluator,
    InsideView,
    MistakesView,
    WeightsView,
    insight_views,
)
from playground.ui.insight.dataset_view import ALL, PAGE


@pytest.fixture
def session(small_split, qtbot):
    return Session(data=small_split)


def train(session):
    """One quick epoch on the session's model, published as the training panel does."""
    record = nn.Trainer(session.model, session.data).run(1).epochs[-1]
    session.publish(session.model.network.snapshot())
    session.finish_epoch(record)
    return record


def evaluated(qtbot, view):
    """Wait for the background evaluation of the test set to reach the view."""
    qtbot.waitUntil(lambda: view.result is not None and not view.evaluator.busy, timeout=10000)
    return view.result


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click(qtbot, view, rect):
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def canvas_drawing(image_uint8):
    """A 28x28 digit drawn bigger and off-centre on a 200x240 float canvas."""
    canvas = np.zeros((200, 240), np.float32)
    canvas[30:170, 100:240] = np.kron(image_uint8 / 255.0, np.ones((5, 5)))
    return canvas


# -- the package --------------------------------------------------------------------------
def test_insight_views_titles_and_object_names(session):
    views = insight_views(session)
    assert [t for t, _, _ in views] == ["Weights", "Confusion", "Mistakes", "Robustness",
                                        "Inside", "Dataset"]
    assert all(tip for _, _, tip in views)
    widgets = {t: w for t, w, _ in views}
    assert widgets["Weights"].objectName() == "weightsView"
    assert widgets["Confusion"].findChild(type(widgets["Confusion"].table),
                                          "confusionMatrix") is not None
    # confusion and mistakes share one evaluation
    assert widgets["Confusion"].evaluator is widgets["Mistakes"].evaluator
    for _, w, _ in views:
        w.deleteLater()


def test_main_window_has_the_views(small_split, qtbot, monkeypatch):
    from playground.ui.window.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    window = MainWindow(Session(data=small_split))
    qtbot.addWidget(window)
    window.show()
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles[0] == "Training" and {"Weights", "Confusion", "Mistakes", "Inside",
                                        "Dataset"} <= set(titles)
    assert window.findChild(WeightsView, "weightsView") is not None
    assert window.findChild(object, "confusionMatrix") is not None
    qtbot.waitUntil(lambda: window.tabs.tabToolTip(titles.index("Weights")) != "")
    window.shutdown()


# -- empty states -------------------------------------------------------------------------
def test_empty_states_before_training(session, qtbot):
    evaluator = Evaluator(session)
    confusion = shown(qtbot, ConfusionView(session, evaluator))
    mistakes = shown(qtbot, MistakesView(session, evaluator))
    inside = shown(qtbot, InsideView(session))
    weights = shown(qtbot, WeightsView(session))
    assert confusion.stack.empty and "Train" in confusion.stack.message.text()
    assert confusion.result is None
    assert mistakes.stack.empty and mistakes.gallery.count() == 0
    assert inside.stack.empty and "Draw" in inside.stack.message.text()
    # the weights view shows the random starting weights and says so
    assert "Random starting weights" in weights.title.text()

    train(session)
    evaluated(qtbot, confusion)
    evaluated(qtbot, mistakes)
    assert not confusion.stack.empty and not mistakes.stack.empty
    # a new architecture forgets the old results
    session.stack.update(1, units=64)
    assert confusion.stack.empty and confusion.result is None
    assert mistakes.stack.empty


def test_invalid_network_messages(session, qtbot):
    weights = shown(qtbot, WeightsView(session))
    confusion = shown(qtbot, ConfusionView(session))
    session.set_spec({"input": [28, 28], "layers": [{"type": "Flatten"}]})  # not valid
    assert session.predictor() is None
    assert weights.stack.empty and "not valid" in weights.stack.message.text()
    confusion.recompute.click()
    assert confusion.stack.empty and "not valid" in confusion.stack.message.text()
    # a network for other inputs than the 28 x 28 digits is not valid here either
    session.set_spec({"input": [784], "layers": [{"type": "Dense", "units": 10},
                                                 {"type": "Sigmoid"}]})
    assert "the input must be [28, 28]" in str(session.report.errors[0])
    assert weights.stack.empty and "not valid" in weights.stack.message.text()


# -- weights ---------------------------------------------------------------------------------
def test_weights_view_shows_every_first_layer_unit(session, qtbot):
    view = shown(qtbot, WeightsView(session))
    train(session)
    assert not view.stack.empty
    w = session.predictor().layers[1].w
    assert view.tiles.shape == (128, 28, 28)
    np.testing.assert_array_equal(view.tiles[17].ravel(), w[:, 17])
    cols = view.columns
    rows = -(-128 // cols)
    assert view.image.shape == (rows * 29 - 1, cols * 29 - 1)
    assert view.item.image.shape == view.image.shape
    # hover text for a tile
    r, c = divmod(17, cols)
    assert view.unit_at(r * 29 + 10, c * 29 + 3) == 17
    assert view.describe(17) == (f"unit 17: weights {w[:, 17].min():.2f} .. "
                                 f"{w[:, 17].max():.2f}, bias "
                                 f"{session.predictor().layers[1].b[17]:.2f}")
    # shared scale keeps the raw weights
    view.scale.setCurrentIndex(1)
    assert np.nanmax(np.abs(view.image)) == pytest.approx(np.abs(w).max())
    assert view.item.levels is not None


def test_hovering_a_tile_names_the_unit(session, qtbot):
    from PySide6.QtCore import QPointF

    view = shown(qtbot, WeightsView(session))
    train(session)
    r, c = divmod(5, view.columns)
    scene_pos = view.item.mapToScene(QPointF(c * 29 + 14, r * 29 + 14))
    view.plot.scene().sigMouseMoved.emit(scene_pos)  # what the scene sends on a mouse move
    assert view.readout.text().startswith("unit 5: weights ")
    assert view.readout.text() == view.describe(5)
    gap = view.item.mapToScene(QPointF(c * 29 + 28.5, r * 29 + 14))  # between two tiles
    view.plot.scene().sigMouseMoved.emit(gap)
    assert view.readout.text().startswith("Hover a tile")


def test_weights_view_is_throttled_but_shows_the_last_weights(session, qtbot):
    view = shown(qtbot, WeightsView(session))
    net = session.model.network
    before = view.updates
    for i in range(20):  # a burst of publishes, much faster than 5 a second
        net.layers[1].w[0, 0] = i
        session.publish(net.snapshot())
    assert view.updates - before <= 2
    qtbot.waitUntil(lambda: view.tiles[0, 0, 0] == 19, timeout=2000)
    assert view.updates - before <= 3


def test_weights_view_skips_work_while_hidden(session, qtbot):
    view = shown(qtbot, WeightsView(session))
    view.hide()
    before = view.updates
    net = session.model.network
    net.layers[1].w[0, 0] = 5.0
    session.publish(net.snapshot())
    assert view.updates == before
    view.show()
    qtbot.waitUntil(lambda: view.updates > before)
    assert view.tiles[0, 0, 0] == 5.0


def test_weights_view_handles_1000_units(session, qtbot):
    view = shown(qtbot, WeightsView(session))
    session.stack.update(1, units=1000)
    assert view.tiles.shape == (1000, 28, 28)
    rows = -(-1000 // view.columns)
    assert view.image.shape == (rows * 29 - 1, view.columns * 29 - 1)


def test_weights_view_of_a_huge_layer_draws_one_bounded_page(session, qtbot, monkeypatch):
    """Dense 3,000 (2.4 million weights): only MAX_TILES units are copied and drawn, so
    the first look at the tab costs what a 1,024-unit layer does; the pager shows the rest."""
    from playground.ui.insight import weights_view

    asked = []
    real = analysis.first_layer_weights

    def spy(net, units=None):
        asked.append(None if units is None else len(units))
        return real(net, units)

    monkeypatch.setattr(weights_view.analysis, "first_layer_weights", spy)
    view = shown(qtbot, WeightsView(session))
    session.set_spec({"input": [28, 28], "layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 3000}, {"type": "ReLU"},
        {"type": "Dense", "units": 10}]})
    limit = weights_view.MAX_TILES
    assert asked and None not in asked and max(asked) <= limit  # never the whole layer
    assert view.tiles.shape == (limit, 28, 28)
    assert view.image.size <= limit * 29 * 29
    assert view.pager.isVisible() and view.page_label.text() == "units 0-1,023 of 3,000"
    assert not view.prev_page.isEnabled()
    w = session.predictor().layers[1].w
    view.next_page.click()
    assert view.page_label.text() == "units 1,024-2,047 of 3,000"
    np.testing.assert_array_equal(view.tiles[0].ravel(), w[:, 1024])
    r, c = divmod(3, view.columns)
    assert view.unit_at(r * 29 + 10, c * 29 + 3) == 1027  # hover names the real unit
    assert view.describe(1027).startswith("unit 1027: weights")
    view.next_page.click()
    assert view.tiles.shape[0] == 3000 - 2 * limit and not view.next_page.isEnabled()
    # a small layer needs no pages
    session.set_spec(nn.preset("seed")["spec"])
    assert not view.pager.isVisible() and view.tiles.shape == (128, 28, 28)


# -- confusion matrix ----------------------------------------------------------------------------
def test_confusion_matrix_after_an_epoch(session, qtbot):
    view = shown(qtbot, ConfusionView(session))
    train(session)
    evaluated(qtbot, view)
    data = session.data
    pred = session.predictor().predict(data.test_x)
    expected = analysis.confusion_matrix(data.test_y, pred)
    table = view.table
    shown_counts = np.array([[int(table.item(r, c).text().replace(",", "") or 0)
                              for c in range(10)] for r in range(10)])
    np.testing.assert_array_equal(shown_counts, expected)
    assert shown_counts.sum() == len(data.test_y)
    acc = analysis.per_class_accuracy(expected)
    assert table.item(3, 10).text() == f"{100 * acc[3]:.1f}%"
    t, p, n = analysis.most_confused(expected)
    assert f"{t} taken for {p}" in view.confused.text()
    assert f"({n:,} time" in view.confused.text()
    assert "after epoch 1" in view.summary.text()


@pytest.mark.parametrize("width", [330, 480])
def test_confusion_matrix_fits_a_narrow_column(session, qtbot, width):
    """No figure is elided ("10..." for 100.0%), and the view asks for no more width than a
    narrow centre column has (the table scrolls sideways at the very narrowest)."""
    view = ConfusionView(session)
    qtbot.addWidget(view)
    view.resize(width, 600)
    view.show()
    qtbot.waitExposed(view)
    train(session)
    evaluated(qtbot, view)
    assert view.width() == width and view.minimumSizeHint().width() <= width
    table = view.table
    metrics = table.fontMetrics()
    share = table.horizontalHeader().sectionSize(10)
    assert share >= metrics.horizontalAdvance("100.0%")
    digits = min(table.horizontalHeader().sectionSize(c) for c in range(10))
    assert digits >= metrics.horizontalAdvance("8888")
    if width >= 480:  # all eleven columns on screen
        assert not table.horizontalScrollBar().isVisible()


def test_clicking_a_cell_opens_its_images(session, qtbot):
    view = shown(qtbot, ConfusionView(session))
    train(session)
    evaluated(qtbot, view)
    data = session.data
    pred = session.predictor().predict(data.test_x)
    t, p, n = view.result.most_confused()
    click(qtbot, view.table, view.table.visualItemRect(view.table.item(t, p)))
    assert view.cell == (t, p)
    assert view.gallery.count() == n
    assert sorted(view.cell_indices) == sorted(np.flatnonzero((data.test_y == t) & (pred == p)))
    assert np.all(data.test_y[view.cell_indices] == t)
    assert np.all(pred[view.cell_indices] == p)
    assert f"true {t}, predicted {p}" in view.gallery_title.text()
    # captions are the probabilities, most confident first
    model = view.gallery.gallery_model
    proba = view.result.proba[view.cell_indices, p]
    assert model.captions == [f"{100 * q:.1f}%" for q in proba]
    assert np.all(np.diff(proba) <= 0)
    np.testing.assert_array_equal(model.images, data.test_x[view.cell_indices])

    # a diagonal cell: the images it got right
    d = int(np.diag(view.result.cm).argmax())
    click(qtbot, view.table, view.table.visualItemRect(view.table.item(d, d)))
    assert view.gallery.count() == view.result.cm[d, d] > 0
    assert np.all(pred[view.cell_indices] == d) and np.all(data.test_y[view.cell_indices] == d)

    # clicking an image puts it on the canvas
    with qtbot.waitSignal(session.showImageRequested) as blocker:
        click(qtbot, view.gallery, view.gallery.item_rect(0))
    image, label = blocker.args
    np.testing.assert_array_equal(image, data.test_x[view.cell_indices[0]])
    assert label == d


def test_most_confused_link_and_recompute(session, qtbot):
    view = shown(qtbot, ConfusionView(session))
    view.recompute.click()  # evaluates the untrained weights on demand
    assert view.stack.empty and "Evaluating" in view.stack.message.text()
    evaluated(qtbot, view)
    assert not view.stack.empty
    assert view.result.cm.sum() == len(session.data.test_y)
    assert "untrained" in view.summary.text()
    untrained = view.result
    train(session)
    qtbot.waitUntil(lambda: view.result is not untrained and not view.evaluator.busy)
    first = view.result
    view._open_most_confused()
    t, p, n = first.most_confused()
    assert view.cell == (t, p) and view.gallery.count() == n
    view.recompute.click()  # same weights: the cached evaluation, not a second pass
    assert view.result is first


def test_confusion_waits_while_hidden(session, qtbot):
    view = shown(qtbot, ConfusionView(session))
    view.hide()
    train(session)
    qtbot.wait(50)
    assert view.result is None and not view.evaluator.busy  # nothing was computed
    view.show()
    evaluated(qtbot, view)
    assert view.result.cm.sum() == len(session.data.test_y)


# -- mistakes -------------------------------------------------------------------------------------
def test_mistakes_are_wrong_and_clickable(session, qtbot):
    view = shown(qtbot, MistakesView(session))
    train(session)
    evaluated(qtbot, view)
    data = session.data
    proba = session.predictor().predict_proba(data.test_x)
    pred = proba.argmax(axis=1)
    idx = view.indices
    assert len(idx) == min(view.gallery.count(), int((pred != data.test_y).sum()))
    assert len(idx) > 0 and view.gallery.count() == len(idx)
    assert np.all(pred[idx] != data.test_y[idx])
    conf = proba[idx, pred[idx]]
    assert np.all(np.diff(conf) <= 0)  # most confident first
    captions = view.gallery.gallery_model.captions
    assert captions[0] == (f"true {data.test_y[idx[0]]} / said {pred[idx[0]]} "
                           f"({100 * conf[0]:.0f}%)")

    with qtbot.waitSignal(session.showImageRequested) as blocker:
        click(qtbot, view.gallery, view.gallery.item_rect(1))
    image, label = blocker.args
    np.testing.assert_array_equal(image, data.test_x[idx[1]])
    assert image.dtype == np.uint8 and image.shape == (28, 28)
    assert label == data.test_y[idx[1]]


# -- inside a prediction ----------------------------------------------------------------------
def test_inside_view_pipeline_matches_to_mnist(session, qtbot):
    view = shown(qtbot, InsideView(session))
    train(session)
    drawing = canvas_drawing(session.data.test_x[0])
    session.set_drawing(drawing)
    assert not view.stack.empty
    out, steps = to_mnist(drawing, return_steps=True)
    assert set(view.steps) == {"input", "crop", "fitted", "centred"}
    for key, expected in steps.items():
        np.testing.assert_array_equal(view.steps[key], expected)
    np.testing.assert_array_equal(view.input, out)
    for key, widget in view.step_widgets.items():
        assert not widget.picture.pixmap().isNull()
        h, w = steps[key].shape
        assert widget.size_label.text() == f"{w} x {h} px"

    # each layer's activations, as the network computes them
    expected = analysis.hidden_activations(session.predictor(), out)
    assert [(name, len(v)) for name, v in view.layer_values] == [
        (name, len(v)) for name, v in expected] == [("Dense(128) > Sigmoid", 128),
                                                    ("Dense(10) > Sigmoid", 10)]
    for (_, got), (_, want) in zip(view.layer_values, expected, strict=True):
        np.testing.assert_allclose(got, want)
    best = int(expected[-1][1].argmax())
    assert f"says <b>{best}</b>" in view.prediction.text()
    # the most active first-layer units, with their weight pictures
    hidden = expected[0][1]
    assert view.top_units.isVisible()
    assert list(view.top_units.units) == list(np.argsort(-hidden, kind="stable")[:8])
    assert hidden[view.top_units.units[0]] == hidden.max()

    # new weights while a drawing is shown: the activations follow (throttled)
    net = session.model.network
    net.layers[3].b[:] += 5.0
    session.publish(net.snapshot())
    qtbot.waitUntil(lambda: np.allclose(
        view.layer_values[-1][1],
        analysis.hidden_activations(session.predictor(), out)[-1][1]), timeout=2000)

    session.set_drawing(None)
    assert view.stack.empty and view.steps is None


def _clipped(label, view) -> bool:
    """A label cut by its own size or by the view's edge."""
    right = label.mapTo(view, label.rect().topRight()).x()
    if right > view.width():
        return True
    if label.wordWrap():
        return label.heightForWidth(label.width()) > label.height()
    return label.sizeHint().width() > label.width()


@pytest.mark.parametrize("width", [330, 480, 900])
def test_inside_view_uses_the_width_and_cuts_nothing(session, qtbot, width):
    from PySide6.QtWidgets import QLabel

    view = InsideView(session)
    qtbot.addWidget(view)
    view.resize(width, 700)
    view.show()
    qtbot.waitExposed(view)
    train(session)
    session.set_drawing(canvas_drawing(session.data.test_x[0]))
    qtbot.waitUntil(lambda: view.top_units.isVisible())
    top = view.top_units

    def problems() -> list:
        found = []
        for key, step in view.step_widgets.items():
            for label in (step.caption, step.size_label):
                if _clipped(label, view):
                    found.append((key, label.text()))
        # every one of the "8 most active units" is on screen, inside the view
        if not top.title.text().startswith("The 8 most active units"):
            found.append(top.title.text())
        if top.shown_units() != 8:
            found.append(f"{top.shown_units()} units shown")
        for cell, _, _ in top.cells:
            if cell.mapTo(view, cell.rect().topRight()).x() > view.width():
                found.append("a unit off the view")
        # layer titles and readouts: side by side when they fit, else folded; never cut
        for widget in view._layer_widgets:
            for label in (widget.title, widget.readout):
                if (label.width() < min(label.sizeHint().width(), widget.width())
                        or label.mapTo(view, label.rect().topRight()).x() > view.width()):
                    found.append(label.text())
        found += [label.text() for label in view.findChildren(QLabel)
                  if label.isVisible() and label.wordWrap() and _clipped(label, view)]
        return found

    try:  # the layouts settle over a few events
        qtbot.waitUntil(lambda: not problems(), timeout=3000)
    except Exception:
        raise AssertionError((width, problems())) from None
    if width >= 900:  # wide: one row of large pictures, the pipeline as large as allowed
        assert top.columns == 8 and top.unit_px > 52


def test_inside_view_with_an_empty_drawing_and_a_deeper_network(session, qtbot):
    view = shown(qtbot, InsideView(session))
    session.set_drawing(np.zeros((50, 50), np.float32))
    assert not view.stack.empty and view.layer_values == []
    assert "empty" in view.layers_note.text()
    session.load_preset("deep")
    session.set_drawing(canvas_drawing(session.data.test_x[3]))  # at most 20 updates a second
    qtbot.waitUntil(lambda: [len(v) for _, v in view.layer_values] == [256, 128, 64, 10])
    assert "untrained" in view.layers_note.text()


def test_inside_view_keeps_up_with_strokes_without_redoing_every_one(session, qtbot):
    view = shown(qtbot, InsideView(session))
    digit = session.data.test_x[5]
    session.set_drawing(canvas_drawing(digit))
    before = view.refreshes
    for k in range(30):  # a stroke: the drawing panel sends up to ~30 a second
        canvas = canvas_drawing(digit)
        canvas[:, :k + 1] = 1.0 if k == 29 else 0.0
        session.set_drawing(canvas)
    assert view.refreshes - before <= 1
    last = to_mnist(canvas, return_steps=True)[1]
    qtbot.waitUntil(lambda: np.array_equal(view.steps["input"], last["input"]))
    assert view.refreshes - before <= 2
    # hidden: no work until shown again
    view.hide()
    before = view.refreshes
    session.set_drawing(canvas_drawing(session.data.test_x[6]))
    assert view.refreshes == before
    view.show()
    assert view.refreshes == before + 1
    np.testing.assert_array_equal(view.steps["centred"],
                                  to_mnist(canvas_drawing(session.data.test_x[6])))


# -- dataset browser ---------------------------------------------------------------------------
def test_dataset_counts_and_paging(session, qtbot):
    view = shown(qtbot, DatasetView(session))
    data = session.data
    counts = np.bincount(data.train_y, minlength=10)
    np.testing.assert_array_equal(view.counts, counts)
    for d in range(10):
        assert view.digit_buttons[d].text() == f"{d}\n{counts[d]:,}"
    assert view.digit_buttons[ALL].text() == f"All\n{len(data.train_y):,}"
    assert view.gallery.count() == min(PAGE, len(data.train_y))

    # one digit
    qtbot.mouseClick(view.digit_buttons[4], Qt.MouseButton.LeftButton)
    assert view.digit == 4
    assert view.gallery.count() == min(PAGE, counts[4])
    assert np.all(data.train_y[view.indices] == 4)

    # the whole set, paged
    view.select_digit(ALL)
    first = view.indices.copy()
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.page == 1
    np.testing.assert_array_equal(view.indices, np.arange(PAGE, min(2 * PAGE, len(data.train_y))))
    assert not np.intersect1d(first, view.indices).size
    assert view.page_label.text().startswith(f"{PAGE + 1:,}-")
    qtbot.mouseClick(view.prev_button, Qt.MouseButton.LeftButton)
    assert view.page == 0 and not view.prev_button.isEnabled()

    # the test set has its own counts
    view.set_combo.setCurrentIndex(view.set_combo.findData("test"))
    np.testing.assert_array_equal(view.counts, np.bincount(data.test_y, minlength=10))
    view.select_digit(7)
    assert np.all(data.test_y[view.indices] == 7)

    with qtbot.waitSignal(session.showImageRequested) as blocker:
        click(qtbot, view.gallery, view.gallery.item_rect(0))
    np.testing.assert_array_equal(blocker.args[0], data.test_x[view.indices[0]])
    assert blocker.args[1] == 7


class _KeyCatcher(QLineEdit):
    """A text field that records the keys it gets."""

    def __init__(self):
        super().__init__()
        self.keys = []

    def keyPressEvent(self, event):
        self.keys.append(event.key())
        super().keyPressEvent(event)


def test_dataset_digit_keys(session, qtbot):
    """Keys 0-9 and A pick the digit whenever the Dataset view is visible, wherever the
    focus is, also after the counts were written on the buttons (a new set); text
    fields keep their digits and a hidden view takes no keys."""
    other = QWidget()
    typing = _KeyCatcher()
    QVBoxLayout(other).addWidget(typing)
    tabs = QTabWidget()
    view = DatasetView(session)
    tabs.addTab(view, "Dataset")
    tabs.addTab(other, "Other")
    window = QWidget()
    layout = QVBoxLayout(window)
    elsewhere = _KeyCatcher()  # a text field beside the tabs, like the builder's
    layout.addWidget(elsewhere)
    layout.addWidget(tabs)
    shown(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert view.digit == ALL and view._loaded

    for focus in (view.gallery, view.set_combo, tabs.tabBar(), view.digit_buttons[5]):
        focus.setFocus()
        QTest.keyClick(focus, Qt.Key.Key_3)
        assert view.digit == 3, focus
        assert np.all(session.data.train_y[view.indices] == 3)
        QTest.keyClick(focus, Qt.Key.Key_A)
        assert view.digit == ALL, focus
    # a new set rewrites the buttons' texts: the keys still work
    view.set_combo.setCurrentIndex(view.set_combo.findData("test"))
    QTest.keyClick(view.gallery, Qt.Key.Key_7)
    assert view.digit == 7 and np.all(session.data.test_y[view.indices] == 7)
    QTest.keyClick(view.gallery, Qt.Key.Key_0, Qt.KeyboardModifier.KeypadModifier)
    assert view.digit == 0
    # the hint and the tooltips name the keys
    assert "(key 7)" in view.digit_buttons[7].toolTip()
    assert "(A)" in view.digit_buttons[ALL].toolTip()

    # a text field keeps its digits
    elsewhere.setFocus()
    QTest.keyClick(elsewhere, Qt.Key.Key_4)
    assert elsewhere.text() == "4" and view.digit == 0
    # a hidden view takes no keys: they go to the focused widget
    tabs.setCurrentWidget(other)
    typing.setFocus()
    typing.setReadOnly(True)  # not even a text field would take them otherwise
    QTest.keyClick(typing, Qt.Key.Key_5)
    assert view.digit == 0 and Qt.Key.Key_5 in typing.keys


def test_dataset_digit_buttons_fit_when_narrow(mnist, qtbot):
    """At the window's minimum size the eleven buttons wrap to more rows instead of
    shortening their counts ("4…2"); wide, they are one row."""
    session = Session(data=mnist.split())  # the real counts: "4,932" needs the room
    view = shown(qtbot, DatasetView(session))
    buttons = [view.digit_buttons[d] for d in [ALL, *range(10)]]

    def rows():
        return len({b.y() for b in buttons})

    def whole():  # every button wide enough for its text: nothing elided
        return all(b.width() >= b.sizeHint().width() for b in buttons)

    for width, many_rows in [(500, True), (1200, False), (480, True), (700, False)]:
        view.resize(width, 700)
        qtbot.waitUntil(lambda m=many_rows: (rows() > 1) == m, timeout=2000)
        qtbot.waitUntil(whole, timeout=2000)
        assert rows() <= 2
        # the buttons are inside the view, below the hint, above the images
        for b in buttons:
            right = b.mapTo(view, b.rect().bottomRight())
            assert right.x() < view.width()
            assert right.y() < view.gallery.mapTo(view, view.gallery.rect().topLeft()).y()
    assert view.digit_buttons[ALL].text() == f"All\n{len(session.data.train_y):,}"


@pytest.mark.parametrize("width", [330, 900])
def test_dataset_paging_row_folds_when_narrow(session, qtbot, width):
    """The set, the page and its buttons are one row when they fit; in a narrow centre
    column the buttons go under them instead of cutting the page text."""
    view = DatasetView(session)
    qtbot.addWidget(view)
    view.resize(width, 600)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: "of" in view.page_label.text())
    assert view.width() == width  # the view asks for no more than it gets
    label = view.page_label
    # the layout settles after a pass of the event loop: wait for it, do not sleep
    qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width(), timeout=5_000)
    for widget in (view.set_combo, label, view.prev_button, view.next_button):
        assert widget.mapTo(view, widget.rect().topRight()).x() < view.width()
    same_row = view.next_button.y() == view.set_combo.y()
    assert same_row == (width >= 900)


def test_gallery_handles_many_images(qtbot):
    from playground.ui.insight.gallery import ImageGallery

    gallery = shown(qtbot, ImageGallery())
    images = np.random.default_rng(0).integers(0, 255, (5000, 28, 28), dtype=np.uint8)
    gallery.set_images(images, [str(i) for i in range(5000)])
    assert gallery.count() == 5000
    # pixmaps are made only for the images painted so far
    qtbot.waitUntil(lambda: len(gallery.gallery_model._pixmaps) > 0)
    assert len(gallery.gallery_model._pixmaps) < 1000
    with qtbot.waitSignal(gallery.imageClicked) as blocker:
        click(qtbot, gallery, gallery.item_rect(3))
    assert blocker.args == [3]
    gallery.setCurrentIndex(gallery.gallery_model.index(7))
    with qtbot.waitSignal(gallery.imageClicked) as blocker:
        qtbot.keyClick(gallery, Qt.Key.Key_Return)
    assert blocker.args == [7]


# -- shared evaluation, errors ------------------------------------------------------------------
def test_one_evaluation_serves_both_views(session, qtbot, monkeypatch):
    calls = []
    real = analysis.evaluate

    def counting(net, x, y):
        calls.append(len(x))
        return real(net, x, y)

    monkeypatch.setattr(analysis, "evaluate", counting)
    evaluator = Evaluator(session)
    confusion = shown(qtbot, ConfusionView(session, evaluator))
    mistakes = shown(qtbot, MistakesView(session, evaluator))
    train(session)
    evaluated(qtbot, confusion)
    evaluated(qtbot, mistakes)
    assert calls == [len(session.data.test_y)]
    assert confusion.result is mistakes.result


def test_results_for_an_old_model_are_dropped(session, qtbot):
    view = shown(qtbot, ConfusionView(session))
    train(session)
    assert view.evaluator.busy  # evaluating on the background thread
    session.reset_weights()  # a new model before the result arrives
    # the evaluation of the old weights runs to its end and its result is dropped
    qtbot.waitUntil(lambda: view.evaluator.dropped == 1, timeout=10_000)
    assert view.result is None and view.stack.empty


def test_missing_data_is_reported_not_fatal(session, qtbot, monkeypatch):
    def broken(self):
        raise OSError("t10k-images-idx3-ubyte: cannot read file")

    confusion = shown(qtbot, ConfusionView(session))
    dataset = DatasetView(session)
    monkeypatch.setattr(Session, "data", property(broken))
    confusion.recompute.click()
    assert confusion.stack.empty and "cannot read file" in confusion.stack.message.text()
    shown(qtbot, dataset)
    assert dataset.stack.empty and "cannot read file" in dataset.stack.message.text()
