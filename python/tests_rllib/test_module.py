"""The masking RLModule and the runner's categorical sampling."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from ray.rllib.core.columns import Columns
from ray.rllib.core.distribution.torch.torch_distribution import TorchMultiCategorical

from economist.rllib import MaskedPPOModule
from economist.rllib.runner import _sample_categoricals

LOWEST = torch.finfo(torch.float32).min


def module(action_space, obs_size=6, **model):
    mask = int(action_space.n) if isinstance(action_space, gym.spaces.Discrete) else int(sum(action_space.nvec))
    obs = gym.spaces.Dict({"observations": gym.spaces.Box(-1e20, 1e20, (obs_size,), np.float32),
                           "action_mask": gym.spaces.Box(0.0, 1.0, (mask,), np.float32)})
    torch.manual_seed(0)
    return MaskedPPOModule(observation_space=obs, action_space=action_space,
                           model_config={"fcnet_hiddens": [8], **model})


def batch(obs, mask):
    return {Columns.OBS: {"observations": torch.tensor(obs, dtype=torch.float32),
                          "action_mask": torch.tensor(mask, dtype=torch.float32)}}


def test_forbidden_actions_get_the_lowest_logit_and_are_never_sampled():
    m = module(gym.spaces.Discrete(5))
    mask = [[1, 0, 1, 0, 0], [0, 0, 0, 1, 0]]
    out = m.forward_exploration(batch(np.random.default_rng(0).normal(size=(2, 6)), mask))
    logits = out[Columns.ACTION_DIST_INPUTS]
    assert (logits[torch.tensor(mask) == 0] == LOWEST).all()
    assert torch.isfinite(logits).all()
    dist = m.get_exploration_action_dist_cls().from_logits(logits.repeat(1000, 1))
    samples = dist.sample().reshape(1000, 2)
    assert set(samples[:, 0].tolist()) == {0, 2} and set(samples[:, 1].tolist()) == {3}
    assert torch.isfinite(dist.entropy()).all()


def test_the_planners_sub_actions_are_masked_one_by_one():
    space = gym.spaces.MultiDiscrete([3, 4])
    m = module(space)
    mask = [[1, 0, 0, 0, 1, 1, 0]]  # sub-action 0: only 0; sub-action 1: 1 or 2
    out = m.forward_exploration(batch(np.zeros((1, 6)), mask))
    dist = m.get_exploration_action_dist_cls().from_logits(out[Columns.ACTION_DIST_INPUTS].repeat(500, 1))
    samples = dist.sample()
    assert samples.shape == (500, 2)
    assert set(samples[:, 0].tolist()) == {0} and set(samples[:, 1].tolist()) == {1, 2}


def test_values_have_one_per_row_with_and_without_shared_layers():
    for share in (False, True):
        m = module(gym.spaces.Discrete(3), vf_share_layers=share)
        b = batch(np.ones((4, 6)), np.ones((4, 3)))
        out = m.forward_train(b)
        assert m.compute_values(b, out.get(Columns.EMBEDDINGS)).shape == (4,)
    shared = module(gym.spaces.Discrete(3), vf_share_layers=True)
    separate = module(gym.spaces.Discrete(3))
    assert sum(p.numel() for p in shared.parameters()) < sum(p.numel() for p in separate.parameters())


def test_the_random_model_is_uniform_over_allowed_actions_and_values_zero():
    m = module(gym.spaces.Discrete(4), custom_model="random")
    b = batch(np.ones((1, 6)), [[1, 1, 0, 1]])
    logits = m.forward_exploration(b)[Columns.ACTION_DIST_INPUTS]
    assert logits.tolist()[0][:2] == [0.0, 0.0] and logits[0, 2] == LOWEST
    assert m.compute_values(b).tolist() == [0.0]


def test_unknown_models_and_a_mask_of_the_wrong_length_are_errors():
    with pytest.raises(ValueError, match="expected 'fcnet', 'keras_conv_lstm' or 'random', found 'lstm'"):
        module(gym.spaces.Discrete(3), custom_model="lstm")
    with pytest.raises(ValueError, match=r"keras_conv_lstm needs model_config\['field_layout'\]"):
        module(gym.spaces.Discrete(3), custom_model="keras_conv_lstm")
    obs = gym.spaces.Dict({"observations": gym.spaces.Box(-1, 1, (2,), np.float32),
                           "action_mask": gym.spaces.Box(0, 1, (4,), np.float32)})
    with pytest.raises(ValueError, match="the action mask has 4 entries, the action space 3 logits"):
        MaskedPPOModule(observation_space=obs, action_space=gym.spaces.Discrete(3), model_config={})


def test_runner_sampling_matches_rllibs_distribution():
    torch.manual_seed(1)
    lens = [3, 4]
    logits = torch.randn(1, 7)
    logits[0, 1] = LOWEST
    big = logits.repeat(40000, 1)
    actions, logp = _sample_categoricals(big, lens, True, torch.Generator().manual_seed(5))
    reference = TorchMultiCategorical.from_logits(big, input_lens=lens)
    torch.testing.assert_close(logp, reference.logp(actions))
    for k, part in enumerate(torch.split(logits[0], lens)):
        expected = torch.softmax(part, -1).numpy()
        observed = np.bincount(actions[:, k].numpy(), minlength=len(expected)) / len(actions)
        assert np.abs(observed - expected).max() < 0.01, (k, observed, expected)
    assert (actions[:, 0] != 1).all()
    greedy, _ = _sample_categoricals(logits, lens, False, torch.Generator())
    assert greedy.tolist() == [[int(torch.argmax(p)) for p in torch.split(logits[0], lens)]]
