"""Trains Foundation's two policies with RLlib's PPO on the Swift env, on one machine or a Ray
cluster, from the run config ``economist train`` reads.

    python -m economist.rllib.train scenarios/quickstart.yaml --run-dir out/rllib
    python -m economist.rllib.train config.yaml --run-dir out/run --address auto --num-env-runners 15
    python -m economist.rllib.train config.yaml --run-dir out/run --resume

The run directory (never written over: ``--resume`` continues it, ``--overwrite`` moves it aside
to ``DIR.old`` first) receives:

- ``config.yaml``: the run config as given (``--resume`` refuses a different one);
- ``result.json`` and ``progress.csv``: one record per iteration with RLlib 0.8's column names
  and ``economist train``'s (``timesteps_total``, ``policy_reward_mean/a``,
  ``episode_metrics/social/productivity``, ``info/learner/a/policy_loss``, …): ``economist plot
  DIR`` draws them;
- ``checkpoints/iter_<n>/`` (RLlib's ``save_to_path``, every ``general.ckpt_frequency_steps``
  env steps and at the end) and ``checkpoints/latest`` naming the newest;
- ``dense_logs/logs_<env steps>/env<id>.lz4``: dense logs of the first four envs, every
  ``env.dense_log_frequency`` episodes (Foundation's layout; ``economist plot`` reads them).

With ``tax_model: saez``, every env's Saez samples are pooled after each iteration that finished
episodes and installed in every env, on every runner (Foundation's training script does the
same).

A new run starts from the policies ``general.restore_tf_weights_agents`` and
``general.restore_tf_weights_planner`` name (Foundation's phase 2 starts from phase 1's agents):
here, a run directory of this script or one of its checkpoints.

Training stops at ``general.episodes``, ``general.max_env_steps``, ``general.max_wall_seconds``,
``general.stop_metric``/``stop_value`` or ``--iterations``, whichever comes first; Ctrl-C saves a
checkpoint and stops.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .. import _native
from ..runconfig import RunConfig, load_run_config
from .env import policy_of

_RUN_ENTRIES = ("config.yaml", "result.json", "progress.csv", "checkpoints", "dense_logs")
# Env ids (Foundation's: num_envs_per_env_runner × (runner - 1) + index) that keep dense logs.
DENSE_LOG_ENVS = 4


class RunError(RuntimeError):
    """A run directory or argument problem, with a message for the user."""


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def prepare_run_dir(directory: Path, run: RunConfig, *, resume: bool, overwrite: bool) -> Path | None:
    """Checks ``directory`` for a new run or a resume; returns where an earlier run was moved
    (``--overwrite``), if one was."""
    if resume and overwrite:
        raise RunError("--resume continues the run in the directory and --overwrite replaces it; give one of them")
    present = [e for e in _RUN_ENTRIES if (directory / e).exists()]
    if resume:
        if not (directory / "checkpoints" / "latest").is_file():
            raise RunError(f"--resume: no checkpoint in {directory}/checkpoints (checkpoints/latest is missing)")
        saved = (directory / "config.yaml").read_text(encoding="utf-8") if (directory / "config.yaml").is_file() else None
        if saved != run.text:
            raise RunError(f"--resume: the config differs from {directory}/config.yaml, which the run was started "
                           "with; resume with that file, or start a new run in another --run-dir")
        return None
    if not present:
        directory.mkdir(parents=True, exist_ok=True)
        return None
    aside = Path(f"{directory}.old")
    n = 2
    while aside.exists():
        aside = Path(f"{directory}.old-{n}")
        n += 1
    if not overwrite:
        raise RunError(f"{directory} already holds a training run ({', '.join(present)}): --resume continues it, "
                       f"--overwrite moves it to {aside} and starts a new run, or choose another --run-dir")
    os.rename(directory, aside)
    directory.mkdir(parents=True)
    return aside


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


def result_record(result: dict, wall_seconds: float, steps_per_second: float, kl_policies=("a", "p")) -> dict:
    """One iteration's record with RLlib 0.8's (Foundation's) names, as ``economist train``
    writes them; ``kl_policies`` are those whose KL RLlib computes (``kl_coeff > 0``)."""
    runners = result.get("env_runners", {})
    learners = result.get("learners", {})
    record: dict[str, Any] = {
        "training_iteration": int(result["training_iteration"]),
        "timesteps_total": int(result.get("num_env_steps_sampled_lifetime", runners.get("num_env_steps_sampled_lifetime", 0))),
        "episodes_total": int(runners.get("num_episodes_lifetime", 0)),
        "episodes_this_iter": int(runners.get("num_episodes", 0)),
        "time_this_iter_s": float(result.get("time_this_iter_s", 0.0)),
        "time_total_s": wall_seconds,
        "env_steps_per_s": steps_per_second,
        "episode_reward_mean": _number(runners.get("episode_return_mean")),
    }
    # RLlib 0.8's policy_reward_mean: the mean episode return of one agent of the policy (the
    # new stack's module_episode_returns_mean sums the policy's agents).
    per_policy: dict[str, list[float]] = {}
    for agent, value in (runners.get("agent_episode_returns_mean") or {}).items():
        per_policy.setdefault(policy_of(agent), []).append(float(value))
    for policy, values in sorted(per_policy.items()):
        record[f"policy_reward_mean/{policy}"] = sum(values) / len(values)
    for key, value in sorted(runners.items()):
        if "/" in key and isinstance(value, (int, float)):
            record[f"episode_metrics/{key}"] = float(value)
    # As economist train: the product of the smoothed equality and productivity (a stop metric).
    equality, productivity = record.get("episode_metrics/social/equality"), record.get("episode_metrics/social/productivity")
    if equality is not None and productivity is not None:
        record["episode_metrics/social/equality_times_productivity"] = equality * productivity
    names = {"policy_loss": "policy_loss", "vf_loss": "vf_loss", "total_loss": "total_loss", "entropy": "entropy",
             "curr_entropy_coeff": "entropy_coeff", "default_optimizer_learning_rate": "cur_lr",
             "vf_explained_var": "vf_explained_var", "gradients_default_optimizer_global_norm": "grad_gnorm",
             "num_module_steps_trained": "num_agent_steps_trained"}
    for policy in ("a", "p"):
        stats = learners.get(policy)
        if not stats:
            continue
        for key, name in names.items():
            if key in stats:
                record[f"info/learner/{policy}/{name}"] = _number(stats[key])
        if policy in kl_policies and "mean_kl_loss" in stats:  # RLlib reports 0 when it does not compute it
            record[f"info/learner/{policy}/kl"] = _number(stats["mean_kl_loss"])
    return record


class ResultFiles:
    """``result.json`` (one JSON object per line) and ``progress.csv`` (the same records). Each
    iteration appends a line to both (flushed to disk); ``progress.csv`` is rewritten
    atomically only when a record brings new columns, and both are rewritten once at a resume,
    keeping the iterations up to the checkpoint."""

    def __init__(self, directory: Path, keep_until: int | None):
        self.result_path = directory / "result.json"
        self.progress_path = directory / "progress.csv"
        self.records: list[dict] = []
        self.columns: dict[str, None] = {}  # ordered set: first appearance across records
        if keep_until is not None and self.result_path.is_file():
            for line in self.result_path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    break
                if record.get("training_iteration", math.inf) <= keep_until:
                    self.records.append(record)
        for record in self.records:
            self.columns.update(dict.fromkeys(record))
        if keep_until is not None:
            lines = "".join(json.dumps(r, allow_nan=True) + "\n" for r in self.records)
            _atomic_write(self.result_path, lines.encode("utf-8"))
            self._rewrite_progress()

    def _row(self, record: dict) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(["" if record.get(c) is None else record[c] for c in self.columns])
        return out.getvalue()

    def _rewrite_progress(self) -> None:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(list(self.columns))
        text = out.getvalue() + "".join(self._row(r) for r in self.records)
        _atomic_write(self.progress_path, text.encode("utf-8"))

    @staticmethod
    def _append(path: Path, text: str) -> None:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    def append(self, record: dict) -> None:
        self.records.append(record)
        self._append(self.result_path, json.dumps(record, allow_nan=True) + "\n")
        if any(key not in self.columns for key in record) or not self.progress_path.is_file():
            self.columns.update(dict.fromkeys(record))
            self._rewrite_progress()
        else:
            self._append(self.progress_path, self._row(record))


def save_checkpoint(algo, directory: Path, iteration: int) -> Path:
    """Saves the algorithm with RLlib's ``save_to_path`` into ``checkpoints/iter_<n>`` (written
    beside and renamed into place) and points ``checkpoints/latest`` at it."""
    root = directory / "checkpoints"
    root.mkdir(exist_ok=True)
    name = f"iter_{iteration:06d}"
    target = root / name
    tmp = root / f".{name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    algo.save_to_path(str(tmp.resolve()))
    if target.exists():  # the same iteration saved before a crash: keep the older one aside
        os.rename(target, root / f".{name}.replaced-{os.getpid()}")
    os.rename(tmp, target)
    _atomic_write(root / "latest", (name + "\n").encode("utf-8"))
    return target


def checkpoint_path(value: str, key: str, origin: str | None) -> Path:
    """The RLlib checkpoint that ``general.<key>`` names: a checkpoint directory of this script
    (``checkpoints/iter_<n>``, or any ``save_to_path`` directory) or a run directory (its
    ``checkpoints/latest``)."""
    path = Path(value)
    if not path.is_absolute() and origin:
        beside = Path(origin).parent / path
        path = beside if beside.exists() else path
    if (path / "checkpoints" / "latest").is_file():
        path = path / "checkpoints" / (path / "checkpoints" / "latest").read_text(encoding="utf-8").strip()
    if not (path / "rllib_checkpoint.json").is_file():
        where = f"{origin}: " if origin else ""
        raise RunError(f"{where}general.{key}: expected an RLlib checkpoint (a run directory of "
                       f"economist.rllib.train or one of its checkpoints/iter_<n>), found {value!r}"
                       + ("" if path.exists() else " (no such directory)"))
    return path


def restore_policies(algo, run: RunConfig) -> list[str]:
    """Loads the policies that ``general.restore_tf_weights_agents`` / ``_planner`` name (the
    curriculum's phase 2 starts from phase 1's agents) into the learner and the env runners."""
    done = []
    for key, module in (("restore_tf_weights_agents", "a"), ("restore_tf_weights_planner", "p")):
        value = run.general.get(key)
        if not value:
            continue
        path = checkpoint_path(value, key, run.origin)
        component = f"learner_group/learner/rl_module/{module}"
        if not (path / component).is_dir():
            raise RunError(f"general.{key}: {path} has no policy '{module}' ({path / component} is missing)")
        algo.restore_from_path(str((path / component).resolve()), component=component)
        done.append(f"policy {module} from {path}")
    if done:
        algo.env_runner_group.sync_weights(from_worker_or_learner_group=algo.learner_group)
    return done


def collect_dense_logs(algo) -> list[tuple[int, int, bytes]]:
    """The dense logs the env runners' envs kept since the last call: ``(env id, episode,
    JSON bytes)``, fetched from the runners (on any node) to the driver."""

    def take(runner):
        env = getattr(runner, "env", None)
        if env is None:
            return []
        out = []
        for sub in getattr(env, "envs", []):
            e = sub.unwrapped
            if hasattr(e, "take_dense_logs") and e.env_id is not None:
                out += [(e.env_id, episode, data) for episode, data in e.take_dense_logs()]
        return out

    logs = []
    for part in algo.env_runner_group.foreach_env_runner(take, local_env_runner=True):
        logs += part or []
    return logs


def sync_saez_buffers(algo) -> tuple[int, int] | None:
    """Pools the Saez samples of every env on every runner and installs the pool as each env's
    global buffer, as Foundation's training script does after each iteration
    (``accumulate_and_broadcast_saez_buffers``). Returns (samples, envs), or None when no env
    uses ``tax_model: saez``."""

    def local(runner):
        env = getattr(runner, "env", None)
        out = []
        for sub in getattr(env, "envs", []) if env is not None else []:
            e = sub.unwrapped
            if hasattr(e, "saez_local_buffer"):
                buffer = e.saez_local_buffer()
                if buffer is not None:
                    out.append((e.env_id, buffer))
        return out

    buffers = []
    for part in algo.env_runner_group.foreach_env_runner(local, local_env_runner=True):
        buffers += part or []
    if not buffers:
        return None
    pooled = [sample for _, buffer in sorted(buffers, key=lambda b: b[0]) for sample in buffer]

    def install(runner, pooled=pooled):
        env = getattr(runner, "env", None)
        for sub in getattr(env, "envs", []) if env is not None else []:
            e = sub.unwrapped
            if hasattr(e, "set_saez_global_buffer") and e.saez_local_buffer() is not None:
                e.set_saez_global_buffer(pooled)

    algo.env_runner_group.foreach_env_runner(install, local_env_runner=True)
    return len(pooled), len(buffers)


def write_dense_logs(directory: Path, steps: int, logs: list[tuple[int, int, bytes]]) -> Path | None:
    """Writes the latest log of each env as ``dense_logs/logs_<steps>/env<id>.lz4`` (LZ4 JSON,
    Foundation's format)."""
    if not logs:
        return None
    latest: dict[int, tuple[int, bytes]] = {}
    for env_id, episode, data in logs:
        if env_id not in latest or episode >= latest[env_id][0]:
            latest[env_id] = (episode, data)
    target = directory / "dense_logs" / f"logs_{steps:016d}"
    target.mkdir(parents=True, exist_ok=True)
    for env_id, (_, data) in sorted(latest.items()):
        path = str(target / f"env{env_id:03d}.lz4")
        _native.check(_native.lib.economist_dense_log_save(data, len(data), path.encode("utf-8"), 1))
    return target


def _stop_reason(run: RunConfig, record: dict, started: float, iterations: int | None, done: int) -> str | None:
    general = run.general
    if iterations is not None and done >= iterations:
        return f"--iterations {iterations} reached"
    if general["episodes"] is not None and record["episodes_total"] >= general["episodes"]:
        return f"general.episodes ({general['episodes']}) reached"
    if general["max_env_steps"] is not None and record["timesteps_total"] >= general["max_env_steps"]:
        return f"general.max_env_steps ({general['max_env_steps']}) reached"
    if general["max_wall_seconds"] is not None and time.time() - started >= general["max_wall_seconds"]:
        return f"general.max_wall_seconds ({general['max_wall_seconds']}) reached"
    metric = general["stop_metric"]
    if metric is not None:
        if metric.startswith("episode_reward_mean/"):
            value = record.get(f"policy_reward_mean/{metric.split('/', 1)[1]}")
        else:
            value = record.get(f"episode_metrics/{metric}")
        if value is not None and value >= general["stop_value"]:
            return f"general.stop_metric {metric} = {value:.4g} >= {general['stop_value']}"
    return None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m economist.rllib.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("config", help="a run config (env, general, agent_policy, planner_policy, trainer)")
    parser.add_argument("--run-dir", required=True, help="the run directory")
    parser.add_argument("--address", help="a Ray cluster to join: auto, or ray://host:10001 (default: a local Ray)")
    parser.add_argument("--num-env-runners", type=int, help="env runners (default: trainer.num_workers)")
    parser.add_argument("--num-envs-per-env-runner", type=int,
                        help="envs per runner (default: trainer.num_envs_per_worker)")
    parser.add_argument("--iterations", type=int, help="stop after this many iterations (this process)")
    parser.add_argument("--seed", type=int, help="overrides trainer.seed")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir from its latest checkpoint")
    parser.add_argument("--overwrite", action="store_true", help="move an earlier run in --run-dir aside, start anew")
    args = parser.parse_args(argv)
    for name in ("num_env_runners", "num_envs_per_env_runner", "iterations"):
        value = getattr(args, name)
        low = 0 if name == "num_env_runners" else 1
        if value is not None and not low <= value <= 4096:
            parser.error(f"--{name.replace('_', '-')} must be in {low}...4096, found {value}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run = load_run_config(args.config)
    except _native.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for warning in run.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    directory = Path(args.run_dir)
    try:
        for key in ("restore_tf_weights_agents", "restore_tf_weights_planner"):
            if run.general.get(key) and not args.resume:
                checkpoint_path(run.general[key], key, run.origin)
        aside = prepare_run_dir(directory, run, resume=args.resume, overwrite=args.overwrite)
    except RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: {directory}: cannot prepare the run directory: {e.strerror or e}", file=sys.stderr)
        return 2
    if aside is not None:
        print(f"moved the earlier run to {aside}")

    import ray

    from .config import ppo_config

    try:
        config = ppo_config(run, num_env_runners=args.num_env_runners,
                            num_envs_per_env_runner=args.num_envs_per_env_runner, seed=args.seed)
        config.validate()  # RLlib's own checks (batch sizes against runners × envs × fragment)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not args.resume:
        _atomic_write(directory / "config.yaml", run.text.encode("utf-8"))
    started_ray = not ray.is_initialized()
    if started_ray:
        ray.init(address=args.address, log_to_driver=False, include_dashboard=False)
    try:
        return _train(run, args, directory, config)
    finally:
        if started_ray:
            ray.shutdown()


def _train(run: RunConfig, args: argparse.Namespace, directory: Path, config) -> int:
    algo = config.build_algo()
    started = time.time()
    earlier_seconds = 0.0
    keep_until = None
    if args.resume:
        name = (directory / "checkpoints" / "latest").read_text(encoding="utf-8").strip()
        algo.restore_from_path(str((directory / "checkpoints" / name).resolve()))
        keep_until = algo.iteration
        print(f"resumed from checkpoints/{name} (iteration {keep_until})")
    else:
        try:
            for line in restore_policies(algo, run):
                print(f"restored {line}")
        except RunError as e:
            algo.stop()
            print(f"error: {e}", file=sys.stderr)
            return 2
    results = ResultFiles(directory, keep_until)
    if results.records:
        earlier_seconds = float(results.records[-1].get("time_total_s", 0.0))
    frequency = run.general["ckpt_frequency_steps"]
    last_checkpoint_steps = results.records[-1]["timesteps_total"] if results.records else 0
    done = 0
    record = None
    uses_saez = None  # known after the first pooling attempt
    try:
        while True:
            result = algo.train()
            done += 1
            seconds = time.time() - started
            sampled = result.get("env_runners", {}).get("num_env_steps_sampled", 0)
            speed = sampled / max(result.get("time_this_iter_s", 0.0), 1e-9)
            kl = [p for p in ("a", "p") if run.policy(p)["kl_coeff"] > 0]
            record = result_record(result, earlier_seconds + seconds, speed, kl)
            results.append(record)
            if record["episodes_this_iter"] > 0 and uses_saez is not False:
                pooled = sync_saez_buffers(algo)
                uses_saez = pooled is not None
            logs = collect_dense_logs(algo)
            written = write_dense_logs(directory, record["timesteps_total"], logs)
            print(f"iteration {record['training_iteration']}: {record['timesteps_total']} env steps, "
                  f"reward a {record.get('policy_reward_mean/a')}, p {record.get('policy_reward_mean/p')}, "
                  f"productivity {record.get('episode_metrics/social/productivity')}, "
                  f"{speed:.0f} env steps/s" + (f", dense logs in {written}" if written else ""), flush=True)
            if frequency and record["timesteps_total"] - last_checkpoint_steps >= frequency:
                save_checkpoint(algo, directory, record["training_iteration"])
                last_checkpoint_steps = record["timesteps_total"]
            reason = _stop_reason(run, record, started - earlier_seconds, args.iterations, done)
            if reason:
                print(f"stopping: {reason}")
                break
    except KeyboardInterrupt:
        print("interrupted: saving a checkpoint")
    if record is not None:
        path = save_checkpoint(algo, directory, record["training_iteration"])
        print(f"checkpoint: {path}")
    algo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
