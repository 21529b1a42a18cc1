"""RLlib callbacks: Foundation's episode metrics into RLlib's metrics logger."""

from __future__ import annotations

import math

from ray.rllib.callbacks.callbacks import RLlibCallback


class EconomistCallbacks(RLlibCallback):
    """At each episode's end, logs every numeric entry of Foundation's
    ``previous_episode_metrics`` (``social/productivity``, ``social/equality``,
    ``social_welfare/...``, ``endow/0/Coin``, …) as a mean over RLlib's smoothing window, so they
    appear in ``result["env_runners"]``."""

    def on_episode_end(self, *, episode, env_runner=None, metrics_logger=None, env=None, env_index=0,
                       **kwargs) -> None:
        if metrics_logger is None or env is None:
            return
        sub = env.envs[env_index].unwrapped if hasattr(env, "envs") else env.unwrapped
        metrics = getattr(sub, "previous_episode_metrics", None)  # None for envs other than ours
        if not metrics:
            return
        for key, value in metrics.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                metrics_logger.log_value(key, float(value), reduce="mean")
