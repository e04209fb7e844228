"""Render the README's screenshots offscreen: python docs/screenshots.py

Trains the seed network for one epoch through the Start button, draws a digit on the
canvas with simulated strokes, and saves the window (window.png). Then trains the "Overfit
on 1,000 images" preset for its 400 epochs, without and with weight decay 0.0001, and saves
the two sets of plots side by side (overfitting.png). About a minute and a half.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

# a 1920 x 1080 offscreen screen (the default is 800 x 800), so the window keeps the
# 1280 x 800 it is given instead of fitting itself to a small screen
_SCREEN = Path(tempfile.gettempdir()) / "nn-playground-screenshots-screen.json"
_SCREEN.write_text(json.dumps({"screens": [{"name": "screenshots", "x": 0, "y": 0,
                                            "width": 1920, "height": 1080,
                                            "logicalDpi": 96, "logicalBaseDpi": 96,
                                            "dpr": 1}]}))
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")

from PySide6.QtCore import QCoreApplication, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def side_by_side(left: QPixmap, right: QPixmap) -> QPixmap:
    """Two grabs next to each other, a white gap between."""
    gap = 16
    out = QPixmap(left.width() + gap + right.width(), max(left.height(), right.height()))
    out.fill(QColor(Qt.GlobalColor.white))
    painter = QPainter(out)
    painter.drawPixmap(0, 0, left)
    painter.drawPixmap(left.width() + gap, 0, right)
    painter.end()
    return out


def main() -> None:
    app = QApplication([])
    QCoreApplication.setOrganizationName("nn-playground-screenshots")
    QCoreApplication.setApplicationName("screenshots")
    QSettings().clear()
    import pyqtgraph as pg

    from playground.ui.window.main_window import MainWindow

    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
    window = MainWindow()
    window.resize(1280, 800)
    window.show()

    def spin(seconds: float) -> None:
        end = time.time() + seconds
        while time.time() < end:
            app.processEvents()
            time.sleep(0.01)

    def train() -> None:
        window.training.start()
        while window.session.training_state != "idle":
            spin(0.1)
        spin(0.5)

    spin(0.5)
    train()
    # a hand-drawn 4: two strokes, slightly slanted, off-centre
    window.draw.canvas.draw_stroke([(95, 50), (80, 120), (70, 165), (190, 160)])
    window.draw.canvas.draw_stroke([(165, 60), (160, 150), (155, 245)])
    spin(1.0)
    window.grab().save(str(HERE / "window.png"))
    window.draw.canvas.clear()
    window.session.dirty = False
    window.session.reset_weights()  # nothing trained to lose: no question asked
    window.builder.apply_preset("overfit")
    train()
    before = window.training.plots.grab()
    window.session.set_hyper(weight_decay=1e-4)
    window.session.reset_weights()
    train()
    after = window.training.plots.grab()
    side_by_side(before, after).save(str(HERE / "overfitting.png"))
    window.session.dirty = False
    window.close()
    QSettings().clear()


if __name__ == "__main__":
    main()
