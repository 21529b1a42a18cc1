"""Foundation's API over the Swift core, for existing AI Economist code.

    from economist import foundation
    env = foundation.make_env_instance(**env_config)
    obs = env.reset()
    obs, rew, done, info = env.step(actions)

Observation and reward dicts use Foundation's keys (``'0'…'n-1'`` for the mobile agents, ``'p'``
for the planner), entry names, shapes and dtypes (flattened or not, as the config says); actions
are ints (or lists in multi-action mode) as Foundation takes them, missing agents do NO-OP, and
masked actions act as NO-OP. ``env.dense_log``, ``env.previous_episode_dense_log``,
``env.metrics`` and ``env.previous_episode_metrics`` have Foundation's structure and timing.

What cannot be supported raises ``NotImplementedError`` saying what to do instead: Python-defined
components and scenarios (write them in Swift against the ``Economy`` module, see tutorial 2),
and ``seed_state`` (numpy's RNG state; pass ``seed=`` instead).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .. import _native
from ..vector import VectorEnv
from . import utils  # noqa: F401  (foundation.utils.save_episode_log, as in Foundation)

__all__ = ["make_env_instance", "FoundationEnv", "utils"]

_FLOAT32 = np.dtype(np.float32)

SCENARIOS = ("layout_from_file/simple_wood_and_stone", "split_layout/simple_wood_and_stone",
             "uniform/simple_wood_and_stone", "multi_zone/simple_wood_and_stone",
             "quadrant/simple_wood_and_stone", "one-step-economy")


def make_env_instance(scenario_name: str, **kwargs) -> "FoundationEnv":
    """Builds the scenario ``scenario_name`` with Foundation's keyword arguments (the
    ``env_config`` dict: ``components`` as ``(name, kwargs)`` pairs or single-key dicts,
    ``n_agents``, ``world_size``, ``episode_length``, …)."""
    if not isinstance(scenario_name, str):
        raise NotImplementedError(
            "economist.foundation builds the Swift scenarios by name; a Python scenario class cannot "
            f"run on the Swift core (write it in Swift against the Economy module). Known: {', '.join(SCENARIOS)}")
    for component in kwargs.get("components", []) or []:
        name = component[0] if isinstance(component, (list, tuple)) else next(iter(component), None) \
            if isinstance(component, Mapping) else component
        if not isinstance(name, str):
            raise NotImplementedError(
                f"component {component!r}: Python-defined components cannot run on the Swift core; "
                "write the component in Swift against the Economy module (tutorial 2) and name it here")
    config = dict(kwargs, scenario_name=scenario_name)
    return FoundationEnv(config)


class Agent:
    """A view of one agent, read from the Swift state when asked (``state``, ``loc``,
    ``inventory``, ``escrow``, ``endogenous``) with Foundation's action bookkeeping."""

    def __init__(self, env: "FoundationEnv", idx, name: str, subspaces: list[dict], multi: bool):
        self._env = env
        self._idx = idx
        self.name = name
        self.multi_action_mode = multi
        # Foundation: each subspace's size, plus its NO-OP in multi-action mode.
        self.action_dim = {s["name"]: s["count"] + (1 if multi else 0) for s in subspaces}
        self._action_names = [s["name"] for s in subspaces]

    @property
    def idx(self):
        return self._idx

    @property
    def state(self) -> Mapping:
        """``loc``, ``inventory``, ``escrow``, ``endogenous`` and the components' fields
        (``build_payment``, ``build_skill``, …), as Foundation's ``agent.state``.

        Read-only (writing raises ``TypeError``): the state lives in the Swift core, and a write
        to a copy would be silently lost; ``env.set_agent_states`` writes."""
        return _frozen(self._env._state()["states"][0][str(self._idx)])

    @property
    def loc(self):
        return self.state["loc"]

    @property
    def inventory(self) -> dict:
        return self.state["inventory"]

    @property
    def escrow(self) -> dict:
        return self.state["escrow"]

    @property
    def endogenous(self) -> dict:
        return self.state["endogenous"]

    def total_endowment(self, resource: str) -> float:
        state = self.state
        return state["inventory"][resource] + state["escrow"][resource]

    @property
    def action_spaces(self):
        """Foundation's: the subspace sizes (with NO-OP each) in multi-action mode, else the
        total number of actions (one NO-OP plus every subspace's)."""
        if self.multi_action_mode:
            return np.array([self.action_dim[m] for m in self._action_names], dtype=np.int32)
        return 1 + sum(self.action_dim[m] for m in self._action_names)

    def __repr__(self):
        return f"<{self.name} {self._idx}>"


