"""python -m economist.rllib.train: the run directory, checkpoints, resume, dense logs, errors."""

import csv
import json

import numpy as np
import pytest

from economist import _native
from economist.rllib import ppo_config
from economist.rllib.train import main


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_trains_checkpoints_and_resumes(tmp_path, small_config, local_ray, capsys):
    run = tmp_path / "run"
    assert main([str(small_config), "--run-dir", str(run), "--iterations", "2"]) == 0
    assert (run / "config.yaml").read_text() == small_config.read_text()
    progress = rows(run / "progress.csv")
    assert [int(r["training_iteration"]) for r in progress] == [1, 2]
    assert [int(r["timesteps_total"]) for r in progress] == [400, 800]
    for key in ("policy_reward_mean/a", "policy_reward_mean/p", "episode_metrics/social/productivity",
                "episode_metrics/social/equality", "episode_metrics/labor/weighted_cost", "info/learner/a/policy_loss", "info/learner/p/vf_loss"):
        assert all(np.isfinite(float(r[key])) for r in progress), key
    for r in progress:
        assert float(r["episode_metrics/social/equality_times_productivity"]) == pytest.approx(
            float(r["episode_metrics/social/equality"]) * float(r["episode_metrics/social/productivity"]))
    # policy_reward_mean is per agent (RLlib 0.8's meaning): four agents and the planner make up
    # the episode's total.
    for r in progress:
        total = 4 * float(r["policy_reward_mean/a"]) + float(r["policy_reward_mean/p"])
        assert total == pytest.approx(float(r["episode_reward_mean"]), rel=1e-6)
    # The planner's entropy schedule [[0, 2.0], [1000, 0.1]] over env steps sampled.
    entropy = [float(r["info/learner/p/entropy_coeff"]) for r in progress]
    assert entropy == pytest.approx([2.0 - 1.9 * 0.4, 2.0 - 1.9 * 0.8])
    assert [float(r["info/learner/a/entropy_coeff"]) for r in progress] == [0.02, 0.02]
    # kl_coeff defaults to RLlib's 0.2 here, so RLlib computes the KL and it is recorded.
    assert all(float(r["info/learner/a/kl"]) >= 0 for r in progress)
    results = [json.loads(line) for line in (run / "result.json").read_text().splitlines()]
    assert [r["training_iteration"] for r in results] == [1, 2]
    # ckpt_frequency_steps 400: a checkpoint at each iteration; latest names the newest.
    assert (run / "checkpoints/latest").read_text().strip() == "iter_000002"
    assert (run / "checkpoints/iter_000001/rllib_checkpoint.json").is_file()
    # Dense logs every 2 episodes in the first envs, LZ4 as Foundation writes them.
    logs = sorted((run / "dense_logs").glob("logs_*/env*.lz4"))
    assert logs and logs[0].read_bytes()[:4] == b"\x04\x22\x4d\x18"
    log = json.loads(_native.take_string(_native.lib.economist_dense_log_load(str(logs[0]).encode())))
    assert len(log["states"]) == 51 and set(log["states"][0]) == {"0", "1", "2", "3", "p"}

    assert main([str(small_config), "--run-dir", str(run), "--iterations", "1"]) == 2
    err = capsys.readouterr().err
    assert f"error: {run} already holds a training run (config.yaml, result.json, progress.csv, checkpoints, " \
           f"dense_logs): --resume continues it, --overwrite moves it to {run}.old and starts a new run, or choose " \
           "another --run-dir" in err

    other = tmp_path / "other.yaml"
    other.write_text(small_config.read_text().replace("seed: 7", "seed: 8"))
    assert main([str(other), "--run-dir", str(run), "--resume", "--iterations", "1"]) == 2
    assert f"--resume: the config differs from {run}/config.yaml" in capsys.readouterr().err

    assert main([str(small_config), "--run-dir", str(run), "--resume", "--iterations", "1"]) == 0
    progress = rows(run / "progress.csv")
    assert [int(r["training_iteration"]) for r in progress] == [1, 2, 3]
    assert int(progress[-1]["timesteps_total"]) == 1200
    assert float(progress[-1]["time_total_s"]) > float(progress[1]["time_total_s"])
    assert (run / "checkpoints/latest").read_text().strip() == "iter_000003"

    assert main([str(small_config), "--run-dir", str(run), "--overwrite", "--iterations", "1"]) == 0
    assert (tmp_path / "run.old/checkpoints/iter_000003").is_dir()
    assert [int(r["training_iteration"]) for r in rows(run / "progress.csv")] == [1]


