"""How often a run reports, and how many validation images each report measures, follow
the network's work per image, not its parameter count: a convolutional network has few
parameters and much work."""

from playground import nn
from playground.state.hints import forward_madds, layer_madds, training_madds
from playground.state.speed import planning_rate
from playground.ui.training.controller import VAL_SAMPLE
from playground.ui.training.worker import VAL_BUDGET, reports_per_epoch, val_sample_for


def test_a_lenet_measures_fewer_validation_images_per_report_than_its_parameters_allow():
    spec = nn.preset("lenet")["spec"]
    params = nn.Network(spec).param_count
    work = forward_madds(spec)
    assert work > 10 * params  # each kernel weight works at every position
    assert val_sample_for(params, VAL_SAMPLE) == VAL_SAMPLE  # the parameters would allow all
    assert val_sample_for(work, VAL_SAMPLE) == int(VAL_BUDGET // work) < VAL_SAMPLE


def test_a_first_conv_run_plans_reports_from_its_work_and_an_mlp_run_as_before(
        make_panel, qtbot, mnist):
    """On all 50,000 images a LeNet epoch is planned to take over 10 s: it asks for
    enough reports to move at least twice a second; the seed network for 10."""
    from playground.state.session import Session

    lenet = nn.preset("lenet")
    session = Session(data=mnist.split())
    session.load_preset("lenet")
    assert session.set_hyper(epochs=1) == []
    panel = make_panel(session)
    assert panel.start()
    worker = panel.controller._worker
    conv_reports, conv_val = worker.reports, worker.val_sample
    panel.stop()
    qtbot.waitUntil(lambda: not panel.controller.busy, timeout=60_000)
    planned = training_madds(layer_madds(lenet["spec"])) * 50_000 / planning_rate(32, "adam")
    assert planned > 10
    assert conv_reports == reports_per_epoch(1563, planned) >= 2 * planned
    assert conv_val == val_sample_for(forward_madds(lenet["spec"]), VAL_SAMPLE) < VAL_SAMPLE

    seed = make_panel()  # the seed network on 2,000 images: a first run asks for 10 reports
    assert seed.start()
    assert seed.controller._worker.reports == 10
    assert seed.controller._worker.val_sample == VAL_SAMPLE
    qtbot.waitUntil(lambda: not seed.controller.busy, timeout=60_000)