class World:
    """Foundation's ``env.world``: ``agents``, ``planner``, ``maps``, ``timestep``, ``n_agents``."""

    def __init__(self, env: "FoundationEnv"):
        self._env = env

    @property
    def agents(self) -> list[Agent]:
        return self._env._agents

    @property
    def planner(self) -> Agent:
        return self._env._planner

    @property
    def n_agents(self) -> int:
        return self._env.n_agents

    @property
    def timestep(self) -> int:
        return self._env._timestep

    @property
    def maps(self) -> "Maps":
        return Maps(self._env._state()["world"][0])


class Maps:
    """Foundation's ``world.maps``: ``get(name)`` and ``state_dict`` of the current map layers."""

    def __init__(self, state: dict):
        self.state_dict = state

    def get(self, entity_name: str, owner: bool = False):
        """The layer's values (houses: health, or owners with ``owner=True``, int16 as in
        Foundation), read-only: the map lives in the Swift core, a write would be lost."""
        value = self.state_dict[entity_name]
        if isinstance(value, dict):
            array = np.array(value["owner" if owner else "health"], dtype=np.int16 if owner else np.float32)
        else:
            array = np.array(value, dtype=np.float32)
        array.setflags(write=False)
        return array

    @property
    def size(self):
        first = np.array(next(iter(self.state_dict.values())) if self.state_dict else [[]])
        return list(first.shape)


