"""VectorEnv: zero-copy buffers, determinism, parity with the CLI, errors, memory safety."""

import gc
import json
import subprocess

import numpy as np
import pytest

import economist
from conftest import ROOT

CONFIG = ROOT / "scenarios/gather_trade_build.yaml"


def short(tutorial_config, length=30, **extra):
    return dict(tutorial_config, episode_length=length, **extra)


def test_layout_matches_the_spaces(tutorial_config):
    v = economist.VectorEnv(tutorial_config, num_envs=3, threads=2)
    a, p = v.policy("a"), v.policy("p")
    assert (a.agents, p.agents) == (["0", "1", "2", "3"], ["p"])
    assert a.observations.shape == (3, 4, a.observation_size) and a.observations.dtype == np.float32
    assert a.masks.shape == (3, 4, 50) and a.actions.shape == (3, 4, 1) and a.actions.dtype == np.int32
    assert p.masks.shape == (3, 1, 154) and p.actions.shape == (3, 1, 7)
    assert a.action_space == {"type": "discrete", "n": 50}
    assert p.action_space == {"type": "multi_discrete", "nvec": [22] * 7}
    assert [f.key for f in a.fields] == ["world-map", "world-idx_map", "time", "flat"]
    assert a.observation_size == sum(f.size for f in a.fields) == 7 * 121 + 2 * 121 + 1 + 136
    assert v.terminated.shape == v.truncated.shape == (3,) and v.truncated.dtype == np.bool_


def test_views_are_zero_copy_and_stable(tutorial_config):
    v = economist.VectorEnv(short(tutorial_config), num_envs=2)
    obs, rewards = v.policy("a").observations, v.policy("a").rewards
    address = obs.ctypes.data
    v.reset(3)
    before = obs.copy()
    for _ in range(5):
        v.step_random()
    # The same memory, seen changing without a new array: the view is the Swift buffer.
    assert v.policy("a").observations.ctypes.data == address
    assert not np.array_equal(before, obs)
    assert obs.base is not None and not obs.flags.owndata
    # Actions written through the view are what the next step applies.
    acts = v.policy("a").actions
    acts[...] = 0
    v.step()
    assert (v.policy("a").masked_actions == 0).all()
    assert rewards is v.policy("a").rewards


def test_same_seed_same_episodes_whatever_the_threads(tutorial_config):
    def run(threads):
        v = economist.VectorEnv(short(tutorial_config), num_envs=4, threads=threads)
        v.reset(11)
        out = []
        for _ in range(45):  # past an automatic reset
            v.step_random()
            out.append((v.policy("a").observations.copy(), v.policy("p").rewards.copy(), v.truncated.copy()))
        return out
    one, two = run(1), run(2)
    assert len(one) == len(two)
    for x, y in zip(one, two):
        for a, b in zip(x, y):
            np.testing.assert_array_equal(a, b)
    assert any(t.any() for _, _, t in one)


def test_random_episode_equals_the_cli(tmp_path, tutorial_config, cli):
    """Env i with exact seeds runs `economist simulate --seed s+i`'s episode: same dense log."""
    config = short(tutorial_config, length=40)
    path = tmp_path / "env.json"
    path.write_text(json.dumps({"env": dict(config, components=[{n: k} for n, k in config["components"]])}))
    v = economist.VectorEnv(path, num_envs=2, dense_logs=True)
    v.reset(5, exact_seeds=True, dense_log=True)
    for _ in range(40):
        v.step_random()
    assert v.truncated.all()
    subprocess.run([cli, "simulate", str(path), "--episodes", "2", "--seed", "5", "--dense-log", str(tmp_path / "logs")],
                   check=True, capture_output=True)
    for i in range(2):
        ours = v.query("previous_episode_dense_log", i)
        theirs = json.loads((tmp_path / f"logs/episode_00{i}.json").read_text())
        assert ours == theirs
    metrics = v.query("previous_episode_metrics", 1)
    assert metrics["social/productivity"] > 0


def test_sampled_actions_are_allowed_and_cover_the_mask(tutorial_config):
    v = economist.VectorEnv(tutorial_config, num_envs=8)
    v.reset(2)
    rng = np.random.default_rng(4)
    for policy in v.policies:
        seen = np.zeros_like(policy.masks, dtype=bool)
        for _ in range(300):
            acts = policy.sample_actions(rng)
            for k, (n, start) in enumerate(zip(policy.nvec, policy.mask_offsets)):
                chosen = np.take_along_axis(policy.masks[..., start:start + n], acts[..., k:k + 1], axis=-1)
                assert (chosen == 1).all()
                np.put_along_axis(seen[..., start:start + n], acts[..., k:k + 1], True, axis=-1)
        np.testing.assert_array_equal(seen, policy.masks > 0)


