"""Foundation's ``foundation.utils``: saving and loading episode logs in its LZ4 format."""

from __future__ import annotations

import json
import os

from .. import _native
from .._native import check, lib, take_json


def _path(filepath) -> bytes:
    path = os.fsencode(filepath)
    if b"\0" in path:
        raise ValueError(f"the path {filepath!r} contains a NUL character")
    return path


def save_episode_log(game_object, filepath, compression_level: int = 16) -> None:
    """Writes ``game_object.previous_episode_dense_log`` (an env) or a dense-log dict as an LZ4
    frame of its JSON at ``filepath`` (Foundation's format), atomically. The compression level
    only trades size for time; the frame is written at level 16."""
    log = game_object if isinstance(game_object, dict) else game_object.previous_episode_dense_log
    data = json.dumps(log, ensure_ascii=False).encode("utf-8")
    check(lib.economist_dense_log_save(data, len(data), _path(filepath), 1))


def load_episode_log(filepath) -> dict:
    """Reads a dense log written by ``save_episode_log`` (Foundation's or ours; plain JSON
    too), checking its structure; errors name the file."""
    pointer = lib.economist_dense_log_load(_path(filepath))
    if not pointer:
        raise _native.error(_native.IO)
    return take_json(pointer)
