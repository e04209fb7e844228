"""Views that look inside the network, shown as tabs beside the training plots.

- Weights (``weightsView``): the first Dense layer's units as 28 x 28 weight pictures, live;
  in a convolutional network, any Conv2D layer's kernels (``kernelLayerCombo``).
- Confusion (``confusionMatrix`` is the table): test-set confusion matrix, per-class
  accuracy, the most confused pair, and the images behind any cell.
- Mistakes: the most confident wrong answers on the test set.
- Robustness (``robustnessView``): test accuracy against added noise, rotation, shift and
  stroke thickness, beside the network before.
- Inside: the current drawing step by step to the 28 x 28 input, and each layer's outputs
  (a convolution's or pooling layer's as a grid of feature maps).
- Dataset: the training, validation and test images by label.

Views that are not on screen skip their work and catch up when shown, so training
keeps its speed with every view open. The maths is in ``playground.nn.analysis`` and
``playground.nn.conv_analysis``.
"""

from __future__ import annotations

from .common import Evaluator
from .confusion_view import ConfusionView
from .dataset_view import DatasetView
from .gallery import ImageGallery
from .inside_view import InsideView
from .mistakes_view import MistakesView
from .robustness_view import RobustnessEvaluator, RobustnessView
from .weights_view import WeightsView

__all__ = ["ConfusionView", "DatasetView", "ImageGallery", "InsideView", "MistakesView",
           "Evaluator", "RobustnessEvaluator", "RobustnessView", "WeightsView",
           "insight_views"]


def insight_views(session, executor=None) -> list:
    """(tab title, widget, tooltip) triples shown beside the training plots.

    Confusion and Mistakes share one evaluation of the test set per set of weights, on
    ``executor``'s thread (the window's; see ``evaluation_executor``); Robustness measures
    on the same thread.
    """
    evaluator = Evaluator(session, executor)
    views = [
        ("Weights", WeightsView(session),
         "What each first-layer unit (or convolution filter) looks for: its weights as "
         "a picture"),
        ("Confusion", ConfusionView(session, evaluator),
         "Which digits the network mixes up on the test set"),
        ("Mistakes", MistakesView(session, evaluator),
         "The test images the network gets wrong with the most confidence"),
        ("Robustness", RobustnessView(session, RobustnessEvaluator(session, evaluator.executor)),
         "How the test accuracy holds up against noise, rotation, shift and stroke "
         "thickness, now and before"),
        ("Inside", InsideView(session),
         "Your drawing step by step, and what each layer makes of it"),
        ("Dataset", DatasetView(session), "Browse the MNIST images by digit"),
    ]
    evaluator.setParent(views[1][1])  # lives as long as the views
    return views
