"""economist.plotting of a one-step economy's dense log: its own charts, and clear errors for
the map charts and for a truncated log."""

import copy

import pytest

from economist import foundation, plotting


@pytest.fixture(scope="module")
def log():
    env = foundation.make_env_instance(
        scenario_name="one-step-economy", n_agents=4, world_size=[10, 10], episode_length=2, dense_log_frequency=1,
        components=[{"SimpleLabor": {}},
                    {"PeriodicBracketTax": {"period": 2, "bracket_spacing": "us-federal", "usd_scaling": 1000}}])
    env.reset(seed=1, force_dense_logging=True)
    env.step({"0": 0, "1": 0, "2": 0, "3": 0, "p": [3] * 7})
    env.step({"0": 10, "1": 40, "2": 70, "3": 100, "p": [0] * 7})
    return env.previous_episode_dense_log


def test_one_step_charts(log):
    for name, size in (("agents-by-skill", (1200, 880)), ("tax-schedule", (1300, 560))):
        image = plotting.chart(log, name)
        assert image.png[:8] == b"\x89PNG\r\n\x1a\n" and (image.width, image.height) == size
    assert plotting.chart(log, "tax-schedule", size=(640, 300)).width == 640


def test_map_charts_and_truncated_logs_are_errors(log):
    with pytest.raises(ValueError, match="one-step economy's log .* has no 'world' chart"):
        plotting.chart(log, "world")
    truncated = copy.deepcopy(log)
    truncated["PeriodicTax"][1] = []
    with pytest.raises(ValueError, match=r"PeriodicTax\[1\]: expected the tax record"):
        plotting.chart(truncated, "agents-by-skill")
