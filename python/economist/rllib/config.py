"""RLlib's PPO (new API stack) configured from a Foundation run config: the same file
``economist train`` reads, with the same values.

    from economist.rllib import ppo_config
    config = ppo_config("scenarios/quickstart.yaml", num_env_runners=2)
    algo = config.build_algo()
    result = algo.train()
    result["env_runners"]["social/productivity"]

Foundation's two policies: ``"a"`` shared by the mobile agents, ``"p"`` the planner;
``general.train_planner`` decides ``policies_to_train``. Per-policy settings (``lr``,
``lr_schedule``, ``entropy_coeff``, ``entropy_coeff_schedule``, ``clip_param``,
``vf_clip_param``, ``vf_loss_coeff``, ``grad_clip``, ``kl_coeff``, ``kl_target``) become per-module
overrides; schedules count env steps sampled, as the curriculum's do.
"""

from __future__ import annotations

from typing import Any

from ray.rllib.algorithms.ppo import PPOConfig
from ray.rllib.core.rl_module.multi_rl_module import MultiRLModuleSpec
from ray.rllib.core.rl_module.rl_module import RLModuleSpec

from ..runconfig import RunConfig, load_run_config
from .callbacks import EconomistCallbacks
from .env import EconomyEnv, policy_of
from .module import MaskedPPOModule
from .runner import VectorEnvRunner


def _mapping(agent_id, episode=None, **kwargs) -> str:
    return policy_of(agent_id)


def _schedule(points, constant: float):
    """RLlib's schedule form (``[[step, value], ...]``, starting at step 0) or the constant."""
    if not points:
        return constant
    points = [[int(s), float(v)] for s, v in points]
    if points[0][0] != 0:
        points.insert(0, [0, points[0][1]])
    return points


def _model(run: RunConfig, name: str, layout: list) -> dict:
    """A policy's ``model`` section as the module's ``model_config`` (with the observation
    row's layout, which ``keras_conv_lstm`` cuts its maps from)."""
    model = dict(run.policy(name)["model"])
    model["field_layout"] = [list(entry) for entry in layout]
    return model


def ppo_config(config: Any, *, num_env_runners: int | None = None, num_envs_per_env_runner: int | None = None,
               seed: int | None = None, dense_logs: bool = True, dense_log_envs: int | None = 4,
               vector_runner: bool = True) -> PPOConfig:
    """A ``PPOConfig`` for a run config (path, YAML text, dict or :class:`RunConfig`).

    ``num_env_runners`` and ``num_envs_per_env_runner`` default to the config's
    ``trainer.num_workers`` and ``trainer.num_envs_per_worker``; ``seed`` to ``trainer.seed``.
    Dense logs are kept (every ``env.dense_log_frequency`` episodes) by the first
    ``dense_log_envs`` envs, as Foundation's training script keeps four. ``vector_runner``
    samples with :class:`~economist.rllib.runner.VectorEnvRunner` (one Swift call steps all of
    a runner's envs); False keeps RLlib's ``MultiAgentEnvRunner`` over :class:`EconomyEnv`.
    Raises ``ConfigError`` for config problems and ``ValueError`` for settings RLlib cannot
    express (different ``gamma``/``lambda`` for two trained policies: RLlib's GAE takes one of
    each). ``keras_conv_lstm`` policies are stateful: RLlib trains them on ``max_seq_len``
    sequences.
    """
    run = config if isinstance(config, RunConfig) else load_run_config(config)
    trainer = run.trainer
    trained = ["a"]
    if run.general["train_planner"]:
        trained.append("p")
    probe = EconomyEnv({"config": run, "dense_logs": False})
    models = {name: _model(run, name, probe.field_layout[name]) for name in ("a", "p")}
    if models["a"]["custom_model"] == "random":
        raise ValueError("agent_policy.model.custom_model: 'random' has nothing to train; economist.rllib trains "
                         "the agents' policy (use fcnet)")
    first = run.policy(trained[0])
    for key in ("gamma", "lambda", "use_gae"):
        values = {name: run.policy(name)[key] for name in trained}
        if len(set(values.values())) > 1:
            raise ValueError(
                f"agent_policy.{key} ({values['a']}) and planner_policy.{key} ({values['p']}) differ; "
                f"RLlib's PPO uses one {key} for every policy: give both the same value")
    spaces = {name: (probe.observation_spaces[agent], probe.action_spaces[agent])
              for agent in probe.possible_agents for name in [policy_of(agent)]}
    probe.close()
    specs = {name: RLModuleSpec(module_class=MaskedPPOModule, observation_space=obs, action_space=act,
                                model_config=models[name])
             for name, (obs, act) in spaces.items()}
    overrides = {}
    for name in ("a", "p"):
        p = run.policy(name)
        overrides[name] = PPOConfig.overrides(
            lr=_schedule(p["lr_schedule"], p["lr"]),
            entropy_coeff=_schedule(p["entropy_coeff_schedule"], p["entropy_coeff"]),
            clip_param=p["clip_param"], vf_clip_param=p["vf_clip_param"], vf_loss_coeff=p["vf_loss_coeff"],
            grad_clip=p["grad_clip"], use_kl_loss=p["kl_coeff"] > 0, kl_coeff=p["kl_coeff"],
            kl_target=p["kl_target"])
    runners = trainer["num_workers"] if num_env_runners is None else int(num_env_runners)
    envs = trainer["num_envs_per_worker"] if num_envs_per_env_runner is None else int(num_envs_per_env_runner)
    seed = trainer["seed"] if seed is None else int(seed)
    ppo = (
        PPOConfig()
        .framework("torch")
        .environment(EconomyEnv, env_config={"config": run, "dense_logs": dense_logs,
                                             "dense_log_envs": dense_log_envs, "num_envs_per_env_runner": envs,
                                             "seed": 0 if seed is None else seed},
                     disable_env_checking=True)
        .env_runners(num_env_runners=runners, num_envs_per_env_runner=envs,
                     rollout_fragment_length=trainer["rollout_fragment_length"], num_cpus_per_env_runner=1,
                     **({"env_runner_cls": VectorEnvRunner} if vector_runner else {}))
        .multi_agent(policies={"a", "p"}, policy_mapping_fn=_mapping, policies_to_train=trained)
        .rl_module(rl_module_spec=MultiRLModuleSpec(rl_module_specs=specs),
                   algorithm_config_overrides_per_module=overrides)
        .training(train_batch_size_per_learner=trainer["train_batch_size"],
                  minibatch_size=trainer["sgd_minibatch_size"], num_epochs=trainer["num_sgd_iter"],
                  shuffle_batch_per_epoch=trainer["shuffle_sequences"], gamma=first["gamma"],
                  lambda_=first["lambda"] if first["use_gae"] else 1.0, use_gae=first["use_gae"])
        .callbacks(EconomistCallbacks)
        .reporting(metrics_num_episodes_for_smoothing=trainer["metrics_smoothing_episodes"]
                   or max(1, max(1, runners) * envs))
    )
    if seed is not None:
        ppo = ppo.debugging(seed=seed)
    ppo.economist_run_config = run  # for the training script and callbacks
    return ppo


__all__ = ["ppo_config"]
