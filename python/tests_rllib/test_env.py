"""The RLlib MultiAgentEnv over the Swift core: spaces, masks, seeds, truncation, errors."""

import numpy as np
import pytest
from ray.rllib.utils.pre_checks.env import check_multiagent_environments

import economist
from economist.rllib import EconomyEnv, policy_of
from economist.runconfig import load_run_config

from conftest import ROOT


@pytest.fixture()
def env(small_config):
    e = EconomyEnv({"config": str(small_config)})
    yield e
    e.close()


def test_passes_rllibs_env_checker_with_unmasked_random_actions(env):
    check_multiagent_environments(env)  # steps with actions drawn from the spaces, ignoring masks
    masked = sum(int(p.masked_actions.sum()) for p in env._vector.policies)
    assert masked >= 0  # counted, and acted as NO-OP instead of raising


def test_spaces_are_dicts_with_a_float_mask_as_long_as_the_logits(env):
    assert env.possible_agents == ["0", "1", "2", "3", "p"]
    agent, planner = env.observation_spaces["0"], env.observation_spaces["p"]
    assert set(agent.spaces) == {"observations", "action_mask"}
    assert agent["action_mask"].dtype == np.float32 and agent["observations"].dtype == np.float32
    assert agent["action_mask"].shape == (env.action_spaces["0"].n,) == (50,)
    nvec = env.action_spaces["p"].nvec
    assert list(nvec) == [22] * 7  # seven bracket rates, 0%…100% in 5% steps plus NO-OP
    assert planner["action_mask"].shape == (int(nvec.sum()),)
    obs, infos = env.reset(seed=3)
    for agent_id, o in obs.items():
        assert env.observation_spaces[agent_id].contains(o), agent_id
    assert [policy_of(a) for a in env.possible_agents] == ["a", "a", "a", "a", "p"]


def test_a_masked_action_acts_as_no_op(env, small_config):
    twin = EconomyEnv({"config": str(small_config)})
    obs, _ = env.reset(seed=5)
    twin.reset(seed=5)
    forbidden = np.flatnonzero(obs["0"]["action_mask"] == 0)
    assert forbidden.size  # building needs resources the agents do not have at the start
    o1, r1, *_ = env.step({"0": int(forbidden[0])})
    o2, r2, *_ = twin.step({"0": 0})  # NO-OP
    assert int(env._vector.policies[0].masked_actions[0, 0]) == 1
    assert int(twin._vector.policies[0].masked_actions[0, 0]) == 0
    assert env._vector.query("state")["states"] == twin._vector.query("state")["states"]
    np.testing.assert_array_equal(o1["0"]["observations"], o2["0"]["observations"])
    assert r1 == r2


def test_same_seed_same_episode_and_runners_get_their_own_seeds(small_config):
    def rollout(env, seed):
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(0)
        rewards = []
        for _ in range(20):
            actions = {a: int(rng.choice(np.flatnonzero(o["action_mask"]))) for a, o in obs.items() if a != "p"}
            obs, rew, *_ = env.step(actions)
            rewards.append([rew[a] for a in sorted(rew)])
        return np.array(rewards), obs["0"]["observations"]

    a, b = EconomyEnv({"config": str(small_config)}), EconomyEnv({"config": str(small_config)})
    ra, oa = rollout(a, 11)
    rb, ob = rollout(b, 11)
    np.testing.assert_array_equal(ra, rb)
    np.testing.assert_array_equal(oa, ob)
    rc, _ = rollout(b, 12)
    assert not np.array_equal(ra, rc)

    class Context(dict):
        worker_index, vector_index = 2, 1

    c = EconomyEnv(Context(config=str(small_config), num_envs_per_env_runner=3))
    assert c.env_id == 3 * (2 - 1) + 1
    assert c._next_seed != a._next_seed


def test_episodes_end_by_truncation_at_episode_length(env):
    env.reset(seed=1)
    for t in range(1, 51):
        obs, rew, term, trunc, info = env.step({})
        assert term == {"__all__": False}
        assert trunc["__all__"] == (t == 50), t
        assert set(rew) == set(env.possible_agents)
    assert env.agents == []
    metrics = env.previous_episode_metrics
    assert 0 <= metrics["social/equality"] <= 1 and metrics["social/productivity"] >= 0
    with pytest.raises(economist.EpisodeOverError):
        env.step({})


def test_bad_actions_are_clear_errors(env):
    env.reset(seed=1)
    with pytest.raises(KeyError, match="no agent '9' \\(agents: 0, 1, 2, 3, p\\)"):
        env.step({"9": 0})
    with pytest.raises(TypeError, match="agent '0': actions must be integers, found float64"):
        env.step({"0": 1.5})
    with pytest.raises(ValueError, match="agent 'p': expected actions of shape \\(7,\\), found \\(3,\\)"):
        env.step({"p": np.array([1, 2, 3])})
    with pytest.raises(economist.ActionError, match="outside its action space"):
        env.step({"0": 2**40})
    with pytest.raises(economist.ActionError):
        env.step({"0": 50})


def test_dense_logs_follow_the_frequency_and_are_taken_once(env):
    env.reset(seed=1)
    for _ in range(4 * 50):
        *_, trunc, _ = env.step({})
        if trunc["__all__"]:
            env.reset()
    logs = env.take_dense_logs()
    # dense_log_frequency 2: episodes 1 and 3 of four are logged; at most the latest two wait.
    assert [episode for episode, _ in logs] == [1, 3]
    assert env.take_dense_logs() == []
    assert logs[0][1].startswith(b"{")


def test_config_errors_name_the_file_and_key(tmp_path, small_config):
    bad = tmp_path / "bad.yaml"
    bad.write_text(small_config.read_text().replace("num_sgd_iter: 1", "num_sgd_iterr: 1"))
    with pytest.raises(economist.ConfigError, match=r"bad.yaml:\d+:\d+: trainer.num_sgd_iterr: unknown parameter "
                                                    r"'num_sgd_iterr' for trainer \(did you mean 'num_sgd_iter'\?\)"):
        EconomyEnv({"config": str(bad)})
    run = load_run_config(str(small_config))
    assert run.planner_policy["entropy_coeff_schedule"] == [[0, 2.0], [1000, 0.1]]
    assert run.trainer["train_batch_size"] == 400 and run.general["train_planner"] is True


def test_one_step_economy_two_step_episodes_on_rllib():
    """The one-step economy through the RLlib env: labor masked on the first step, episodes of
    two steps that truncate, and RLlib's checker passes."""
    e = EconomyEnv({"config": str(ROOT / "scenarios/one_step_economy.yaml")})
    try:
        check_multiagent_environments(e)
        obs, _ = e.reset(seed=1)
        assert obs["0"]["action_mask"].tolist() == [1.0] + [0.0] * 100
        assert obs["p"]["action_mask"].sum() > 7  # the planner sets rates on step 1
        obs, rew, term, trunc, _ = e.step({"p": np.ones(7, dtype=np.int64)})
        assert obs["0"]["action_mask"].sum() == 101 and not trunc["__all__"]
        obs, rew, term, trunc, _ = e.step({a: 30 for a in e.possible_agents if a != "p"})
        assert trunc["__all__"] and set(rew) == set(e.possible_agents)
    finally:
        e.close()
