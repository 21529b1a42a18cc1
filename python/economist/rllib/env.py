"""An RLlib ``MultiAgentEnv`` (new API stack) over the Swift core.

Agents ``"0"…"n-1"`` (mobile, policy ``"a"``) and ``"p"`` (the planner, policy ``"p"``). Every
observation is a dict ``{"observations": float32 row, "action_mask": float32 mask}``: the row
holds all of Foundation's observation entries of that agent, flattened in the order of
``field_layout``; the mask is as long as the action distribution's inputs (``n`` for a
``Discrete`` action, ``sum(nvec)`` for the planner's ``MultiDiscrete``), 1 where an action is
allowed. An action outside the mask acts as NO-OP (so RLlib's env checker, which steps with
unmasked random actions, passes). Episodes end by truncation at ``episode_length``.

    from economist.rllib import EconomyEnv
    env = EconomyEnv({"config": "scenarios/quickstart.yaml"})
    observations, infos = env.reset(seed=1)
"""

from __future__ import annotations

from collections import deque
from typing import Any, Mapping

import numpy as np
from gymnasium import spaces
from ray.rllib.env.multi_agent_env import MultiAgentEnv

from .. import _native
from ..runconfig import RunConfig, load_run_config
from ..vector import VectorEnv

_BOUND = 1e20
# Completed dense logs an env keeps for the driver to collect; older ones are dropped (counted).
_PENDING_LOGS = 2


def policy_of(agent_id: str) -> str:
    """Foundation's mapping: digits are mobile agents (policy ``"a"``), anything else the
    planner (``"p"``)."""
    return "a" if str(agent_id).isdigit() else "p"


def _run_config(env_config: Mapping) -> RunConfig:
    config = env_config.get("config")
    if isinstance(config, RunConfig):
        return config
    if config is None:
        raise ValueError("env_config needs 'config': a run config path, YAML text, dict or RunConfig")
    return load_run_config(config)


