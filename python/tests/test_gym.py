"""economist.gym.AgentVectorEnv: a Gymnasium vector env of every mobile agent."""

import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import economist
from economist.gym import AgentVectorEnv


def test_spaces_steps_and_same_step_autoreset(tutorial_config):
    envs = AgentVectorEnv(dict(tutorial_config, episode_length=10), num_envs=3, threads=2, planner="random")
    assert envs.num_envs == 12 and envs.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    obs, infos = envs.reset(seed=5)
    assert obs.shape == (12, envs.single_observation_space.shape[0]) and obs.dtype == np.float32
    assert envs.observation_space.contains(obs)
    assert infos["action_mask"].shape == (12, 50) and infos["action_mask"].dtype == np.int8
    assert [f.key for f in envs.fields] == ["world-map", "world-idx_map", "time", "flat"]
    for t in range(10):
        mask = infos["action_mask"]
        actions = np.array([np.random.default_rng(t * 12 + i).choice(np.flatnonzero(m)) for i, m in enumerate(mask)])
        assert envs.action_space.contains(actions)
        obs, rewards, terminated, truncated, infos = envs.step(actions)
        assert rewards.shape == (12,) and not terminated.any()
    assert truncated.all() and infos["_final_obs"].all()
    final = np.stack(infos["final_obs"])
    assert final.shape == obs.shape and not np.array_equal(final, obs)
    time = [f for f in envs.fields if f.key == "time"][0]
    assert (obs[:, time.offset] == 0).all()  # the next episode's first observation


def test_same_seed_same_run(tutorial_config):
    def run():
        envs = AgentVectorEnv(dict(tutorial_config, episode_length=20), num_envs=2)
        obs, _ = envs.reset(seed=3)
        out = [obs]
        for _ in range(5):
            obs, *_ = envs.step(np.zeros(envs.num_envs, dtype=np.int64))
            out.append(obs)
        return np.stack(out)
    np.testing.assert_array_equal(run(), run())


def test_bad_arguments(tutorial_config):
    with pytest.raises(ValueError, match="planner must be one of noop, random"):
        AgentVectorEnv(tutorial_config, planner="saez")
    envs = AgentVectorEnv(tutorial_config, num_envs=2)
    envs.reset(seed=0)
    with pytest.raises(ValueError, match=r"expected actions of shape \(8,\), found \(3,\)"):
        envs.step(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match="actions must be integers"):
        envs.step(np.full(8, 2.7))
    with pytest.raises(economist.ActionError, match="4294967299 is outside"):
        envs.step(np.full(8, 2**32 + 3, dtype=np.int64))
