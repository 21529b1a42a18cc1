"""Economist: Foundation's economic simulation (the AI Economist) on a Swift core.

- ``economist.VectorEnv``: many environments stepped in one call, zero-copy numpy buffers.
- ``economist.foundation``: Foundation's API (``make_env_instance``, ``env.reset``,
  ``env.step``, dense logs, ``utils.save_episode_log``) for existing code.
"""

from ._native import (ActionError, ConfigError, EconomistError, EpisodeOverError)
from .vector import VectorEnv

__all__ = ["VectorEnv", "ConfigError", "EconomistError", "ActionError", "EpisodeOverError"]
__version__ = "0.1.0"