class FoundationEnv:
    """A Foundation environment (``make_env_instance``) stepped by the Swift core."""

    def __init__(self, config: Mapping[str, Any]):
        self._config = dict(config)
        self._vector = VectorEnv(self._config, num_envs=1, threads=1, auto_reset=False, dense_logs=True)
        d = self._vector.description
        self.n_agents: int = d["n_agents"]
        self.episode_length: int = d["episode_length"]
        self.multi_action_mode_agents: bool = d["multi_action_mode_agents"]
        self.multi_action_mode_planner: bool = d["multi_action_mode_planner"]
        self._agents = [Agent(self, i, "BasicMobileAgent", d["mobile_subspaces"], self.multi_action_mode_agents)
                        for i in range(self.n_agents)]
        self._planner = Agent(self, "p", "BasicPlanner", d["planner_subspaces"], self.multi_action_mode_planner)
        self.world = World(self)
        self._timestep = 0
        self._done = False
        self._started = False
        seed = self._config.get("seed")
        self._next_seed = int(seed) if isinstance(seed, (int, np.integer)) and seed >= 0 else 0
        # Agent key → (the policy's flat action buffer, the agent's offset in it, width, policy).
        self._action_rows = {}
        for policy in self._vector.policies:
            flat = policy.actions.reshape(-1)
            for row, agent in enumerate(policy.agents):
                self._action_rows[agent] = (flat, row * policy.action_width, policy.action_width, policy)
        self._empty_log = {"world": [], "states": [], "actions": [], "rewards": []}
        self._state_cache = None
        self._plans = None

    # -- Foundation's properties -------------------------------------------------------------

    @property
    def all_agents(self) -> list[Agent]:
        return self._agents + [self._planner]

    def get_agent(self, agent_idx) -> Agent:
        """The agent with Foundation's index: ``0…n-1`` (int or str) or ``'p'``."""
        key = str(agent_idx)
        if key == "p":
            return self._planner
        if key.isdigit() and int(key) < self.n_agents and str(int(key)) == key:
            return self._agents[int(key)]
        raise ValueError(f"no agent {agent_idx!r}: agents are 0…{self.n_agents - 1} and 'p'")

    @property
    def metrics(self) -> dict:
        """The current metrics (scenario's and components', Foundation's keys)."""
        return self._vector.query("metrics")

    @property
    def previous_episode_metrics(self):
        """The metrics at the end of the last completed episode (None before one)."""
        return self._vector.query("previous_episode_metrics")

    @property
    def dense_log(self) -> dict:
        """The current (possibly incomplete) episode's dense log, Foundation's structure."""
        log = self._vector.query("dense_log")
        if log is None:
            return {k: [] for k in self._empty_log}
        if not self._done:
            # Foundation's in-progress log holds the steps so far, not the current state.
            log["world"].pop()
            log["states"].pop()
        return log

    @property
    def previous_episode_dense_log(self) -> dict:
        """The dense log of the last completed episode that kept one."""
        log = self._vector.query("previous_episode_dense_log")
        return log if log is not None else {k: [] for k in self._empty_log}

    def set_agent_states(self, states: Mapping) -> None:
        """Sets agents' state by hand (``{agent_idx: {"loc": [r, c], "inventory": {...},
        "build_payment": x, ...}}``, Foundation's ``agent.state`` keys) and rewrites the
        observations; ``get_agent(i).state`` is read-only, so this is where writes go."""
        self._vector.set_agent_states(states)
        self._state_cache = None

    def observations(self) -> dict:
        """Every agent's current observation (as the last ``reset`` or ``step`` returned, or
        after ``set_agent_states``)."""
        return self._observations()

    # -- Episodes ----------------------------------------------------------------------------

    def reset(self, seed_state=None, force_dense_logging: bool = False, *, seed: int | None = None) -> dict:
        """Starts an episode and returns every agent's observation.

        ``seed``: the episode's seed (``economist simulate --seed``'s episode for random
        actions); without one, episodes continue a sequence from the config's ``seed`` (or 0).
        ``force_dense_logging`` keeps a dense log this episode whatever ``dense_log_frequency``
        says.
        """
        if seed_state is not None:
            raise NotImplementedError(
                "seed_state is numpy's global RNG state, which the Swift core does not use; "
                "pass reset(seed=<int>) for a reproducible episode")
        if seed is None:
            seed = self._next_seed
        self._vector.reset(int(seed), exact_seeds=True, dense_log=True if force_dense_logging else None)
        self._next_seed = int(seed) + 1
        self._timestep = 0
        self._done = False
        self._started = True
        self._state_cache = None
        return self._observations()

    def step(self, actions: Mapping | None = None, seed_state=None):
        """Applies one action per agent (missing agents do NO-OP) and returns
        ``(obs, rew, done, info)`` with Foundation's keys."""
        if seed_state is not None:
            raise NotImplementedError("seed_state is numpy's RNG state; the Swift core does not use it")
        if not self._started:
            raise _native.EpisodeOverError("call reset() before the first step", _native.EPISODE_OVER)
        for policy in self._vector.policies:
            policy.actions.fill(0)
        if actions is not None:
            if not isinstance(actions, Mapping):
                raise TypeError(f"actions must be a dict {{agent_idx: action}}, found {type(actions).__name__}")
            for key, action in actions.items():
                self._set_action(key if type(key) is str else str(key), action)
        self._vector.step()
        self._timestep += 1
        self._done = bool(self._vector.truncated[0] or self._vector.terminated[0])
        self._state_cache = None
        obs = self._observations()
        rew = {}
        for policy in self._vector.policies:
            for agent, value in zip(policy.agents, policy.rewards[0].tolist()):
                rew[agent] = value
        done = {"__all__": self._done}
        info = {k: {} for k in obs}
        return obs, rew, done, info

    def _set_action(self, key: str, action) -> None:
        target = self._action_rows.get(key)
        if target is None:
            raise ValueError(f"No agent with associated index {key} (agents are 0…{self.n_agents - 1} and 'p')")
        flat, start, width, policy = target
        if type(action) is dict or (type(action) is not int and isinstance(action, Mapping)):
            action = self._from_subactions(key, action)
        if type(action) is int and width == 1:  # the common case, checked for range by the step
            if not -2**31 <= action < 2**31:
                raise _native.ActionError(
                    f"agent '{key}': action {action} is outside its action space {_space_text(policy.action_space)}",
                    _native.ACTION)
            flat[start] = action
            return
        if type(action) is list and len(action) == width and all(type(v) is int for v in action):
            try:  # the planner's list of ints; values are checked against the space by the step
                flat[start:start + width] = action
                return
            except OverflowError:
                raise _native.ActionError(
                    f"agent '{key}': action {action} is outside its action space {_space_text(policy.action_space)}",
                    _native.ACTION) from None
        if width == 1 and np.ndim(action) == 0:
            values = [action]
        elif np.ndim(action) == 1 and len(action) == width:
            values = list(action)
        else:
            expected = "an int" if width == 1 else f"a list of {width} ints"
            raise _native.ActionError(
                f"agent '{key}': expected {expected} (its action space is {_space_text(policy.action_space)}), "
                f"found {action!r}", _native.ACTION)
        for k, v in enumerate(values):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) and not (
                    isinstance(v, (float, np.floating)) and float(v).is_integer()):
                raise _native.ActionError(f"agent '{key}': actions are integers, found {v!r}", _native.ACTION)
            if not -2**31 <= int(v) < 2**31:
                raise _native.ActionError(
                    f"agent '{key}': action {values} is outside its action space {_space_text(policy.action_space)}",
                    _native.ACTION)
            flat[start + k] = int(v)

    def _from_subactions(self, key: str, action: Mapping):
        """Foundation's per-subaction dict (``{"Gather": 1}``) as an int (single-action mode:
        at most one non-zero sub-action) or a list (multi-action mode)."""
        agent = self.get_agent(key)
        names = agent._action_names
        unknown = [name for name in action if name not in agent.action_dim]
        if unknown:
            raise _native.ActionError(f"agent '{key}': no action subspace {unknown} (subspaces: {', '.join(names)})",
                                      _native.ACTION)
        values = {name: action.get(name, 0) for name in names}
        for name, v in values.items():
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise _native.ActionError(f"agent '{key}': {name}: actions are integers, found {v!r}", _native.ACTION)
        if agent.multi_action_mode:
            return [int(values[name]) for name in names]
        chosen = [(name, int(v)) for name, v in values.items() if v != 0]
        if len(chosen) > 1:
            raise _native.ActionError(
                f"agent '{key}': one sub-action at a time in single-action mode, found {dict(chosen)}", _native.ACTION)
        if not chosen:
            return 0
        name, v = chosen[0]
        if not 1 <= v <= agent.action_dim[name]:
            raise _native.ActionError(f"agent '{key}': {name} {v} is outside 0…{agent.action_dim[name]}", _native.ACTION)
        return 1 + sum(agent.action_dim[n] for n in names[:names.index(name)]) + (v - 1)

    def _observation_plans(self) -> list:
        """Per policy: its buffers, and each entry's (outer key, inner key or None, its columns
        in the row, the dtype to convert to (None: float32, a view), the shape for all its agents
        (None: already right)); each mask-dict entry's (key, start, end)."""
        plans = []
        for policy in self._vector.policies:
            a = len(policy.agents)
            entries = []
            for f in policy.fields:
                outer, _, inner = f.key.partition("/")
                shape = (a,) + f.shape
                # A 1-D entry is already [agents, size] once sliced: no reshape needed.
                entries.append((outer, inner or None, np.s_[:, f.offset:f.offset + f.size],
                                None if f.dtype == _FLOAT32 else f.dtype, None if len(f.shape) == 1 else shape))
            masks = None if policy.mask_entries is None else [
                (e["key"], e["offset"], e["offset"] + e["count"]) for e in policy.mask_entries]
            plans.append((policy, entries, masks))
        return plans

    def _observations(self) -> dict:
        obs = {}
        if self._plans is None:
            self._plans = self._observation_plans()
        for policy, entries, mask_entries in self._plans:
            # One copy of the policy's rows (the Swift buffer changes at the next step); float32
            # entries are views of it, the others converted once for all the policy's agents.
            block = policy.observations[0].copy()
            masks = policy.masks[0]
            converted = []
            for outer, inner, columns, dtype, shape in entries:
                values = block[columns] if dtype is None else block[columns].astype(dtype)
                converted.append((outer, inner, values if shape is None else values.reshape(shape)))
            if mask_entries is None:
                mask_all = masks.copy()
            else:
                mask_all = [(key, masks[:, start:end].astype(np.int64)) for key, start, end in mask_entries]
            for row, agent in enumerate(policy.agents):
                entry = {}
                for outer, inner, values in converted:
                    if inner is None:
                        entry[outer] = values[row]
                    else:
                        entry.setdefault(outer, {})[inner] = values[row]
                entry["action_mask"] = mask_all[row] if mask_entries is None else {k: v[row] for k, v in mask_all}
                obs[agent] = entry
        return obs

    def _state(self) -> dict:
        if self._state_cache is None:
            self._state_cache = self._vector.query("state")
        return self._state_cache


def _frozen(value):
    """A read-only view of nested dicts and lists (mappingproxy, tuple)."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _space_text(space: dict) -> str:
    if space["type"] == "discrete":
        return f"Discrete({space['n']})"
    return f"MultiDiscrete({space['nvec']})"
