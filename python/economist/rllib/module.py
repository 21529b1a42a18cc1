"""The masking RLModule (torch, new API stack) for Foundation's two policies.

Observations are ``{"observations", "action_mask"}`` dicts (see :mod:`economist.rllib.env`).
Logits of actions the mask forbids are set to the lowest float, so they are never sampled and
carry no probability, for the mobile agents' ``Discrete`` action and for each sub-action of the
planner's ``MultiDiscrete`` (whose mask is the concatenation of the sub-actions' masks).

``model_config`` keys (a run config's ``model`` section, RLlib's names): ``custom_model``
(``"fcnet"`` or ``"random"``: uniform over allowed actions, nothing to train),
``fcnet_hiddens``, ``fcnet_activation`` (``tanh``, ``relu``, ``linear``), ``vf_share_layers``.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import torch
from torch import nn

from ray.rllib.core.columns import Columns
from ray.rllib.core.distribution.torch.torch_distribution import TorchCategorical, TorchMultiCategorical
from ray.rllib.core.rl_module.apis import ValueFunctionAPI
from ray.rllib.core.rl_module.torch import TorchRLModule

# The lowest float32: exp() of it is 0, and it stays finite (no NaN in entropies or KLs).
_LOWEST = torch.finfo(torch.float32).min
_ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "linear": nn.Identity}


def _mlp(inputs: int, hiddens: list[int], activation: str) -> tuple[nn.Module, int]:
    layers: list[nn.Module] = []
    for size in hiddens:
        layers += [nn.Linear(inputs, size), _ACTIVATIONS[activation]()]
        inputs = size
    return nn.Sequential(*layers), inputs


class MaskedPPOModule(TorchRLModule, ValueFunctionAPI):
    """A PPO policy and value network over the flat observation row, with action masking."""

    def setup(self):
        config: dict[str, Any] = dict(self.model_config or {})
        kind = config.get("custom_model", "fcnet")
        if kind not in ("fcnet", "random"):
            raise ValueError(f"model.custom_model: economist.rllib supports 'fcnet' and 'random', found {kind!r}")
        activation = config.get("fcnet_activation", "tanh")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"model.fcnet_activation: expected one of {', '.join(_ACTIVATIONS)}, found {activation!r}")
        hiddens = list(config.get("fcnet_hiddens", [256, 256]))
        obs_space = self.observation_space["observations"]
        inputs = int(obs_space.shape[0])
        if isinstance(self.action_space, gym.spaces.Discrete):
            self._input_lens = [int(self.action_space.n)]
        else:
            self._input_lens = [int(n) for n in self.action_space.nvec]
        logits = sum(self._input_lens)
        mask_size = int(self.observation_space["action_mask"].shape[0])
        if mask_size != logits:
            raise ValueError(f"the action mask has {mask_size} entries, the action space {logits} logits")
        self._random = kind == "random"
        if self._random:
            # Nothing to learn; one parameter so that optimizers can be built for it.
            self._unused = nn.Parameter(torch.zeros(1))
            return
        self._pi_body, width = _mlp(inputs, hiddens, activation)
        self._pi_head = nn.Linear(width, logits)
        self._shared = bool(config.get("vf_share_layers", False))
        if self._shared:
            self._vf_body = None
        else:
            self._vf_body, width = _mlp(inputs, hiddens, activation)
        self._vf_head = nn.Linear(width, 1)
        # RLlib's initialization for heads: small policy logits (near-uniform start).
        nn.init.normal_(self._pi_head.weight, std=0.01)
        nn.init.zeros_(self._pi_head.bias)

    def _forward(self, batch: dict, **kwargs) -> dict:
        obs = batch[Columns.OBS]
        mask = obs["action_mask"]
        if self._random:
            logits = torch.zeros_like(mask)
            return {Columns.ACTION_DIST_INPUTS: torch.where(mask > 0, logits, _LOWEST)}
        x = obs["observations"]
        features = self._pi_body(x)
        logits = self._pi_head(features)
        out = {Columns.ACTION_DIST_INPUTS: torch.where(mask > 0, logits, _LOWEST)}
        if self._shared:
            out[Columns.EMBEDDINGS] = features
        return out

    def compute_values(self, batch: dict, embeddings: Any = None) -> torch.Tensor:
        obs = batch[Columns.OBS]
        if self._random:
            return torch.zeros(obs["action_mask"].shape[:-1], device=obs["action_mask"].device)
        if self._shared:
            features = embeddings if embeddings is not None else self._pi_body(obs["observations"])
        else:
            features = self._vf_body(obs["observations"])
        return self._vf_head(features).squeeze(-1)

    def _dist_cls(self):
        if len(self._input_lens) == 1 and isinstance(self.action_space, gym.spaces.Discrete):
            return TorchCategorical
        return TorchMultiCategorical.get_partial_dist_cls(input_lens=self._input_lens)

    def get_inference_action_dist_cls(self):
        return self._dist_cls()

    def get_exploration_action_dist_cls(self):
        return self._dist_cls()

    def get_train_action_dist_cls(self):
        return self._dist_cls()
