"""Vectorized environments over the Swift core: one foreign call steps every environment, and
the observations, masks, rewards and flags are numpy views of the Swift-owned buffers."""

from __future__ import annotations

import ctypes
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from . import _native
from ._native import check, lib, take_json

_DTYPES = {"float32": np.float32, "float64": np.float64, "int16": np.int16, "int64": np.int64}


def config_text(config: Any) -> tuple[str, str | None]:
    """The text and origin of a config given as a path, YAML/JSON text, or a mapping (Foundation's
    ``env_config`` dict, components as ``(name, kwargs)`` pairs or single-key dicts, or a full
    run config with an ``env`` section)."""
    if isinstance(config, os.PathLike) or (isinstance(config, str) and "\n" not in config
                                          and config.strip().endswith((".yaml", ".yml", ".json"))):
        path = Path(config)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except OSError as e:
            raise _native.ConfigError(f"{path}: cannot read the config: {e.strerror}",
                                      _native.CONFIG) from None
    if isinstance(config, str):
        return config, None
    if isinstance(config, Mapping):
        return json.dumps(_foundation_config(config), default=_json_default), None
    raise TypeError(f"a config is a path, YAML text or a dict, not {type(config).__name__}")


def _foundation_config(config: Mapping) -> dict:
    out = dict(config)
    if "env" in out and isinstance(out["env"], Mapping):
        out["env"] = _foundation_config(out["env"])
        return out
    components = out.get("components")
    if isinstance(components, (list, tuple)):
        converted = []
        for c in components:
            if isinstance(c, (list, tuple)) and len(c) == 2 and isinstance(c[0], str):
                converted.append({c[0]: dict(c[1] or {})})
            else:
                converted.append(c)
        out["components"] = converted
    return out


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"a config value must be JSON-like, found {type(value).__name__}")


def integer_actions(values, shape: tuple, what: str, exact: bool = False) -> np.ndarray:
    """``values`` as int32 actions of ``shape`` (or broadcastable to it unless ``exact``), after
    checking that they are integers within int32: floats, booleans, strings and out-of-range
    integers are errors, never truncated or wrapped into valid actions."""
    array = np.asarray(values)
    if exact and array.shape != tuple(shape):
        raise ValueError(f"{what}: expected actions of shape {tuple(shape)}, found {array.shape}")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{what}: actions must be integers, found {array.dtype} ({values!r:.80})")
    if array.size and (array.min() < -2**31 or array.max() >= 2**31):
        bad = array.max() if array.max() >= 2**31 else array.min()
        raise _native.ActionError(f"{what}: action {bad} is outside its action space", _native.ACTION)
    try:
        return np.broadcast_to(array, shape).astype(np.int32)
    except ValueError:
        raise ValueError(f"{what}: expected actions of shape {shape}, found {array.shape}") from None


def c_text(text: str, what: str) -> bytes:
    """UTF-8 bytes for a C string argument; an embedded NUL (which would cut it short) is an error."""
    if "\0" in text:
        raise ValueError(f"{what} contains a NUL character")
    return text.encode("utf-8")


class _Handle:
    """Owns the Swift handle; numpy views keep it alive, so a view never outlives its buffer."""

    def __init__(self, pointer: int):
        self.pointer = pointer

    def __del__(self):
        if self.pointer:
            lib.economist_env_destroy(self.pointer)
            self.pointer = None


def _view(handle: _Handle, policy: int, kind: int, ctype, shape) -> np.ndarray:
    address = lib.economist_env_buffer(handle.pointer, policy, kind)
    if not address:
        raise _native.error(_native.ARGUMENT)
    count = int(np.prod(shape)) if len(shape) else 1
    buffer = (ctype * max(count, 1)).from_address(address)
    buffer._owner = handle  # the view's base keeps the Swift buffers alive
    return np.ctypeslib.as_array(buffer)[:count].reshape(shape)


@dataclass(frozen=True)
class Field:
    """One observation entry in a policy's row: its key, offset, shape, Foundation's dtype and
    its number of values."""
    key: str
    offset: int
    shape: tuple[int, ...]
    dtype: np.dtype
    size: int


