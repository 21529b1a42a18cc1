"""Economist on Ray RLlib (new API stack): the Swift env as an RLlib ``MultiAgentEnv``, a masking
RLModule for Foundation's two policies, and a ``PPOConfig`` built from a Foundation run config.

    from economist.rllib import ppo_config
    algo = ppo_config("scenarios/quickstart.yaml").build_algo()
    print(algo.train()["env_runners"]["social/productivity"])

Training from the command line, on one machine or a Ray cluster:
``python -m economist.rllib.train RUN_CONFIG --run-dir DIR [--address auto]``.
Needs ``ray[rllib]`` and ``torch`` (``pip install 'economist[rllib]'``).
"""

from .callbacks import EconomistCallbacks
from .config import ppo_config
from .env import EconomyEnv, policy_of
from .module import MaskedPPOModule

__all__ = ["EconomyEnv", "MaskedPPOModule", "EconomistCallbacks", "ppo_config", "policy_of"]
