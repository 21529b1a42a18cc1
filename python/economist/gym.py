"""A Gymnasium vector env over the Swift core: every mobile agent of ``num_envs`` economies is
one sub-environment, all acting through one shared policy (Foundation's ``"a"``), while the
planner follows a fixed rule.

    from economist.gym import AgentVectorEnv
    envs = AgentVectorEnv("scenarios/gather_trade_build.yaml", num_envs=8, threads=2)
    obs, infos = envs.reset(seed=1)                 # obs: float32 [8 × 4, observation size]
    obs, rewards, terminated, truncated, infos = envs.step(actions)

Observations are each agent's flat observation row (its fields in ``envs.fields``: key,
offset, shape, dtype); ``infos["action_mask"]`` holds the int8 masks. Ended episodes restart in
the same step (Gymnasium's ``AutoresetMode.SAME_STEP``): ``infos["final_obs"]`` and
``infos["_final_obs"]`` carry the last observation of the sub-envs that ended.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv as GymVectorEnv
from gymnasium.vector.utils import batch_space

from .vector import VectorEnv, integer_actions

PLANNER_RULES = ("noop", "random")


class AgentVectorEnv(GymVectorEnv):
    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, config: Any, num_envs: int = 1, threads: int = 1, *, planner: str = "noop",
                 copy: bool = True):
        if planner not in PLANNER_RULES:
            raise ValueError(f"planner must be one of {', '.join(PLANNER_RULES)}, found {planner!r}")
        self._vector = VectorEnv(config, num_envs=num_envs, threads=threads)
        self._agents = self._vector.policy("a")
        self._planner = self._vector.policy("p")
        self._planner_rule = planner
        self._copy = copy
        self._rng = np.random.default_rng(0)
        self.economies = self._vector.num_envs
        self.agents_per_economy = len(self._agents.agents)
        self.num_envs = self.economies * self.agents_per_economy
        self.fields = self._agents.fields
        size = self._agents.observation_size
        self.single_observation_space = spaces.Box(-1e20, 1e20, (size,), np.float32)
        if self._agents.action_space["type"] == "discrete":
            self.single_action_space = spaces.Discrete(self._agents.action_space["n"])
        else:
            self.single_action_space = spaces.MultiDiscrete(self._agents.action_space["nvec"])
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.render_mode = None

    def _rows(self, array: np.ndarray) -> np.ndarray:
        rows = array.reshape((self.num_envs,) + array.shape[2:])
        return rows.copy() if self._copy else rows

    def _infos(self) -> dict:
        return {"action_mask": self._agents.masks.reshape(self.num_envs, -1).astype(np.int8)}

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        start = int(self._rng.integers(0, 2**63)) if seed is None else int(seed)
        self._vector.reset(start)
        return self._rows(self._agents.observations), self._infos()

    def step(self, actions):
        shape = (self.num_envs,) + self.single_action_space.shape
        values = integer_actions(actions, shape, "actions (one per agent of every economy)", exact=True)
        self._agents.actions[...] = values.reshape(self._agents.actions.shape)
        if self._planner_rule == "random":
            self._planner.sample_actions(self._rng)
        else:
            self._planner.actions.fill(0)
        self._vector.step()
        observations = self._rows(self._agents.observations)
        rewards = self._agents.rewards.reshape(self.num_envs).astype(np.float64)
        ended = np.repeat(self._vector.truncated, self.agents_per_economy)
        terminated = np.repeat(self._vector.terminated, self.agents_per_economy)
        infos = self._infos()
        if ended.any() or terminated.any():
            # Gymnasium's SAME_STEP convention: an object array, None where the sub-env goes on.
            finished = ended | terminated
            final = np.full(self.num_envs, None, dtype=object)
            last = self._agents.final_observations.reshape(self.num_envs, -1)
            for i in np.flatnonzero(finished):
                final[i] = last[i].copy()
            infos["final_obs"] = final
            infos["_final_obs"] = finished
            infos["final_info"] = {}
            infos["_final_info"] = finished
        return observations, rewards, terminated, ended.copy(), infos

    def close_extras(self, **kwargs):
        self._vector.close()
