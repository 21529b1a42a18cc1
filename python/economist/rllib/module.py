"""The masking RLModule (torch, new API stack) for Foundation's two policies.

Observations are ``{"observations", "action_mask"}`` dicts (see :mod:`economist.rllib.env`).
Logits of actions the mask forbids are set to the lowest float, so they are never sampled and
carry no probability, for the mobile agents' ``Discrete`` action and for each sub-action of the
planner's ``MultiDiscrete`` (whose mask is the concatenation of the sub-actions' masks).

``model_config`` keys (a run config's ``model`` section, RLlib's names): ``custom_model``
(``"fcnet"``, ``"keras_conv_lstm"`` or ``"random"``: uniform over allowed actions, nothing to
train), ``fcnet_hiddens``, ``fcnet_activation`` (``tanh``, ``relu``, ``linear``),
``vf_share_layers``; for ``keras_conv_lstm`` also ``custom_model_config`` (``fc_dim``,
``lstm_cell_size``, ``num_conv``, ``num_fc``, ``idx_emb_dim``, ``input_emb_vocab``),
``max_seq_len`` and ``field_layout`` (the observation row's ``(key, offset, shape)`` entries,
from :attr:`EconomyEnv.field_layout`; :func:`ppo_config` fills it in).

Foundation's ``keras_conv_lstm`` (Zheng et al. 2020), one tower for the policy and one for the
value function: the index map's channels embedded and stacked with the map channels, a 3×3
stride-2 convolution with 16 filters then ``num_conv - 1`` with 32 (relu), flattened and joined
with the non-spatial entries, ``num_fc`` dense layers of ``fc_dim`` (relu), layer norm, an LSTM
of ``lstm_cell_size``, a linear head. Its state (``pi_h``, ``pi_c``, ``vf_h``, ``vf_c``) makes
the module stateful: RLlib trains it on ``max_seq_len`` sequences.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
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


class ConvLSTMTower(nn.Module):
    """One tower of ``keras_conv_lstm`` over flat observation rows (see the module docstring)."""

    def __init__(self, layout: list, options: dict, outputs: int):
        super().__init__()
        fields = {key: (int(offset), tuple(int(n) for n in shape)) for key, offset, shape in layout}
        self._map = fields.get("world-map")
        self._indices = fields.get("world-idx_map")
        flat = []
        for key, (offset, shape) in fields.items():
            if key not in ("world-map", "world-idx_map"):
                flat += range(offset, offset + int(np.prod(shape)))
        self.register_buffer("_flat", torch.tensor(flat, dtype=torch.long), persistent=False)
        self._vocab = int(options.get("input_emb_vocab", 100))
        fc_dim, cell = int(options.get("fc_dim", 128)), int(options.get("lstm_cell_size", 128))
        features = len(flat)
        self.convs = nn.ModuleList()
        if self._map is not None:
            channels, height, width = self._map[1]
            embed = int(options.get("idx_emb_dim", 4))
            self.embedding = nn.Embedding(self._vocab, embed)
            inputs = channels + (self._indices[1][0] * embed if self._indices else 0)
            for i in range(int(options.get("num_conv", 2))):
                if height < 3 or width < 3:
                    raise ValueError(f"model.custom_model_config.num_conv: {i + 1} 3×3 stride-2 convolutions do not "
                                     f"fit maps of {self._map[1][1]}×{self._map[1][2]}")
                self.convs.append(nn.Conv2d(inputs, 16 if i == 0 else 32, 3, stride=2))
                inputs = 16 if i == 0 else 32
                height, width = (height - 3) // 2 + 1, (width - 3) // 2 + 1
            features += inputs * height * width
        layers = []
        for _ in range(int(options.get("num_fc", 2))):
            layers += [nn.Linear(features, fc_dim), nn.ReLU()]
            features = fc_dim
        self.fcs = nn.Sequential(*layers)
        self.norm = nn.LayerNorm(features)
        self.lstm = nn.LSTM(features, cell, batch_first=True)
        self.head = nn.Linear(cell, outputs)
        self.cell = cell

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor):
        """``x`` [B, T, row]; ``h``, ``c`` [B, cell] → outputs [B, T, outputs], new ``h``, ``c``."""
        batch, steps, width = x.shape
        rows = x.reshape(batch * steps, width)
        parts = []
        if self._map is not None:
            offset, (channels, height, width_) = self._map
            z = rows[:, offset:offset + channels * height * width_].reshape(-1, channels, height, width_)
            if self._indices is not None:
                offset, (k, _, _) = self._indices
                codes = rows[:, offset:offset + k * height * width_].reshape(-1, k, height, width_)
                codes = codes.long().clamp_(0, self._vocab - 1)
                embedded = self.embedding(codes)  # [N, k, H, W, E]
                embedded = embedded.permute(0, 1, 4, 2, 3).reshape(z.shape[0], -1, height, width_)
                z = torch.cat([z, embedded], dim=1)
            for conv in self.convs:
                z = torch.relu(conv(z))
            parts.append(z.flatten(1))
        parts.append(rows.index_select(1, self._flat))
        features = self.norm(self.fcs(torch.cat(parts, dim=1)))
        out, (h, c) = self.lstm(features.reshape(batch, steps, -1), (h.unsqueeze(0).contiguous(),
                                                                    c.unsqueeze(0).contiguous()))
        return self.head(out), h.squeeze(0), c.squeeze(0)


class MaskedPPOModule(TorchRLModule, ValueFunctionAPI):
    """A PPO policy and value network over the flat observation row, with action masking."""

    def setup(self):
        config: dict[str, Any] = dict(self.model_config or {})
        kind = config.get("custom_model", "fcnet")
        if kind not in ("fcnet", "keras_conv_lstm", "random"):
            raise ValueError(f"model.custom_model: expected 'fcnet', 'keras_conv_lstm' or 'random', found {kind!r}")
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
        self._lstm = kind == "keras_conv_lstm"
        if self._lstm:
            layout = config.get("field_layout")
            if not layout:
                raise ValueError("keras_conv_lstm needs model_config['field_layout'] (EconomyEnv.field_layout[policy])")
            options = dict(config.get("custom_model_config") or {})
            self._pi = ConvLSTMTower(layout, options, logits)
            self._vf = ConvLSTMTower(layout, options, 1)
            for head, std in ((self._pi.head, 0.01), (self._vf.head, 1.0)):
                nn.init.normal_(head.weight, std=std)
                nn.init.zeros_(head.bias)
            return
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

    def get_initial_state(self) -> dict:
        if not getattr(self, "_lstm", False):
            return {}
        return {key: torch.zeros(tower.cell) for key, tower in
                (("pi_h", self._pi), ("pi_c", self._pi), ("vf_h", self._vf), ("vf_c", self._vf))}

    def _state_in(self, batch: dict, rows: int) -> dict:
        state = batch.get(Columns.STATE_IN)
        if state is None:
            return {k: v.expand(rows, -1) for k, v in self.get_initial_state().items()}
        return state

    def _forward_lstm(self, batch: dict) -> dict:
        obs = batch[Columns.OBS]
        x, mask = obs["observations"], obs["action_mask"]
        timeless = x.dim() == 2  # one step per row (no time rank): a sequence of length 1
        if timeless:
            x, mask = x.unsqueeze(1), mask.unsqueeze(1)
        state = self._state_in(batch, x.shape[0])
        logits, pi_h, pi_c = self._pi(x, state["pi_h"], state["pi_c"])
        values, vf_h, vf_c = self._vf(x, state["vf_h"], state["vf_c"])
        logits = torch.where(mask > 0, logits, _LOWEST)
        values = values.squeeze(-1)
        if timeless:
            logits, values = logits.squeeze(1), values.squeeze(1)
        return {Columns.ACTION_DIST_INPUTS: logits, Columns.EMBEDDINGS: values,
                Columns.STATE_OUT: {"pi_h": pi_h, "pi_c": pi_c, "vf_h": vf_h, "vf_c": vf_c}}

    def _forward(self, batch: dict, **kwargs) -> dict:
        if self._lstm:
            return self._forward_lstm(batch)
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
        if self._lstm:
            # The value tower's outputs of the same forward pass, or a pass of its own.
            return embeddings if embeddings is not None else self._forward_lstm(batch)[Columns.EMBEDDINGS]
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
