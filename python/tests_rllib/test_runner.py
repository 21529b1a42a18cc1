"""VectorEnvRunner: the episodes it builds hold exactly what the Swift env did, in the form RLlib's
own constructor gives, and continue across sample() calls."""

import numpy as np
import pytest
from ray.rllib.core.columns import Columns
from ray.rllib.env.multi_agent_episode import MultiAgentEpisode

import economist
from economist.rllib import ppo_config
from economist.rllib.runner import VectorEnvRunner


@pytest.fixture(scope="module")
def runner(small_config):
    r = VectorEnvRunner(config=ppo_config(str(small_config), num_env_runners=0, num_envs_per_env_runner=2))
    yield r
    r.stop()


def slow_episode(fast: MultiAgentEpisode, mapping) -> MultiAgentEpisode:
    """The same chunk built the way RLlib's runner builds it: per-step dicts, then to_numpy()."""
    agents = sorted(fast.agent_episodes)
    n = len(fast)
    obs = {a: fast.agent_episodes[a].get_observations(slice(0, n + 1)) for a in agents}
    acts = {a: fast.agent_episodes[a].get_actions() for a in agents}
    rews = {a: fast.agent_episodes[a].get_rewards() for a in agents}
    keys = (Columns.ACTION_LOGP, Columns.ACTION_DIST_INPUTS)
    extras = {a: {k: fast.agent_episodes[a].get_extra_model_outputs(k) for k in keys} for a in agents}
    episode = MultiAgentEpisode(
        id_=fast.id_,
        observations=[{a: {k: obs[a][k][t] for k in obs[a]} for a in agents} for t in range(n + 1)],
        actions=[{a: acts[a][t] for a in agents} for t in range(n)],
        rewards=[{a: float(rews[a][t]) for a in agents} for t in range(n)],
        extra_model_outputs=[{a: {k: extras[a][k][t] for k in keys} for a in agents} for t in range(n)],
        terminateds={"__all__": False}, truncateds={**{a: fast.is_truncated for a in agents},
                                                   "__all__": fast.is_truncated},
        env_t_started=fast.env_t_started, len_lookback_buffer=0,
        observation_space=fast.observation_space, action_space=fast.action_space,
        agent_to_module_mapping_fn=mapping)
    return episode.to_numpy()


def test_sample_replays_exactly_on_the_swift_env_and_matches_rllibs_own_episodes(runner, small_config):
    episodes = runner.sample(num_timesteps=2 * 60, force_reset=True)
    seed = runner.reset_seed
    done = [e for e in episodes if e.is_done]
    ongoing = [e for e in episodes if not e.is_done]
    assert len(done) == 2 and len(ongoing) == 2  # 50-step episodes: one each, then 10 steps
    assert [len(e) for e in done] == [50, 50] and [len(e) for e in ongoing] == [10, 10]
    assert [e.env_t_started for e in ongoing] == [0, 0]

    # Replay the recorded actions on a fresh VectorEnv with the runner's seed.
    vector = economist.VectorEnv(str(small_config), num_envs=2, auto_reset=True)
    vector.reset(seed)
    by_env = [[done[0], ongoing[0]], [done[1], ongoing[1]]]
    for t in range(60):
        for p in vector.policies:
            for k in range(2):
                e = by_env[k][0] if t < 50 else by_env[k][1]
                s = t if t < 50 else t - 50
                for i, agent in enumerate(p.agents):
                    sa = e.agent_episodes[agent]
                    np.testing.assert_array_equal(sa.get_observations(s)["observations"], p.observations[k, i])
                    np.testing.assert_array_equal(sa.get_observations(s)["action_mask"], p.masks[k, i])
                    p.actions[k, i] = sa.get_actions(s)
        vector.step()
        for p in vector.policies:
            for k in range(2):
                e = by_env[k][0] if t < 50 else by_env[k][1]
                s = t if t < 50 else t - 50
                for i, agent in enumerate(p.agents):
                    assert e.agent_episodes[agent].get_rewards(s) == np.float64(p.rewards[k, i])
                    if t == 49:  # the episode's last observation is the final one, not the reset's
                        np.testing.assert_array_equal(
                            e.agent_episodes[agent].get_observations(50)["observations"], p.final_observations[k, i])

    for fast in done + ongoing:
        slow = slow_episode(fast, runner.config.policy_mapping_fn)
        assert (len(slow), slow.env_t_started, slow.env_t, slow.is_done) == (
            len(fast), fast.env_t_started, fast.env_t, fast.is_done)
        for agent, sa in fast.agent_episodes.items():
            other = slow.agent_episodes[agent]
            assert sa.module_id == other.module_id == ("p" if agent == "p" else "a")
            assert (sa.t_started, len(sa)) == (other.t_started, len(other))
            for getter in ("get_observations", "get_actions", "get_rewards"):
                a, b = getattr(sa, getter)(), getattr(other, getter)()
                for x, y in zip(np.atleast_1d(a) if not isinstance(a, dict) else [a],
                                np.atleast_1d(b) if not isinstance(b, dict) else [b]):
                    if isinstance(x, dict):
                        for key in x:
                            np.testing.assert_array_equal(x[key], y[key])
                    else:
                        np.testing.assert_array_equal(x, y)
            np.testing.assert_array_equal(sa.get_extra_model_outputs(Columns.ACTION_LOGP),
                                          other.get_extra_model_outputs(Columns.ACTION_LOGP))
        assert fast.get_return() == pytest.approx(slow.get_return())


def test_chunks_continue_across_calls_and_metrics_count_steps(runner):
    first = runner.sample(num_timesteps=2 * 20, force_reset=True)
    second = runner.sample(num_timesteps=2 * 40)
    assert {e.id_ for e in first} <= {e.id_ for e in second}
    continued = [e for e in second if e.id_ in {f.id_ for f in first}]
    assert [e.env_t_started for e in continued] == [20, 20] and all(e.is_done for e in continued)
    fresh = [e for e in second if not e.is_done]
    assert [e.env_t_started for e in fresh] == [0, 0] and [len(e) for e in fresh] == [10, 10]
    metrics = runner.get_metrics()
    assert float(metrics["num_env_steps_sampled"]) > 0
    returns = [c.get_return() + f.get_return() for f in first for c in continued if c.id_ == f.id_]
    assert float(metrics["episode_return_mean"]) == pytest.approx(np.mean(returns))
    assert 0 <= float(metrics["social/equality"]) <= 1 and float(metrics["social/productivity"]) >= 0


def test_random_actions_and_inference_stay_within_the_masks(runner):
    for kwargs in ({"random_actions": True}, {"explore": False}):
        for e in runner.sample(num_timesteps=2 * 30, force_reset=True, **kwargs):
            for agent, sa in e.agent_episodes.items():
                masks = sa.get_observations(slice(0, len(sa)))["action_mask"]
                actions = sa.get_actions()
                if agent == "p":
                    offsets = np.concatenate([[0], np.cumsum([22] * 7)[:-1]])
                    assert (masks[np.arange(len(sa))[:, None], offsets + actions] == 1).all()
                else:
                    assert (masks[np.arange(len(sa)), actions] == 1).all()


def test_episodes_mode_returns_complete_episodes(runner):
    episodes = runner.sample(num_episodes=3)
    assert len(episodes) >= 3 and all(e.is_done and len(e) == 50 for e in episodes)
