"""``python -m economist.rllib.bench``: RLlib PPO throughput on the tutorial world, printed as a
table (``--json`` for JSON).

Settings (the same for every row): Foundation's tutorial env config (the RLlib tutorial's
``env_config_dict``: 4 agents, 25×25, 1000-step episodes, a planner setting 7 bracket rates),
dense logs every 20 episodes in every env as Foundation's training configs keep them, both
policies trained, RLlib's default model (fully connected 256-256, tanh), rollout fragments
of 200 steps, train batches of 6400 env steps (a multiple of 1, 2 and 4 runners × 8 envs × 200,
as RLlib requires), minibatches of 1600, one epoch.

- ``sampling``: env steps per second of one env runner's ``sample()`` (in this process, no Ray),
  for Foundation 1.7.1's env (its tutorial wrapper ported to the new API stack, when
  ``ai_economist`` is importable), ours under RLlib's ``MultiAgentEnvRunner`` (``EconomyEnv``),
  and ours under ``VectorEnvRunner``; ``--envs`` envs per runner.
- ``iteration``: whole ``algo.train()`` iterations on a local Ray with ``--runners`` env runners:
  env steps sampled per second of sampling time and env steps per second of iteration time.
- ``scaling``: the ``iteration`` measurement for 1, 2 and 4 env runners on a two-node local Ray
  cluster (``ray.cluster_utils.Cluster``), runners on the second node.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any

import numpy as np
from gymnasium import spaces
from ray.rllib.env.multi_agent_env import MultiAgentEnv

from ..foundation.configs import TUTORIAL_ENV_CONFIG

BENCH_TRAINER = {"rollout_fragment_length": 200, "train_batch_size": 6400, "sgd_minibatch_size": 1600,
                 "num_sgd_iter": 1, "seed": 1}


def bench_run_config(envs: int, runners: int) -> dict:
    """The benchmark's run config: the tutorial env and the settings above."""
    return {"env": {**TUTORIAL_ENV_CONFIG, "dense_log_frequency": 20}, "general": {"train_planner": True},
            "trainer": {**BENCH_TRAINER, "num_workers": runners, "num_envs_per_worker": envs}}


class FoundationEnv(MultiAgentEnv):
    """Foundation's tutorial RLlib wrapper (``tutorials/rllib/env_wrapper.py``) on the new API
    stack: Foundation's env, each agent's observation dict flattened into one float32 vector
    (sorted keys, as RLlib's old stack flattened ``Dict`` observations) beside its float mask.
    Needs ``ai_economist`` (imported when an env is made)."""

    def __init__(self, env_config):
        super().__init__()
        from ai_economist import foundation

        self.env = foundation.make_env_instance(**env_config["env_config_dict"])
        obs = self.env.reset()
        self.possible_agents = list(obs)
        self.agents = []
        self.observation_spaces = {}
        self.action_spaces = {}
        for agent, o in obs.items():
            flat, mask = self._flatten(o)
            self.observation_spaces[agent] = spaces.Dict({
                "observations": spaces.Box(-1e20, 1e20, flat.shape, np.float32),
                "action_mask": spaces.Box(0.0, 1.0, mask.shape, np.float32)})
            n = self.env.get_agent(agent).action_spaces
            self.action_spaces[agent] = (spaces.MultiDiscrete(n) if isinstance(n, (list, np.ndarray))
                                         and np.ndim(n) == 1 else spaces.Discrete(int(n)))
        self.steps = 0

    @property
    def previous_episode_metrics(self):
        return self.env.previous_episode_metrics

    @staticmethod
    def _flatten(o):
        parts = [np.asarray(o[k], np.float32).reshape(-1) for k in sorted(o) if k != "action_mask"]
        return np.concatenate(parts), np.asarray(o["action_mask"], np.float32).reshape(-1)

    def _obs(self, obs):
        out = {}
        for agent, o in obs.items():
            flat, mask = self._flatten(o)
            out[agent] = {"observations": flat, "action_mask": mask}
        return out

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            np.random.seed(seed % 2**32)
        self.agents = list(self.possible_agents)
        return self._obs(self.env.reset()), {}

    def step(self, action_dict):
        actions = {a: (v.tolist() if isinstance(v, np.ndarray) and v.ndim else int(v))
                   for a, v in action_dict.items()}
        obs, rew, done, info = self.env.step(actions)
        self.steps += 1
        end = bool(done["__all__"])
        truncateds = {a: end for a in self.possible_agents}
        truncateds["__all__"] = end
        if end:
            self.agents = []
        return self._obs(obs), {a: float(r) for a, r in rew.items()}, {"__all__": False}, truncateds, {}


