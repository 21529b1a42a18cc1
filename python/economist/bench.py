"""``python -m economist.bench``: steps per second of the Python API, printed as JSON.

- ``foundation_dict_api``: ``economist.foundation`` on Foundation's tutorial config, random valid
  actions drawn in Python from each observation's mask (one env, as Foundation code runs it);
- ``foundation_1_7_1``: the same loop on Foundation itself, when ``ai_economist`` is importable
  (run the bench in a venv that has it to compare in one run);
- ``vector_env_numpy_actions``: ``VectorEnv`` (32 envs, 2 threads), actions drawn in numpy from
  the masks (``PolicyBuffers.sample_actions``);
- ``vector_env_swift_random``: the same envs stepped with Swift's own random actions
  (``step_random``: the ``economist bench env`` loop through one foreign call).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time

import numpy as np

from .foundation.configs import TUTORIAL_ENV_CONFIG

TUTORIAL = TUTORIAL_ENV_CONFIG


def random_actions(obs: dict, rng: np.random.Generator, planner_parts: int) -> dict:
    """Uniformly random valid actions for Foundation's observation dict: an int per mobile agent
    (its allowed indices, one picked), and for the planner in multi-action mode one allowed value
    per sub-action (the allowed entry with the largest uniform key)."""
    actions = {}
    for key, o in obs.items():
        mask = o["action_mask"]
        if key == "p":
            allowed = mask.reshape(planner_parts, -1) > 0
            actions[key] = (rng.random(allowed.shape) * allowed).argmax(axis=1).tolist()
        else:
            allowed = np.flatnonzero(mask)
            actions[key] = int(allowed[int(rng.random() * len(allowed))])
    return actions


def dict_api(make_env, seconds: float) -> float:
    env = make_env(**TUTORIAL)
    rng = np.random.default_rng(0)
    obs = env.reset()
    planner_parts = len(env.get_agent("p").action_spaces)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        obs, rew, done, info = env.step(random_actions(obs, rng, planner_parts))
        steps += 1
        if done["__all__"]:
            obs = env.reset()
    return steps / (time.perf_counter() - start)


def vector(seconds: float, envs: int, threads: int, numpy_actions: bool) -> float:
    from . import VectorEnv
    v = VectorEnv(TUTORIAL, num_envs=envs, threads=threads)
    v.reset(1)
    rng = np.random.default_rng(0)
    rounds, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        if numpy_actions:
            for policy in v.policies:
                policy.sample_actions(rng)
            v.step()
        else:
            v.step_random()
        rounds += 1
    return rounds * envs / (time.perf_counter() - start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m economist.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement (0 < s ≤ 3600)")
    parser.add_argument("--envs", type=int, default=32, help="environments of the vector env (1…4096)")
    parser.add_argument("--threads", type=int, default=2, help="threads of the vector env (1…256)")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600:
        parser.error(f"--seconds must be in (0, 3600], found {args.seconds}")
    if not 1 <= args.envs <= 4096 or not 1 <= args.threads <= 256:
        parser.error("--envs must be in 1…4096 and --threads in 1…256")
    from . import foundation
    result = {"config": "Foundation's tutorial (4 agents, 25×25, 1000 steps)", "seconds": args.seconds,
              "python": sys.version.split()[0], "numpy": np.__version__}
    result["foundation_dict_api"] = {"steps_per_second": round(dict_api(foundation.make_env_instance, args.seconds))}
    try:
        with contextlib.redirect_stdout(sys.stderr):  # Foundation prints GPU probes on import
            from ai_economist import foundation as original  # type: ignore
    except ImportError:
        result["foundation_1_7_1"] = None
    else:
        rate = dict_api(original.make_env_instance, args.seconds)
        result["foundation_1_7_1"] = {"steps_per_second": round(rate)}
        result["foundation_dict_api"]["speedup"] = round(result["foundation_dict_api"]["steps_per_second"] / rate, 1)
    for name, numpy_actions in (("vector_env_numpy_actions", True), ("vector_env_swift_random", False)):
        rate = vector(args.seconds, args.envs, args.threads, numpy_actions)
        result[name] = {"env_steps_per_second": round(rate), "envs": args.envs, "threads": args.threads}
    swift = result["vector_env_swift_random"]["env_steps_per_second"]
    result["vector_env_numpy_actions"]["fraction_of_swift_random"] = round(
        result["vector_env_numpy_actions"]["env_steps_per_second"] / swift, 2)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
