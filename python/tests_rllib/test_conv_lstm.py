"""Foundation's keras_conv_lstm on RLlib: a stateful masking module whose state VectorEnvRunner
threads through steps, episodes and fragment cuts exactly as RLlib's learner rebuilds it."""

import numpy as np
import pytest
import torch
from ray.rllib.core.columns import Columns

from economist.rllib import ppo_config
from economist.rllib.runner import VectorEnvRunner
from economist.rllib.train import main

LSTM = "  model: {custom_model: keras_conv_lstm, max_seq_len: 10, custom_model_config: {fc_dim: 16, lstm_cell_size: 8}}"


@pytest.fixture(scope="module")
def lstm_config(small_config, tmp_path_factory):
    path = tmp_path_factory.mktemp("lstm") / "lstm.yaml"
    text = small_config.read_text()
    assert "  model: {fcnet_hiddens: [32, 32]}" in text
    path.write_text(text.replace("  model: {fcnet_hiddens: [32, 32]}", LSTM))
    return path


def test_the_module_is_foundations_tower_with_an_lstm_state(lstm_config):
    runner = VectorEnvRunner(config=ppo_config(str(lstm_config), num_env_runners=0, num_envs_per_env_runner=2))
    try:
        agents, planner = runner.module["a"], runner.module["p"]
        assert agents.is_stateful() and not planner.is_stateful()
        assert {k: tuple(v.shape) for k, v in agents.get_initial_state().items()} == {
            "pi_h": (8,), "pi_c": (8,), "vf_h": (8,), "vf_c": (8,)}
        tower = agents._pi
        # 11×11 view: conv 16 (5×5), conv 32 (2×2); 7 map channels + 2 index channels × 4.
        assert [c.in_channels for c in tower.convs] == [7 + 2 * 4, 16] and tower.convs[1].out_channels == 32
        assert tower.fcs[0].in_features == 32 * 2 * 2 + 1 + 136  # + time + flat
        episodes = runner.sample(num_timesteps=2 * 30, force_reset=True)
        sa = episodes[0].agent_episodes["0"]
        obs = sa.get_observations(slice(0, 30))
        with torch.no_grad():  # the 30 steps as one sequence from the initial state
            out = agents._forward({Columns.OBS: {k: torch.from_numpy(v)[None] for k, v in obs.items()}})
        np.testing.assert_allclose(out[Columns.ACTION_DIST_INPUTS][0].numpy(),
                                   sa.get_extra_model_outputs(Columns.ACTION_DIST_INPUTS), atol=1e-5)
        last = {k: v[0].numpy() for k, v in out[Columns.STATE_OUT].items()}
        states = sa.get_extra_model_outputs(Columns.STATE_OUT)
        for key in last:
            np.testing.assert_allclose(states[key][-1], last[key], atol=1e-5)
        # The continuation chunk starts from that state, kept as a one-step lookback.
        second = runner.sample(num_timesteps=2 * 30)  # steps 30–59: episodes end at 50, new ones start
        following = [e for e in second if e.id_ == episodes[0].id_][0]
        nxt = following.agent_episodes["0"]
        assert nxt.t_started == 30 and nxt.extra_model_outputs[Columns.STATE_OUT].lookback == 1
        before = nxt.get_extra_model_outputs(Columns.STATE_OUT, indices=-1, neg_index_as_lookback=True)
        for key in last:
            np.testing.assert_array_equal(before[key], states[key][-1])
        # A new episode starts from the initial state again.
        fresh = [e for e in second if e.env_t_started == 0]
        assert len(fresh) == 2 and all(len(e) == 10 for e in fresh)
        assert fresh[0].agent_episodes["0"].extra_model_outputs[Columns.STATE_OUT].lookback == 0
    finally:
        runner.stop()


def test_the_learner_rebuilds_the_sampled_logits_from_the_episodes(lstm_config, local_ray):
    algo = ppo_config(str(lstm_config), num_env_runners=0, num_envs_per_env_runner=2).build_algo()
    try:
        episodes = algo.env_runner.sample(num_timesteps=2 * 30, force_reset=True)
        episodes += algo.env_runner.sample(num_timesteps=2 * 45)  # cuts mid-episode, then new episodes
        learner = algo.learner_group._learner
        batch = learner._learner_connector(rl_module=learner.module, batch={}, episodes=episodes, shared_data={},
                                           metrics=learner.metrics)["a"]
        assert tuple(batch[Columns.ACTION_DIST_INPUTS].shape[1:]) == (10, 50)  # max_seq_len sequences
        with torch.no_grad():
            out = learner.module["a"].forward_train(batch)
        valid = batch["loss_mask"].bool()
        assert int(valid.sum()) == 4 * 2 * 75
        difference = (out[Columns.ACTION_DIST_INPUTS] - batch[Columns.ACTION_DIST_INPUTS]).abs()[valid]
        assert float(difference.max()) < 1e-5
    finally:
        algo.stop()


def test_trains_with_the_training_script(lstm_config, tmp_path, local_ray):
    assert main([str(lstm_config), "--run-dir", str(tmp_path / "run"), "--iterations", "2"]) == 0
    assert (tmp_path / "run/checkpoints/latest").read_text().strip() == "iter_000002"