def _foundation_config(config):
    """``config`` (a PPOConfig from :func:`ppo_config`) on Foundation's env instead of ours."""
    from ray.rllib.core.rl_module.multi_rl_module import MultiRLModuleSpec
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec
    from .env import policy_of
    from .module import MaskedPPOModule

    env_config = {"env_config_dict": {**TUTORIAL_ENV_CONFIG, "dense_log_frequency": 20}}
    probe = FoundationEnv(env_config)
    specs = {}
    for agent in probe.possible_agents:
        specs[policy_of(agent)] = RLModuleSpec(module_class=MaskedPPOModule,
                                               observation_space=probe.observation_spaces[agent],
                                               action_space=probe.action_spaces[agent], model_config={})
    return (config.environment(FoundationEnv, env_config=env_config, disable_env_checking=True)
            .rl_module(rl_module_spec=MultiRLModuleSpec(rl_module_specs=specs)))


def sampling(kind: str, envs: int, seconds: float) -> float:
    """Env steps per second of ``sample()`` for ``kind``: foundation, rllib_runner or
    vector_runner."""
    from ray.rllib.env.multi_agent_env_runner import MultiAgentEnvRunner
    from .config import ppo_config
    from .runner import VectorEnvRunner

    config = ppo_config(bench_run_config(envs, 0), vector_runner=kind == "vector_runner",
                        dense_log_envs=None)
    if kind == "foundation":
        config = _foundation_config(config)
    runner = (VectorEnvRunner if kind == "vector_runner" else MultiAgentEnvRunner)(config=config)
    fragment = BENCH_TRAINER["rollout_fragment_length"] * envs
    runner.sample(num_timesteps=fragment)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += sum(e.env_steps() for e in runner.sample(num_timesteps=fragment))
    rate = steps / (time.perf_counter() - start)
    runner.stop()
    return rate


def iteration(kind: str, runners: int, envs: int, iterations: int, address: str | None = None,
              node_resource: str | None = None) -> dict:
    """Whole PPO iterations: env steps per second of sampling and of iteration time."""
    import ray
    from .config import ppo_config

    config = ppo_config(bench_run_config(envs, runners), vector_runner=kind == "vector_runner",
                        dense_log_envs=None)
    if kind == "foundation":
        config = _foundation_config(config)
    if node_resource:
        config = config.env_runners(custom_resources_per_env_runner={node_resource: 1})
    started_ray = not ray.is_initialized()
    if started_ray:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    algo = config.build_algo()
    algo.train()  # warm-up
    sample_rates, iteration_rates = [], []
    for _ in range(iterations):
        result = algo.train()
        sampled = result["env_runners"]["num_env_steps_sampled"]
        iteration_rates.append(sampled / result["time_this_iter_s"])
        sample_time = result["timers"].get("env_runner_sampling_timer") or result["timers"].get("sample")
        if sample_time:
            sample_rates.append(sampled / sample_time)
    algo.stop()
    if started_ray:
        ray.shutdown()
    return {"sampling_env_steps_per_s": float(np.median(sample_rates)) if sample_rates else math.nan,
            "iteration_env_steps_per_s": float(np.median(iteration_rates))}


def scaling(kind: str, envs: int, iterations: int, counts=(1, 2, 4)) -> dict:
    """``iteration`` with 1, 2, 4 runners pinned to the second node of a two-node local cluster."""
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    cluster.add_node(num_cpus=max(counts), resources={"bench_node": max(counts)})
    try:
        ray.init(address=cluster.address, log_to_driver=False)
        out = {}
        for n in counts:
            out[str(n)] = iteration(kind, n, envs, iterations, node_resource="bench_node")
        return out
    finally:
        ray.shutdown()
        cluster.shutdown()


def _foundation_available() -> bool:
    try:
        import ai_economist  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m economist.rllib.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["sampling", "iteration", "scaling"])
    parser.add_argument("--envs", type=int, default=8, help="envs per env runner (default 8)")
    parser.add_argument("--runners", type=int, default=1, help="env runners for iteration (default 1)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per sampling measurement")
    parser.add_argument("--iterations", type=int, default=3, help="measured iterations (after one warm-up)")
    parser.add_argument("--kinds", default=None,
                        help="comma-separated: foundation, rllib_runner, vector_runner (default: all available)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    kinds = args.kinds.split(",") if args.kinds else (
        (["foundation"] if _foundation_available() else []) + ["rllib_runner", "vector_runner"])
    results: dict[str, Any] = {"what": args.what, "envs_per_runner": args.envs, "settings": BENCH_TRAINER}
    for kind in kinds:
        if args.what == "sampling":
            results[kind] = sampling(kind, args.envs, args.seconds)
        elif args.what == "iteration":
            results[kind] = iteration(kind, args.runners, args.envs, args.iterations)
        else:
            results[kind] = scaling(kind, args.envs, args.iterations)
        if not args.json:
            print(f"{kind}: {results[kind]}", flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