class PolicyBuffers:
    """One policy's rows for every environment (views of the Swift buffers, valid as long as
    any of them or the env is alive; their values change with each step).

    ``observations`` float32 ``[envs, agents, observation_size]``, ``masks`` float32
    ``[envs, agents, mask_size]``, ``actions`` int32 ``[envs, agents, action_width]`` (written by
    you, read by the next step), ``rewards`` float32 ``[envs, agents]``, ``final_observations``
    (the last observation of an episode that ended in the last step), ``masked_actions`` (actions
    the mask forbade, which acted as NO-OP).
    """

    def __init__(self, handle: _Handle, index: int, envs: int, description: dict):
        self.index = index
        self.name: str = description["name"]
        self.role: str = description["role"]
        self.agents: list[str] = description["agents"]
        self.observation_size: int = description["observation_size"]
        self.mask_size: int = description["mask_size"]
        self.action_width: int = description["action_width"]
        self.action_space: dict = description["action_space"]
        self.fields = [Field(f["key"], f["offset"], tuple(f["shape"]), np.dtype(_DTYPES[f["dtype"]]),
                             int(np.prod(f["shape"])) if f["shape"] else 1)
                       for f in description["fields"]]
        self.mask_entries = description["mask_entries"]
        a = len(self.agents)
        self.observations = _view(handle, index, _native.OBSERVATIONS, ctypes.c_float,
                                  (envs, a, self.observation_size))
        self.masks = _view(handle, index, _native.MASKS, ctypes.c_float, (envs, a, self.mask_size))
        self.actions = _view(handle, index, _native.ACTIONS, ctypes.c_int32, (envs, a, self.action_width))
        self.rewards = _view(handle, index, _native.REWARDS, ctypes.c_float, (envs, a))
        self.final_observations = _view(handle, index, _native.FINAL_OBSERVATIONS, ctypes.c_float,
                                        (envs, a, self.observation_size))
        self.masked_actions = _view(handle, index, _native.MASKED_ACTIONS, ctypes.c_int32, (envs, a))
        if self.action_space["type"] == "discrete":
            self.nvec = np.array([self.action_space["n"]], dtype=np.int64)
        else:
            self.nvec = np.array(self.action_space["nvec"], dtype=np.int64)
        # Offsets of each sub-action's mask segment in the flattened mask.
        self.mask_offsets = np.concatenate([[0], np.cumsum(self.nvec)[:-1]]).astype(np.int64)

    def sample_actions(self, rng: np.random.Generator, out: np.ndarray | None = None) -> np.ndarray:
        """Uniformly random valid actions from the current masks (every sub-action among its
        allowed values; NO-OP when none is allowed), written to ``out`` (the action buffer by
        default)."""
        out = self.actions if out is None else out
        masks = self.masks
        n = int(self.nvec[0])
        # The allowed entry with the largest uniform key: uniform over the allowed actions.
        if (self.nvec == n).all():
            # Every sub-action has n choices: all of them in one pass, [envs, agents, k, n].
            shape = masks.shape[:-1] + (len(self.nvec), n)
            keys = rng.random(shape, dtype=np.float32)
            keys *= masks.reshape(shape)
            out[...] = keys.argmax(axis=-1)
            return out
        for k, (n, start) in enumerate(zip(self.nvec, self.mask_offsets)):
            keys = rng.random(masks.shape[:-1] + (n,), dtype=np.float32)
            keys *= masks[..., start:start + n]
            out[..., k] = keys.argmax(axis=-1)
        return out


