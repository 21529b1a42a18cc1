"""A PettingZoo ``ParallelEnv`` over the Swift core.

Agents ``"0"…"n-1"`` (mobile) and ``"p"`` (the planner). Each observation is a dict
``{"observation": {Foundation's entries}, "action_mask": mask}``: the mask is int8, one vector for
a ``Discrete`` action, a tuple of vectors (one per sub-action) for the planner's
``MultiDiscrete``. Actions outside the mask act as NO-OP. Episodes end by truncation at
``episode_length``; the agents then leave ``agents``.

    from economist.pettingzoo import parallel_env
    env = parallel_env("scenarios/gather_trade_build.yaml")
    observations, infos = env.reset(seed=1)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from .vector import VectorEnv, integer_actions

_BOUNDS = {np.dtype(np.float32): 1e20, np.dtype(np.float64): 1e20}


def parallel_env(config: Any, **kwargs) -> "EconomyParallelEnv":
    """The ``ParallelEnv`` of a config (path, YAML text or Foundation's ``env_config`` dict)."""
    return EconomyParallelEnv(config, **kwargs)


class EconomyParallelEnv(ParallelEnv):
    metadata = {"name": "economist_v0", "render_modes": [], "is_parallelizable": True}

    def __init__(self, config: Any, render_mode: str | None = None):
        if render_mode is not None:
            raise ValueError(f"render_mode {render_mode!r} is not supported (render_modes: none); "
                             "draw dense logs with `economist plot`")
        self.render_mode = None
        self._vector = VectorEnv(config, num_envs=1, threads=1, auto_reset=False)
        self.possible_agents = list(self._vector.agents)
        self.agents: list[str] = []
        self._rows = {}
        self._observation_spaces = {}
        self._action_spaces = {}
        for policy in self._vector.policies:
            obs_space, act_space = self._spaces(policy)
            for row, agent in enumerate(policy.agents):
                self._rows[agent] = (policy, row)
                self._observation_spaces[agent] = obs_space
                self._action_spaces[agent] = act_space
        self._next_seed = 0
        size = sum(len(p.agents) * p.observation_size for p in self._vector.policies)
        self.state_space = spaces.Box(-1e20, 1e20, (size,), np.float32)

    @staticmethod
    def _spaces(policy):
        entries = {}
        for f in policy.fields:
            bound = _BOUNDS.get(f.dtype)
            if bound is None:
                info = np.iinfo(f.dtype)
                box = spaces.Box(info.min, info.max, f.shape, f.dtype)
            else:
                box = spaces.Box(-bound, bound, f.shape, f.dtype)
            outer, _, inner = f.key.partition("/")
            if inner:
                entries.setdefault(outer, {})[inner] = box
            else:
                entries[outer] = box
        observation = spaces.Dict({k: spaces.Dict(v) if isinstance(v, dict) else v for k, v in entries.items()})
        if policy.action_space["type"] == "discrete":
            n = policy.action_space["n"]
            action = spaces.Discrete(n)
            mask = spaces.Box(0, 1, (n,), np.int8)
        else:
            nvec = policy.action_space["nvec"]
            action = spaces.MultiDiscrete(nvec)
            mask = spaces.Tuple([spaces.Box(0, 1, (n,), np.int8) for n in nvec])
        return spaces.Dict({"observation": observation, "action_mask": mask}), action

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self._action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None):
        """Starts an episode: ``seed`` gives the episode's seed (a sequence continues from it
        without one)."""
        if seed is not None:
            self._next_seed = int(seed)
        self._vector.reset(self._next_seed, exact_seeds=True)
        self._next_seed += 1
        self.agents = list(self.possible_agents)
        return self._observations(), {agent: {} for agent in self.agents}

    def step(self, actions: dict):
        staged = []
        for agent, action in actions.items():
            if agent not in self._rows:
                raise KeyError(f"no agent '{agent}' (agents: {', '.join(self.possible_agents)})")
            policy, row = self._rows[agent]
            shape = () if policy.action_space["type"] == "discrete" else (policy.action_width,)
            values = integer_actions(action, shape, f"agent '{agent}'", exact=True)
            staged.append((policy, row, values.reshape(-1)))
        for policy in self._vector.policies:
            policy.actions.fill(0)
        for policy, row, values in staged:
            policy.actions[0, row] = values
        self._vector.step()
        done = bool(self._vector.truncated[0])
        observations = self._observations()
        rewards = {agent: float(self._rows[agent][0].rewards[0, self._rows[agent][1]]) for agent in self.agents}
        terminations = {agent: False for agent in self.agents}
        truncations = {agent: done for agent in self.agents}
        infos = {agent: {"masked_actions": int(self._rows[agent][0].masked_actions[0, self._rows[agent][1]])}
                 for agent in self.agents}
        if done:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def _observations(self) -> dict:
        out = {}
        for policy in self._vector.policies:
            rows = policy.observations[0]
            masks = policy.masks[0].astype(np.int8)
            for row, agent in enumerate(policy.agents):
                entry = {}
                for f in policy.fields:
                    value = rows[row, f.offset:f.offset + f.size].astype(f.dtype).reshape(f.shape)
                    outer, _, inner = f.key.partition("/")
                    if inner:
                        entry.setdefault(outer, {})[inner] = value
                    else:
                        entry[outer] = value
                if policy.action_space["type"] == "discrete":
                    mask = masks[row]
                else:
                    mask = tuple(masks[row, s:s + n] for s, n in zip(policy.mask_offsets, policy.nvec))
                out[agent] = {"observation": entry, "action_mask": mask}
        return out

    def state(self) -> np.ndarray:
        """Every agent's observation row, concatenated (float32)."""
        return np.concatenate([p.observations[0].reshape(-1) for p in self._vector.policies])

    def close(self) -> None:
        self._vector.close()