class EconomyEnv(MultiAgentEnv):
    """One Foundation economy as an RLlib multi-agent env.

    ``env_config`` keys: ``config`` (a run config or env section: path, YAML text, dict or
    :class:`~economist.runconfig.RunConfig`), ``seed`` (episode seeds start here; each env
    runner and vector index gets its own sequence), ``dense_logs`` (keep dense logs as the
    config's ``dense_log_frequency`` says; default True), ``dense_log_envs`` (only envs whose
    ``env_id`` is below it keep them; default all), ``num_envs_per_env_runner`` (for
    ``env_id``).

    ``env_id`` is Foundation's: ``num_envs_per_env_runner × (runner index - 1) + vector
    index`` on remote runners, the vector index on the local one.
    """

    def __init__(self, env_config: Mapping | None = None):
        super().__init__()
        worker = int(getattr(env_config, "worker_index", 0) or 0)
        vector = int(getattr(env_config, "vector_index", 0) or 0)
        env_config = dict(env_config or {})
        per_runner = int(env_config.get("num_envs_per_env_runner", 1))
        self.env_id = per_runner * (worker - 1) + vector if worker > 0 else vector
        self.run_config = _run_config(env_config)
        limit = env_config.get("dense_log_envs")
        keep_logs = bool(env_config.get("dense_logs", True)) and (limit is None or self.env_id < int(limit))
        # The text travels (a remote node may not have the file); the origin names it.
        self._vector = VectorEnv(self.run_config.text, num_envs=1, threads=1, auto_reset=False,
                                 dense_logs=keep_logs, origin=self.run_config.origin)
        self.episode_length = self._vector.episode_length
        base = env_config.get("seed")
        if base is None:
            base = self.run_config.trainer.get("seed") or 0
        # Each (runner, sub-env) pair gets its own episode seeds: base, runner, index → a start.
        start = np.random.SeedSequence([int(base), worker, vector]).generate_state(1, np.uint64)[0]
        self._next_seed = int(start) >> 1
        self.possible_agents = list(self._vector.agents)
        self.agents = []
        self.observation_spaces = {}
        self.action_spaces = {}
        self._slots = {}  # agent → (policy buffers, row)
        self.field_layout = {}
        for policy in self._vector.policies:
            obs_space, act_space = self._spaces(policy)
            self.field_layout[policy.name] = [(f.key, f.offset, f.shape) for f in policy.fields]
            for row, agent in enumerate(policy.agents):
                self._slots[agent] = (policy, row)
                self.observation_spaces[agent] = obs_space
                self.action_spaces[agent] = act_space
        self._discrete = {p.name: p.action_space["type"] == "discrete" for p in self._vector.policies}
        self.dense_logs = deque(maxlen=_PENDING_LOGS)
        self.dropped_dense_logs = 0
        self.steps = 0  # env steps taken by this env, for tests and benchmarks
        self.episodes = 0

    @staticmethod
    def _spaces(policy):
        observations = spaces.Box(-_BOUND, _BOUND, (policy.observation_size,), np.float32)
        mask = spaces.Box(0.0, 1.0, (policy.mask_size,), np.float32)
        if policy.action_space["type"] == "discrete":
            action = spaces.Discrete(policy.action_space["n"])
        else:
            action = spaces.MultiDiscrete(policy.action_space["nvec"])
        return spaces.Dict({"observations": observations, "action_mask": mask}), action

    # -- The MultiAgentEnv API ----------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Starts an episode: with ``seed``, that episode's seed (later episodes continue from
        it); without, the next seed of this env's sequence. ``options={"dense_log": True}``
        keeps a dense log this episode whatever the frequency."""
        if seed is not None:
            self._next_seed = int(seed)
        force = None
        if options and "dense_log" in options:
            force = bool(options["dense_log"])
        self._vector.reset(self._next_seed % 2**64, exact_seeds=True, dense_log=force)
        self._next_seed += 1
        self.agents = list(self.possible_agents)
        return self._observations(), {}

    def step(self, action_dict: Mapping[str, Any]):
        """Steps with ``action_dict`` (agent → action; agents left out do NO-OP). Returns
        observations, rewards, terminateds, truncateds and infos; ``"__all__"`` is True in
        truncateds at ``episode_length``."""
        for policy in self._vector.policies:
            policy.actions.fill(0)
        for agent, action in action_dict.items():
            slot = self._slots.get(agent)
            if slot is None:
                raise KeyError(f"no agent '{agent}' (agents: {', '.join(self.possible_agents)})")
            policy, row = slot
            value = np.asarray(action)
            if value.dtype.kind not in "iu":
                raise TypeError(f"agent '{agent}': actions must be integers, found {value.dtype} ({action!r:.80})")
            if self._discrete[policy.name]:
                if value.shape != ():
                    raise ValueError(f"agent '{agent}': expected one action, found shape {value.shape}")
            elif value.shape != (policy.action_width,):
                raise ValueError(f"agent '{agent}': expected actions of shape ({policy.action_width},), "
                                 f"found {value.shape}")
            if value.size and (value.min() < -2**31 or value.max() >= 2**31):
                raise _native.ActionError(f"agent '{agent}': action {action!r} is outside its action space",
                                          _native.ACTION)
            policy.actions[0, row] = value
        self._vector.step()
        self.steps += 1
        done = bool(self._vector.truncated[0])
        observations = self._observations()
        rewards = {}
        for policy in self._vector.policies:
            values = policy.rewards[0].tolist()
            for row, agent in enumerate(policy.agents):
                rewards[agent] = values[row]
        terminateds = {"__all__": False}
        truncateds = {agent: done for agent in self.possible_agents}
        truncateds["__all__"] = done
        if done:
            self.agents = []
            self.episodes += 1
            self._keep_dense_log()
        return observations, rewards, terminateds, truncateds, {}

    def _observations(self) -> dict:
        out = {}
        for policy in self._vector.policies:
            rows = policy.observations[0].copy()
            masks = policy.masks[0].copy()
            for row, agent in enumerate(policy.agents):
                out[agent] = {"observations": rows[row], "action_mask": masks[row]}
        return out

    # -- Foundation's extras ------------------------------------------------------------------

    @property
    def metrics(self) -> dict | None:
        """The current episode's metrics (Foundation's ``env.metrics``)."""
        return self._vector.query("metrics")

    @property
    def previous_episode_metrics(self) -> dict | None:
        """The last completed episode's metrics: ``social/productivity``, ``social/equality``, …"""
        return self._vector.query("previous_episode_metrics")

    @property
    def dense_log(self) -> dict | None:
        """The current episode's dense log so far, if this episode keeps one (Foundation's
        ``env.dense_log``)."""
        return self._vector.query("dense_log")

    @property
    def previous_episode_dense_log(self) -> dict | None:
        """The last finished episode that kept a dense log (Foundation's
        ``env.previous_episode_dense_log``; ``foundation.utils.save_episode_log(env, path)``
        writes it)."""
        return self._vector.query("previous_episode_dense_log")

    def saez_local_buffer(self) -> list | None:
        """This env's local Saez samples (Foundation's ``get_local_saez_buffer``); None unless
        its tax model is ``saez``."""
        return self._vector.saez_local_buffer(0)

    def set_saez_global_buffer(self, samples) -> None:
        """Installs every replica's pooled Saez samples (Foundation's ``set_global_saez_buffer``)."""
        self._vector.set_saez_global_buffer(samples, 0)

    def _keep_dense_log(self) -> None:
        text = self._vector.query_text("take_dense_log", 0)
        if text != "null":
            if len(self.dense_logs) == self.dense_logs.maxlen:
                self.dropped_dense_logs += 1
            self.dense_logs.append((self.episodes, text.encode("utf-8")))

    def take_dense_logs(self) -> list[tuple[int, bytes]]:
        """The dense logs of completed episodes kept since the last call, as ``(episode number
        of this env, JSON bytes)``; at most the latest two wait (older ones are counted in
        ``dropped_dense_logs``)."""
        logs = list(self.dense_logs)
        self.dense_logs.clear()
        return logs

    def close(self) -> None:
        self._vector.close()
