"""economist.foundation: Foundation's API with Foundation's keys, shapes, dtypes and timing;
a Python-driven episode replays identically through the CLI."""

import json
import subprocess

import numpy as np
import pytest

import economist
from economist import foundation

OBS_FACTS = ["obs_flattened", "obs_flatten_observations=False_flatten_masks=True",
             "obs_flatten_observations=False_flatten_masks=False"]


def described(value):
    if isinstance(value, dict):
        return {k: described(v) for k, v in value.items()}
    return {"shape": list(value.shape), "dtype": str(value.dtype)}


@pytest.mark.parametrize("fact", OBS_FACTS)
def test_observation_keys_shapes_and_dtypes_are_foundations(facts, tutorial_config, fact):
    flags = {"obs_flattened": (True, True),
             "obs_flatten_observations=False_flatten_masks=True": (False, True),
             "obs_flatten_observations=False_flatten_masks=False": (False, False)}[fact]
    env = foundation.make_env_instance(**dict(tutorial_config, flatten_observations=flags[0], flatten_masks=flags[1]))
    obs = env.reset()
    assert list(obs) == ["0", "1", "2", "3", "p"]
    expected = json.loads(json.dumps(facts[fact]))
    # The README's one deliberate difference: Foundation's p<i> last_marginal_rate is the
    # Python int 0 until the first tax day (int64 at reset); ours is float64 from the start.
    for i in range(4):
        nested = expected["planner"].get(f"p{i}")
        if nested and "PeriodicBracketTax-last_marginal_rate" in nested:
            assert nested["PeriodicBracketTax-last_marginal_rate"]["dtype"] == "int64"
            nested["PeriodicBracketTax-last_marginal_rate"]["dtype"] = "float64"
    for ours, theirs in (("0", "agent_0"), ("p", "planner")):
        got = described(obs[ours])
        assert list(got) == list(expected[theirs])  # Foundation's key order too
        assert got == expected[theirs]


def test_agents_actions_and_state_are_foundations(facts, tutorial_config):
    env = foundation.make_env_instance(**tutorial_config)
    env.reset(seed=7)
    agent, planner = env.get_agent(0), env.get_agent("p")
    assert env.n_agents == 4 and env.episode_length == 1000 and len(env.all_agents) == 5
    assert env.world.agents[2] is env.get_agent("2") and env.world.planner is planner
    assert agent.action_spaces == facts["agent_actions"]["action_space_size"] == 50
    assert list(agent.action_dim) == facts["agent_actions"]["action_subspace_order"]
    assert agent.action_dim == facts["agent_actions"]["action_dim_per_subspace(excl. NO-OP)"]
    assert list(planner.action_spaces) == facts["planner_actions"]["action_spaces(MultiDiscrete nvec)"]
    assert list(planner.action_dim) == facts["planner_actions"]["action_subspace_order"]
    assert not agent.multi_action_mode and planner.multi_action_mode
    state = agent.state
    assert list(state)[:4] == ["loc", "inventory", "escrow", "endogenous"]
    # fixed_four_skill_and_loc: Foundation's holdings, and its four corners and build payments
    # (dealt to the agents in a random order, so compared as sets) at reset.
    t0 = facts["dense_log"]["states_entry_example_t0"]
    ours = [env.get_agent(i).state for i in range(4)]
    assert sorted(tuple(s["loc"]) for s in ours) == sorted(tuple(t0[str(i)]["loc"]) for i in range(4))
    assert sorted(s["build_payment"] for s in ours) == sorted(t0[str(i)]["build_payment"] for i in range(4))
    for i in range(4):
        for part in ("inventory", "escrow", "endogenous"):
            assert dict(ours[i][part]) == t0[str(i)][part]
    assert list(t0) == ["0", "1", "2", "3", "p"] and dict(env.get_agent("p").state) == t0["p"]
    assert set(state["inventory"]) == {"Coin", "Stone", "Wood"} and state["inventory"]["Coin"] == 10
    assert "build_payment" in state and agent.loc == state["loc"] == tuple(state["loc"])
    with pytest.raises(TypeError):
        agent.state["inventory"]["Coin"] = 100  # the state lives in Swift; a silent copy write is refused
    maps = env.world.maps
    assert list(maps.state_dict) == facts["dense_log"]["world_entry_keys"]
    assert maps.get("Wood").shape == (25, 25) and maps.get("House", owner=True).dtype == np.int16
    with pytest.raises(ValueError):
        maps.get("Wood")[0, 0] = 1  # read-only: the map lives in Swift
    with pytest.raises(ValueError, match="no agent 4"):
        env.get_agent(4)