def test_errors_are_exceptions_with_the_swift_message(tmp_path, tutorial_config):
    bad = tmp_path / "bad.yaml"
    bad.write_text("env:\n  scenario_name: layout_from_file/simple_wood_and_stone\n  n_agents: two\n")
    with pytest.raises(economist.ConfigError) as e:
        economist.VectorEnv(bad)
    assert f"{bad}:3:13: env.n_agents: expected an integer, found 'two'" in str(e.value)
    assert isinstance(e.value, ValueError)
    with pytest.raises(economist.ConfigError, match="did you mean 'episode_length'"):
        economist.VectorEnv(dict(tutorial_config, episode_lenght=5))
    with pytest.raises(ValueError, match=r"num_envs must be in 1...4096, found 0"):
        economist.VectorEnv(tutorial_config, num_envs=0)
    v = economist.VectorEnv(short(tutorial_config), num_envs=2)
    v.reset(1)
    v.policy("a").actions[1, 2, 0] = 50
    with pytest.raises(economist.ActionError) as e:
        v.step()
    assert str(e.value) == "environment 1, agent '2': action 50 is outside its action space Discrete(50)"
    assert v.query("status", 1)["timestep"] == 0
    with pytest.raises(economist.EconomistError, match="unknown query 'metric'"):
        v.query("metric")
    with pytest.raises(IndexError):
        v.query("metrics", 2)
    v.close()
    with pytest.raises(ValueError, match="closed"):
        v.step()


def test_stepping_before_a_reset_is_an_error_not_a_crash(tutorial_config):
    v = economist.VectorEnv(tutorial_config, num_envs=2)
    for call in (v.step, v.step_random):
        with pytest.raises(economist.EconomistError, match="step before the first reset; call reset"):
            call()
    with pytest.raises(ValueError, match=r"expected actions of shape \(2, 4, 1\), found \(4, 2, 1\)"):
        v.step({"a": np.zeros((4, 2, 1), dtype=np.int64)})
    with pytest.raises(ValueError, match="NUL"):
        v.query("metrics\0junk")


def test_without_auto_reset_a_finished_episode_waits(tutorial_config):
    v = economist.VectorEnv(short(tutorial_config, length=3), auto_reset=False)
    v.reset(0)
    for _ in range(3):
        v.step_random()
    assert v.truncated[0] and v.query("status")["done"]
    np.testing.assert_array_equal(v.policy("a").observations, v.policy("a").final_observations)
    with pytest.raises(economist.EpisodeOverError) as e:
        v.step_random()
    assert str(e.value) == "step() after the episode ended (episode_length 3); call reset() first"
    v.reset(1)
    assert not v.truncated[0] and v.query("status")["timestep"] == 0


def test_views_outlive_the_env_object(tutorial_config):
    v = economist.VectorEnv(tutorial_config, num_envs=2)
    v.reset(9)
    obs = v.policy("p").observations
    expected = obs.copy()
    del v
    gc.collect()
    np.testing.assert_array_equal(obs, expected)  # the buffer is still alive through the view


def test_set_buffers_copies_into_caller_arrays(tutorial_config):
    v = economist.VectorEnv(short(tutorial_config), num_envs=2)
    mine = np.zeros(v.policy("a").observations.shape, dtype=np.float32)
    done = np.zeros(2, dtype=bool)
    v.set_buffers(observations_a=mine, truncated=done)
    v.reset(4)
    v.step_random()
    np.testing.assert_array_equal(mine, v.policy("a").observations)
    with pytest.raises(ValueError, match="expected shape"):
        v.set_buffers(rewards_a=np.zeros(3))
    with pytest.raises(KeyError, match="unknown buffer 'reward_a'"):
        v.set_buffers(reward_a=np.zeros(3))


def test_threads_sharing_one_env_take_turns(tutorial_config):
    """ctypes releases the GIL during a call: the library serializes calls on one handle, so
    two Python threads stepping the same envs lose no step and corrupt nothing."""
    import threading
    v = economist.VectorEnv(short(tutorial_config, length=10_000), num_envs=2)
    v.reset(1)

    def work():
        for _ in range(300):
            v.step_random()
            v.query("status", 1)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert v.query("status", 0)["timestep"] == v.query("status", 1)["timestep"] == 900
