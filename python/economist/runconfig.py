"""Foundation run configs (``config.yaml`` with ``env``, ``general``, ``agent_policy``,
``planner_policy``, ``trainer``), read by the Swift library exactly as ``economist train`` reads
them: the same defaults, the same accepted-but-ignored RLlib keys, the same located errors.

    from economist.runconfig import load_run_config
    run = load_run_config("scenarios/quickstart.yaml")
    run.agent_policy["lr"], run.trainer["train_batch_size"], run.warnings
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

from . import _native
from ._native import lib, take_json
from .vector import c_text, config_text


@dataclass(frozen=True)
class RunConfig:
    """A checked run config: its text and origin (for building environments anywhere, e.g. on
    Ray workers that cannot read the driver's files) and every section with defaults filled in,
    under RLlib's key names."""
    text: str
    origin: str | None
    env: dict
    general: dict
    agent_policy: dict
    planner_policy: dict
    trainer: dict
    warnings: list

    def policy(self, name: str) -> dict:
        """The settings of policy ``"a"`` (``agent_policy``) or ``"p"`` (``planner_policy``)."""
        if name not in ("a", "p"):
            raise KeyError(f"no policy '{name}' (policies: a, p)")
        return self.agent_policy if name == "a" else self.planner_policy


def load_run_config(config: Any) -> RunConfig:
    """A run config from a path, YAML/JSON text or a dict; ``ConfigError`` lists every problem
    of every section with its file, line and key path."""
    text, origin = config_text(config)
    status = ctypes.c_int32(0)
    pointer = lib.economist_run_config(c_text(text, "the config"),
                                       c_text(origin, "the config path") if origin else None,
                                       ctypes.byref(status))
    if not pointer:
        raise _native.error(status.value)
    values = take_json(pointer)
    return RunConfig(text=text, origin=origin, **values)