def random_actions(obs, rng):
    actions = {}
    for key, o in obs.items():
        mask = o["action_mask"]
        if key == "p":
            actions[key] = [int(rng.choice(np.flatnonzero(mask[i * 22:(i + 1) * 22]))) for i in range(7)]
        else:
            actions[key] = int(rng.choice(np.flatnonzero(mask)))
    return actions


def test_a_python_episode_replays_identically_through_the_cli(tmp_path, tutorial_config, cli):
    config = dict(tutorial_config, episode_length=60, seed=21)
    env = foundation.make_env_instance(**config)
    obs = env.reset(seed=21)
    rng = np.random.default_rng(8)
    steps, done = [], {"__all__": False}
    while not done["__all__"]:
        actions = random_actions(obs, rng)
        steps.append(actions)
        obs, rew, done, info = env.step(actions)
    assert len(steps) == 60 and set(rew) == set(info) == {"0", "1", "2", "3", "p"}
    env_section = dict(config, components=[{n: k} for n, k in config["components"]])
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps({"env": env_section, "actions": steps}))
    subprocess.run([cli, "replay", str(trace), "--dense-log", str(tmp_path / "replayed.json")],
                   check=True, capture_output=True)
    replayed = json.loads((tmp_path / "replayed.json").read_text())
    assert env.previous_episode_dense_log == replayed
    assert env.dense_log == replayed  # until the next reset, the current log is the finished one


def test_logs_and_metrics_follow_foundations_timing(tmp_path, facts, tutorial_config):
    env = foundation.make_env_instance(**dict(tutorial_config, episode_length=5, dense_log_frequency=2))
    assert env.previous_episode_metrics is None
    assert env.previous_episode_dense_log == {"world": [], "states": [], "actions": [], "rewards": []}
    env.reset()
    env.step({})
    log = env.dense_log
    assert (len(log["states"]), len(log["actions"]), len(log["world"])) == (1, 1, 1)
    assert list(env.metrics) == facts["episode_metrics_keys"]
    for _ in range(4):
        obs, rew, done, info = env.step()
    assert done == {"__all__": True}
    first = env.previous_episode_dense_log
    assert len(first["states"]) == 6 and len(first["rewards"]) == 5
    assert env.previous_episode_metrics == env.metrics
    with pytest.raises(economist.EpisodeOverError):
        env.step()
    env.reset()  # the second episode keeps no log (dense_log_frequency 2)
    assert env.dense_log == {"world": [], "states": [], "actions": [], "rewards": []}
    for _ in range(5):
        env.step()
    assert env.previous_episode_dense_log == first
    env.reset(force_dense_logging=True)
    for _ in range(5):
        env.step()
    assert env.previous_episode_dense_log != first
    path = tmp_path / "episode.lz4"
    foundation.utils.save_episode_log(env, path)
    assert path.read_bytes()[:4] == b"\x04\x22\x4d\x18"
    assert foundation.utils.load_episode_log(path) == env.previous_episode_dense_log


def test_actions_as_foundation_takes_them(tutorial_config):
    env = foundation.make_env_instance(**tutorial_config)
    env.reset(seed=3)
    env.step({"0": np.int64(0), 1: 0, "p": np.zeros(7, dtype=np.int32)})  # int keys, numpy values
    with pytest.raises(economist.ActionError, match=r"agent 'p': expected a list of 7 ints"):
        env.step({"p": 3})
    with pytest.raises(economist.ActionError, match="outside its action space Discrete"):
        env.step({"0": 50})
    with pytest.raises(ValueError, match="No agent with associated index 9"):
        env.step({"9": 0})
    # Foundation's per-subaction dicts: Gather 1 is single action 1 + 1 + 4·11 = 46 (NO-OP, Build, trades).
    env.step({"0": {"Gather": 1}, "1": {}, "p": {"PeriodicBracketTax.TaxIndexBracket_000": 3}})
    agents = env._vector.policy("a")
    assert agents.actions[0, 0, 0] == 46 and agents.actions[0, 1, 0] == 0
    with pytest.raises(economist.ActionError, match="one sub-action at a time"):
        env.step({"0": {"Gather": 1, "Build": 1}})
    with pytest.raises(economist.ActionError, match="no action subspace"):
        env.step({"0": {"Gathr": 1}})
    with pytest.raises(NotImplementedError, match="seed_state"):
        env.reset(seed_state=("MT19937", [0], 0, 0, 0.0))
    with pytest.raises(NotImplementedError, match="Python-defined components"):
        foundation.make_env_instance(**dict(tutorial_config, components=[(object, {})]))
    # A masked action acts as NO-OP: build with no resources leaves the state unchanged.
    before = env.get_agent(0).state
    env.step({"0": 1})
    after = env.get_agent(0).state
    assert after["inventory"] == before["inventory"] and after["loc"] == before["loc"]


