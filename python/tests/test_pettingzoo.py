"""The PettingZoo ParallelEnv passes PettingZoo's own API and seed tests."""

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test

import economist
from economist.pettingzoo import parallel_env


@pytest.fixture
def config(tutorial_config):
    return dict(tutorial_config, episode_length=40)


def test_parallel_api(config):
    parallel_api_test(parallel_env(config), num_cycles=60)


def test_parallel_seed(config):
    parallel_seed_test(lambda: parallel_env(config))


def test_masks_spaces_and_episode_end(config):
    env = parallel_env(config)
    obs, infos = env.reset(seed=3)
    assert set(infos) == set(env.possible_agents) == {"0", "1", "2", "3", "p"}
    assert env.observation_space("0") is env.observation_space("0")  # cached, stable
    mask = obs["0"]["action_mask"]
    assert mask.dtype == np.int8 and mask.shape == (50,) and mask[0] == 1
    planner = obs["p"]["action_mask"]
    assert isinstance(planner, tuple) and len(planner) == 7 and all(m.shape == (22,) for m in planner)
    assert env.action_space("p").nvec.tolist() == [22] * 7
    for t in range(40):
        obs, rew, term, trunc, info = env.step({a: env.action_space(a).sample() for a in env.agents})
    assert all(trunc.values()) and not any(term.values()) and env.agents == []
    env.reset(seed=1)
    for bad, error in (({"0": 2**32 + 3}, economist.ActionError), ({"0": 3.9}, TypeError), ({"0": "2"}, TypeError),
                       ({"0": True}, TypeError), ({"p": 5}, ValueError), ({"0": [1, 2]}, ValueError)):
        with pytest.raises(error):
            env.step(bad)
    assert env.state().shape == env.state_space.shape
    with pytest.raises(ValueError, match="render_mode"):
        parallel_env(config, render_mode="human")