def test_settings_rllib_cannot_express_are_errors(tmp_path, small_config):
    gamma = tmp_path / "gamma.yaml"
    gamma.write_text(small_config.read_text().replace("  gamma: 0.99\n  lambda: 0.95\n  model: {fcnet_hiddens: [32]}",
                                                      "  gamma: 0.998\n  lambda: 0.95\n  model: {fcnet_hiddens: [32]}"))
    with pytest.raises(ValueError, match=r"agent_policy.gamma \(0.99\) and planner_policy.gamma \(0.998\) differ"):
        ppo_config(str(gamma))
    config = ppo_config(str(small_config))
    assert config.policies_to_train == ["a", "p"] or set(config.policies_to_train) == {"a", "p"}
    assert config.algorithm_config_overrides_per_module["p"]["entropy_coeff"] == [[0, 2.0], [1000, 0.1]]
    assert config.algorithm_config_overrides_per_module["a"]["lr"] == 0.001
    assert (config.train_batch_size_per_learner, config.minibatch_size, config.num_epochs) == (400, 200, 1)
    assert (config.num_env_runners, config.num_envs_per_env_runner, config.rollout_fragment_length) == (1, 2, 100)


def test_phase_two_starts_from_phase_ones_agents(tmp_path, small_config, local_ray, capsys):
    from economist.rllib.train import restore_policies
    from economist.runconfig import load_run_config

    phase1 = tmp_path / "phase1"
    assert main([str(small_config), "--run-dir", str(phase1), "--iterations", "1"]) == 0
    phase2 = tmp_path / "phase2.yaml"
    phase2.write_text(small_config.read_text().replace(
        "  ckpt_frequency_steps: 400", f"  ckpt_frequency_steps: 400\n  restore_tf_weights_agents: {phase1}"))
    run = load_run_config(str(phase2))
    algo = ppo_config(run, num_env_runners=0).build_algo()
    try:
        fresh = algo.learner_group.get_weights(["a", "p"])
        assert restore_policies(algo, run) == [f"policy a from {phase1}/checkpoints/iter_000001"]
        restored = algo.learner_group.get_weights(["a", "p"])
        runner = algo.env_runner.module["a"].state_dict()
    finally:
        algo.stop()
    from ray.rllib.algorithms.algorithm import Algorithm
    trained = Algorithm.from_checkpoint(str(phase1 / "checkpoints/iter_000001"))
    try:
        expected = trained.learner_group.get_weights(["a"])["a"]
    finally:
        trained.stop()
    for name, value in expected.items():
        np.testing.assert_array_equal(restored["a"][name], value)
        np.testing.assert_array_equal(runner[name].numpy(), value)
    assert any(not np.array_equal(fresh["a"][n], v) for n, v in expected.items())
    for name, value in fresh["p"].items():  # the planner starts fresh
        np.testing.assert_array_equal(restored["p"][name], value)

    missing = tmp_path / "missing.yaml"
    missing.write_text(phase2.read_text().replace(str(phase1), str(tmp_path / "nowhere")))
    assert main([str(missing), "--run-dir", str(tmp_path / "run2"), "--iterations", "1"]) == 2
    assert (f"general.restore_tf_weights_agents: expected an RLlib checkpoint (a run directory of "
            f"economist.rllib.train or one of its checkpoints/iter_<n>), found '{tmp_path / 'nowhere'}' "
            "(no such directory)") in capsys.readouterr().err
    assert not (tmp_path / "run2").exists()