def test_reset_seeds_are_reproducible(tutorial_config):
    a = foundation.make_env_instance(**tutorial_config)
    b = foundation.make_env_instance(**tutorial_config)
    for seed in (0, 123):
        oa, ob = a.reset(seed=seed), b.reset(seed=seed)
        for key in oa:
            for k in oa[key]:
                np.testing.assert_array_equal(oa[key][k], ob[key][k])
    # Unseeded resets continue a sequence: different episodes, same sequence in both envs.
    s1, s2 = a.reset(), a.reset()
    assert a.get_agent(0).state != {} and not all(
        np.array_equal(s1["p"][k], s2["p"][k]) for k in s1["p"] if k != "action_mask")


def pinned_seed7(env, facts):
    """Foundation's seed-7 agents (the facts' reset state) pinned onto our reset."""
    t0 = facts["dense_log"]["states_entry_example_t0"]
    states = {i: {k: t0[str(i)][k] for k in ("loc", "build_payment", "build_skill", "bonus_gather_prob")}
              for i in range(4)}
    for i in range(4):
        states[i]["inventory"] = {"Coin": t0[str(i)]["inventory"]["Coin"]}
    env.set_agent_states(states)
    return env.observations()


def test_observation_values_at_the_pinned_reset_are_foundations(facts, tutorial_config):
    """With Foundation's seed-7 agents pinned, the observations hold Foundation's values (flat
    vectors exactly, as float32; the unflattened entries to float32 precision)."""
    values = facts["raw_obs_values_at_reset_seed7"]
    env = foundation.make_env_instance(**tutorial_config)
    env.reset(seed=7)
    obs = pinned_seed7(env, facts)
    np.testing.assert_array_equal(obs["0"]["flat"], np.array(values["agent_0_flat_vector"], dtype=np.float32))
    np.testing.assert_array_equal(obs["p"]["flat"], np.array(values["planner_flat_vector"], dtype=np.float32))
    flat = foundation.make_env_instance(**dict(tutorial_config, flatten_observations=False))
    flat.reset(seed=7)
    unflat = pinned_seed7(flat, facts)
    for ours, theirs in ((unflat["0"], values["agent_0_nonspatial"]), (unflat["p"], values["planner_nonspatial"])):
        for key, expected in theirs.items():
            got = ours[key]
            if isinstance(expected, dict):
                for inner, value in expected.items():
                    np.testing.assert_allclose(got[inner], value, rtol=1e-6, atol=1e-7, err_msg=f"{key}/{inner}")
            else:
                np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7, err_msg=key)


def test_setting_state_checks_every_value(tutorial_config):
    env = foundation.make_env_instance(**tutorial_config)
    env.reset(seed=1)
    before = dict(env.get_agent(0).state)
    for states, message in (
            ({"0": {"loc": [0, 0]}, "1": {"loc": [0, 0]}}, r"initial_state of agent 1: cannot place the agent at \[0, 0\]"),
            ({"0": {"inventory": {"Gold": 1}}}, "no such resource"),
            ({"0": {"inventory": {"Coin": -1}}}, r"Coin: expected a number in 0...1000000000"),
            ({"0": {"bonus_gather_prob": 2}}, r"expected a number in 0...1"),
            ({"0": {"build_skil": 1}}, "no state field 'build_skil'"),
            ({"7": {"loc": [1, 1]}}, "expected a mobile agent id '0' to '3'"),
            ({"0": {"loc": [1]}}, r"expected \[row, col\]")):
        with pytest.raises(economist.EconomistError, match=message):
            env.set_agent_states(states)
        assert dict(env.get_agent(0).state) == before  # nothing changed
    env.set_agent_states({"0": {"inventory": {"Wood": 3, "Stone": 2}, "endogenous": {"Labor": 5}}})
    state = env.get_agent(0).state
    assert state["inventory"]["Wood"] == 3 and state["endogenous"]["Labor"] == 5
    obs, rew, done, info = env.step({"0": 1})  # build: now affordable
    assert env.get_agent(0).state["inventory"]["Wood"] == 2