class VectorEnv:
    """``num_envs`` copies of one economy stepped together by the Swift core, on ``threads``
    threads, with automatic resets (an ended episode restarts within the step; its last
    observation is in ``final_observations``).

    Per policy (``policies``, Foundation's ``"a"`` for the mobile agents and ``"p"`` for the
    planner) the buffers are preallocated numpy views of the Swift memory (zero-copy): read
    observations and masks, write ``actions``, call ``step()``. Views are valid until the next
    step changes their values; ``set_buffers`` copies into arrays you own after every step
    instead (PufferLib's convention).

    Same config and seed give the same episodes, whatever the thread count. ``origin`` names
    config text in messages and anchors its relative layout paths (for text read elsewhere).
    """

    def __init__(self, config: Any, num_envs: int = 1, threads: int = 1, *, auto_reset: bool = True,
                 dense_logs: bool = False, origin: str | None = None):
        text, found = config_text(config)
        # `origin` names config text in messages and anchors its relative layout paths (text
        # read on one machine and sent to another).
        origin = found if origin is None else str(origin)
        flags = (_native.AUTO_RESET if auto_reset else 0) | (_native.DENSE_LOGS if dense_logs else 0)
        status = ctypes.c_int32(0)
        for name, value in (("num_envs", num_envs), ("threads", threads)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an integer, found {type(value).__name__}")
            limit = 4096 if name == "num_envs" else 256
            if not 1 <= value <= limit:
                raise ValueError(f"{name} must be in 1...{limit}, found {value}")
        pointer = lib.economist_env_create(c_text(text, "the config"), c_text(origin, "the config path") if origin else None,
                                           int(num_envs), int(threads), flags, ctypes.byref(status))
        if not pointer:
            raise _native.error(status.value)
        self._handle = _Handle(pointer)
        self.description: dict = take_json(lib.economist_env_describe(pointer))
        self.num_envs: int = self.description["envs"]
        self.n_agents: int = self.description["n_agents"]
        self.episode_length: int = self.description["episode_length"]
        self.agents: list[str] = self.description["agents"]
        self.policies = [PolicyBuffers(self._handle, k, self.num_envs, d)
                         for k, d in enumerate(self.description["policies"])]
        self.terminated = _view(self._handle, 0, _native.TERMINATED, ctypes.c_uint8, (self.num_envs,)).view(np.bool_)
        self.truncated = _view(self._handle, 0, _native.TRUNCATED, ctypes.c_uint8, (self.num_envs,)).view(np.bool_)
        self._outputs: dict | None = None

    # -- Stepping ---------------------------------------------------------------------------

    def _pointer(self) -> int:
        if self._handle is None:
            raise ValueError("the environment is closed")
        return self._handle.pointer

    def reset(self, seed: int = 0, *, exact_seeds: bool = False, dense_log: bool | None = None) -> None:
        """Resets every environment: env ``i`` seeded from ``seed`` by stream ``i``, or with
        ``seed + i`` exactly (``exact_seeds``: ``economist simulate --seed``'s episodes).
        ``dense_log``: keep one this episode (True), none (False), or as the config says."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
            raise ValueError(f"a seed is an integer in 0..<2^64, found {seed!r}")
        force = -1 if dense_log is None else int(bool(dense_log))
        check(lib.economist_env_reset(self._pointer(), int(seed), 1 if exact_seeds else 0, force))
        self._copy_out()

    def step(self, actions: Mapping[str, np.ndarray] | None = None) -> None:
        """Steps every environment with the actions in the policies' ``actions`` buffers (or
        copied from ``actions``: policy name → array of the buffer's shape). An action outside its
        space raises ``ActionError`` naming env and agent, and nothing is stepped."""
        if actions is not None:
            unknown = set(actions) - {p.name for p in self.policies}
            if unknown:
                raise KeyError(f"no policy {sorted(unknown)} (policies: {', '.join(p.name for p in self.policies)})")
            # Every array is checked before any buffer is written: a refused call changes nothing.
            checked = [(p, integer_actions(actions[p.name], p.actions.shape, f"policy '{p.name}'"))
                       for p in self.policies if p.name in actions]
            for policy, values in checked:
                policy.actions[...] = values
        check(lib.economist_env_step(self._pointer()))
        self._copy_out()

    def step_random(self) -> None:
        """Steps with uniformly random valid actions drawn by the Swift core (each env with its
        own generator, seeded at reset); the actions taken are left in the action buffers."""
        check(lib.economist_env_step_random(self._pointer()))
        self._copy_out()

    def set_buffers(self, **arrays: np.ndarray) -> None:
        """Copies results into arrays you own after every reset and step (PufferLib's
        convention): ``observations_<policy>``, ``masks_<policy>``, ``rewards_<policy>``,
        ``terminated``, ``truncated``; each must have the view's shape."""
        sources = {"terminated": self.terminated, "truncated": self.truncated}
        for p in self.policies:
            sources[f"observations_{p.name}"] = p.observations
            sources[f"masks_{p.name}"] = p.masks
            sources[f"rewards_{p.name}"] = p.rewards
        outputs = {}
        for key, array in arrays.items():
            if key not in sources:
                raise KeyError(f"unknown buffer '{key}' (known: {', '.join(sources)})")
            if array.shape != sources[key].shape:
                raise ValueError(f"{key}: expected shape {sources[key].shape}, found {array.shape}")
            outputs[key] = (sources[key], array)
        self._outputs = outputs or None

    def _copy_out(self) -> None:
        if self._outputs:
            for source, target in self._outputs.values():
                np.copyto(target, source, casting="unsafe")

    # -- Reading ----------------------------------------------------------------------------

    def policy(self, name: str) -> PolicyBuffers:
        """The buffers of policy ``name``."""
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(f"no policy '{name}' (policies: {', '.join(p.name for p in self.policies)})")

    def _env_index(self, env) -> int:
        if isinstance(env, bool) or not isinstance(env, (int, np.integer)) or not 0 <= env < self.num_envs:
            raise IndexError(f"env must be an integer in 0..<{self.num_envs}, found {env!r}")
        return int(env)

    def query_text(self, what: str, env: int = 0) -> str:
        """The JSON text of :meth:`query` (``"null"`` where there is none), unparsed."""
        return _native.take_string(lib.economist_env_query(self._pointer(), self._env_index(env),
                                                           c_text(what, "the query")))

    def query(self, what: str, env: int = 0):
        """A JSON value of env ``env``: ``metrics``, ``previous_episode_metrics``, ``dense_log``,
        ``previous_episode_dense_log`` (the last finished episode that kept one),
        ``take_dense_log`` (the latest finished episode's log not taken before, once),
        ``saez_local_buffer``, ``saez_samples`` (the Saez formula's next samples), ``state`` or
        ``status``."""
        return json.loads(self.query_text(what, env))

    def set_agent_states(self, states: Mapping[str, Mapping], env: int = 0) -> None:
        """Sets agents' state in env ``env`` by hand, with Foundation's ``agent.state`` keys
        (``loc``, ``inventory``, ``escrow``, ``endogenous``, ``build_payment``, ``build_skill``,
        …), and rewrites its observations and masks. Every value is checked first; on an error
        (``EconomistError``) nothing changes."""
        env = self._env_index(env)
        text = json.dumps({str(k): v for k, v in states.items()}, default=_json_default)
        check(lib.economist_env_set_state(self._pointer(), env, c_text(text, "the states")))

    def saez_local_buffer(self, env: int = 0) -> list | None:
        """Env ``env``'s local Saez samples ``[[income, marginal rate], …]`` (Foundation's
        ``get_local_saez_buffer``); None when its tax model is not ``saez``."""
        return self.query("saez_local_buffer", env)

    def set_saez_global_buffer(self, samples, env: int = 0) -> None:
        """Installs ``samples`` (every replica's local buffer, concatenated) as env ``env``'s
        global Saez buffer (Foundation's ``set_global_saez_buffer``)."""
        env = self._env_index(env)
        text = json.dumps([[float(i), float(r)] for i, r in samples])
        check(lib.economist_env_set_saez_global_buffer(self._pointer(), env, c_text(text, "the samples")))

    def close(self) -> None:
        """Releases this object's hold on the Swift environments (views you still hold keep
        their buffers alive until they go)."""
        self._handle = None
