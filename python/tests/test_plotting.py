"""economist.plotting: Foundation's tutorial plotting calls give PNG images drawn by Swift."""

import numpy as np
import pytest

from economist import foundation, plotting


@pytest.fixture(scope="module")
def episode(tutorial_config):
    env = foundation.make_env_instance(**dict(tutorial_config, episode_length=120, world_dense_log_frequency=20))
    obs = env.reset(seed=2, force_dense_logging=True)
    rng = np.random.default_rng(1)
    done = {"__all__": False}
    while not done["__all__"]:
        actions = {}
        for key, o in obs.items():
            m = o["action_mask"]
            actions[key] = ([int(rng.choice(np.flatnonzero(m[i * 22:(i + 1) * 22]))) for i in range(7)]
                            if key == "p" else int(rng.choice(np.flatnonzero(m))))
        obs, rew, done, info = env.step(actions)
    return env


def test_breakdown_returns_foundations_structure(episode, tmp_path):
    log = episode.previous_episode_dense_log
    (world, agents, trajectories), incomes, endows, c_trades, all_builds = plotting.breakdown(log)
    for image in (world, agents, trajectories):
        assert image.png[:8] == b"\x89PNG\r\n\x1a\n" and image._repr_png_() is image.png
        assert image.width >= 400 and image.height >= 300
    assert list(incomes) == ["Sell Stone", "Buy Stone", "Sell Wood", "Buy Wood", "Build", "Total"]
    assert len(endows) == 4 and set(c_trades) == {"Stone", "Wood"}
    final = log["states"][-1]
    assert endows == [int(final[str(i)]["inventory"]["Coin"] + final[str(i)]["escrow"]["Coin"]) for i in range(4)]
    assert sum(len(b) for b in log["Build"]) == len(all_builds)
    np.testing.assert_allclose(incomes["Total"], np.sum([incomes[k] for k in incomes if k != "Total"], axis=0))
    saved = world.save(tmp_path / "world.png")
    assert saved.read_bytes() == world.png


def test_world_range_and_env_state(episode):
    log = episode.previous_episode_dense_log
    wide = plotting.vis_world_range(log, 0, 120, 5)
    narrow = plotting.vis_world_range(log, 40, 60, 5)
    assert narrow.width < wide.width  # only the snapshots at 40 and 60 are in range
    state = plotting.plot_env_state(episode)
    assert state.png[:4] == b"\x89PNG"
    with pytest.raises(NotImplementedError, match="matplotlib"):
        plotting.plot_env_state(episode, ax=object())


def test_bad_logs_and_arguments_are_errors(episode):
    log = episode.previous_episode_dense_log
    with pytest.raises(ValueError, match="unknown chart 'worlds'"):
        plotting.chart(log, "worlds")
    with pytest.raises(ValueError, match=r"the step range must have 0 <= from <= to"):
        plotting.vis_world_range(log, 60, 40)
    with pytest.raises(ValueError, match="states"):
        plotting.chart({"world": [], "states": "x", "actions": [], "rewards": []}, "agents")