def test_bad_arguments_and_configs_are_clear_errors(tmp_path, small_config, capsys):
    with pytest.raises(SystemExit):
        main([str(small_config), "--run-dir", str(tmp_path / "r"), "--num-env-runners", "-1"])
    assert "--num-env-runners must be in 0...4096, found -1" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text(small_config.read_text().replace("train_batch_size: 400", "train_batch_size: lots"))
    assert main([str(bad), "--run-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:" in err and "trainer.train_batch_size" in err and "'lots'" in err
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main([str(small_config), "--run-dir", str(blocker / "run")]) == 2
    assert f"error: {blocker / 'run'}: cannot prepare the run directory" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_stop_metrics_end_the_run(tmp_path, small_config, local_ray, capsys):
    config = tmp_path / "stop.yaml"
    config.write_text(small_config.read_text().replace(
        "  ckpt_frequency_steps: 400", "  ckpt_frequency_steps: 400\n  stop_metric: social/equality_times_productivity\n"
                                       "  stop_value: 0.001"))
    assert main([str(config), "--run-dir", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "stopping: general.stop_metric social/equality_times_productivity = " in out
    assert [int(r["training_iteration"]) for r in rows(tmp_path / "run/progress.csv")] == [1]


def test_same_config_and_seed_give_the_same_run(tmp_path, small_config, local_ray):
    def record(run):
        assert main([str(small_config), "--run-dir", str(run), "--iterations", "2"]) == 0
        return [{k: v for k, v in r.items() if "time" not in k and not k.endswith("per_s")}
                for r in rows(run / "progress.csv")]

    first, second = record(tmp_path / "one"), record(tmp_path / "two")
    assert first == second
    assert float(first[1]["info/learner/a/policy_loss"]) != 0


def test_saez_samples_are_pooled_across_runners_and_envs(tmp_path, small_config, local_ray):
    from economist.rllib.train import sync_saez_buffers

    config = tmp_path / "saez.yaml"
    config.write_text(small_config.read_text().replace("tax_model: model_wrapper", "tax_model: saez")
                      .replace("  train_planner: true", "  train_planner: false"))
    algo = ppo_config(str(config)).build_algo()
    try:
        assert sync_saez_buffers(algo) == (0, 2)  # nothing recorded yet, two envs with a Saez model
        algo.train()  # 400 env steps: 200 per env, 8 tax periods of 4 agents each
        pooled, envs = sync_saez_buffers(algo)

        def report(runner):
            return [(s.env_id, s.saez_local_buffer(), s._vector.query("saez_samples", s.index))
                    for s in runner.env.envs]

        (reports,) = algo.env_runner_group.foreach_env_runner(report, local_env_runner=False)
    finally:
        algo.stop()
    locals_ = [local for _, local, _ in sorted(reports, key=lambda r: r[0])]
    assert envs == 2 and pooled == sum(len(b) for b in locals_) == 2 * 8 * 4
    concatenated = [s for b in locals_ for s in b]
    for _, local, samples in reports:
        # Foundation's saez_buffer: the pool, then the env's own additions (its local samples).
        assert samples[:len(concatenated)] == concatenated
        assert samples[len(concatenated):] == local[len(local) - (len(samples) - len(concatenated)):]
    # Installing a pool shorter than an env's own buffer, or a bad sample, is refused.
    vector = __import__("economist").VectorEnv(config.read_text(), num_envs=1, auto_reset=True)
    vector.reset(1)
    for _ in range(60):
        vector.step_random()
    with pytest.raises(__import__("economist").EconomistError, match="expected at least this environment's 8, found 1"):
        vector.set_saez_global_buffer([[1.0, 0.1]])
    with pytest.raises(__import__("economist").EconomistError, match=r"sample 0: expected a finite income and a marginal rate in 0...1"):
        vector.set_saez_global_buffer([[1.0, 2.0]] * 8)
