"""The Swift library behind the package, through ctypes (the C ABI in ``economist.h``).

The libraries are looked up in this order: the directory of ``$ECONOMIST_LIBRARY`` (a path
to ``libeconomist_c.so``); ``_lib/`` inside the installed package (what ``pip install`` puts
there); the repository's ``.build/python/release`` (a checkout where
``scripts/build-python.sh`` ran).
"""

from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path

ABI_VERSION = 2

OK, CONFIG, ARGUMENT, ACTION, EPISODE_OVER, SETUP, IO = range(7)
AUTO_RESET, DENSE_LOGS = 1, 2
(OBSERVATIONS, MASKS, ACTIONS, REWARDS, FINAL_OBSERVATIONS, MASKED_ACTIONS, TERMINATED,
 TRUNCATED) = range(8)


class EconomistError(RuntimeError):
    """An error reported by the Swift library, with its status code."""

    def __init__(self, message: str, status: int = ARGUMENT):
        super().__init__(message)
        self.status = status


class ConfigError(EconomistError, ValueError):
    """A config problem: the message names the file, key path and line, what was expected and
    what was found (every problem of the config, one per line)."""


class ActionError(EconomistError, ValueError):
    """An action outside its space; nothing was stepped."""


class EpisodeOverError(EconomistError):
    """A step after the episode ended: call ``reset()`` first."""


def _candidates(name: str) -> list[Path]:
    here = Path(__file__).resolve().parent
    found = []
    if os.environ.get("ECONOMIST_LIBRARY"):
        found.append(Path(os.environ["ECONOMIST_LIBRARY"]).with_name(name))
    found.append(here / "_lib" / name)
    found.append(here.parent.parent / ".build" / "python" / "release" / name)
    return found


def library_path(name: str) -> Path:
    """Where the Swift library ``name`` is (``$ECONOMIST_LIBRARY``'s directory, the package's
    ``_lib``, or a checkout's ``.build/python/release``)."""
    tried = []
    for path in _candidates(name):
        if path.is_file():
            return path
        tried.append(str(path))
    raise ImportError(
        f"economist: the Swift library {name} was not found (looked in: {', '.join(tried)}); "
        "install the package with `pip install .` or run scripts/build-python.sh")


def _load() -> ctypes.CDLL:
    path = library_path("libeconomist_c.so")
    lib = ctypes.CDLL(str(path))
    c_char_p, c_void_p, i32, i64, u64 = (ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int32,
                                         ctypes.c_int64, ctypes.c_uint64)
    owned = ctypes.POINTER(ctypes.c_char)  # strings the caller frees
    signatures = {
        "economist_abi_version": ([], i32),
        "economist_last_error": ([], c_char_p),
        "economist_free": ([owned], None),
        "economist_env_create": ([c_char_p, c_char_p, i32, i32, i32, ctypes.POINTER(i32)], c_void_p),
        "economist_env_destroy": ([c_void_p], None),
        "economist_env_describe": ([c_void_p], owned),
        "economist_env_buffer": ([c_void_p, i32, i32], c_void_p),
        "economist_env_reset": ([c_void_p, u64, i32, i32], i32),
        "economist_env_step": ([c_void_p], i32),
        "economist_env_step_random": ([c_void_p], i32),
        "economist_env_query": ([c_void_p, i32, c_char_p], owned),
        "economist_env_set_state": ([c_void_p, i32, c_char_p], i32),
        "economist_env_set_saez_global_buffer": ([c_void_p, i32, c_char_p], i32),
        "economist_dense_log_load": ([c_char_p], owned),
        "economist_dense_log_save": ([ctypes.c_char_p, i64, c_char_p, i32], i32),
        "economist_run_config": ([c_char_p, c_char_p, ctypes.POINTER(i32)], owned),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = arguments
        function.restype = result
    version = lib.economist_abi_version()
    if version != ABI_VERSION:
        raise ImportError(
            f"economist: {path} implements ABI version {version}, this package needs {ABI_VERSION}; "
            "rebuild the library (pip install .)")
    return lib


lib = _load()
_errors = {CONFIG: ConfigError, ACTION: ActionError, EPISODE_OVER: EpisodeOverError}


def error(status: int) -> EconomistError:
    """The exception for a failed call's status, with the library's message."""
    message = lib.economist_last_error().decode("utf-8", "replace")
    return _errors.get(status, EconomistError)(message, status)


def check(status: int) -> None:
    """Raises the library's error for a non-zero status."""
    if status != OK:
        raise error(status)


def take_string(pointer) -> str:
    """The text of a string the library returned (raising its error for NULL), released."""
    if not pointer:
        raise error(ARGUMENT)
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        lib.economist_free(pointer)


def take_json(pointer):
    """The JSON value of a string the library returned, released."""
    return json.loads(take_string(pointer))
