"""Charts of dense logs and environments, drawn by the Swift charts (Foundation's tutorial
``plotting`` functions, returning images instead of matplotlib figures).

Each function returns an ``Image`` (PNG bytes) that shows inline in Jupyter and saves with
``.save(path)``. The library behind it (``libeconomist_plots.so``) needs Cairo and libpng from
the system; it is loaded on first use, so ``import economist`` never needs them.
"""

from __future__ import annotations

import ctypes
import json
import os
import struct
from pathlib import Path

import numpy as np

from . import _native

_lib = None


def _plots():
    global _lib
    if _lib is None:
        path = _native.library_path("libeconomist_plots.so")
        try:
            lib = ctypes.CDLL(str(path))
        except OSError as e:
            raise ImportError(f"economist.plotting: cannot load {path} ({e}); it needs the system's "
                              "Cairo and libpng (Debian: apt install libcairo2 libpng16-16)") from None
        lib.economist_plots_abi_version.restype = ctypes.c_int32
        lib.economist_plots_last_error.restype = ctypes.c_char_p
        lib.economist_plots_free.argtypes = [ctypes.c_void_p]
        lib.economist_plots_chart.argtypes = [
            ctypes.c_char_p, ctypes.c_int64, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int32,
            ctypes.c_int32, ctypes.c_int32, ctypes.c_int32, ctypes.POINTER(ctypes.c_int64)]
        lib.economist_plots_chart.restype = ctypes.c_void_p
        if lib.economist_plots_abi_version() != _native.ABI_VERSION:
            raise ImportError(f"economist.plotting: {path} implements another ABI version; reinstall the package")
        _lib = lib
    return _lib


class Image:
    """A PNG image: ``png`` (bytes), ``width``, ``height``; shows inline in Jupyter."""

    def __init__(self, png: bytes):
        self.png = png
        self.width, self.height = struct.unpack(">II", png[16:24])

    def _repr_png_(self) -> bytes:
        return self.png

    def save(self, path) -> Path:
        """Writes the PNG to ``path`` (atomically: a temporary file renamed into place)."""
        path = Path(path)
        temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
        temporary.write_bytes(self.png)
        os.replace(temporary, path)
        return path

    def __repr__(self):
        return f"<economist.plotting.Image {self.width}×{self.height} PNG, {len(self.png):,} bytes>"


def chart(dense_log, name: str, *, snapshots: int = 5, t0: int | None = None, tN: int | None = None,
          size: tuple[int, int] | None = None) -> Image:
    """One chart of a dense log (a dict, or a path to a ``.json``/``.lz4`` log): ``world``,
    ``agents``, ``trajectories``, ``taxes`` or ``economy``; for a one-step economy's log (no
    map, agents with ``skill`` and ``production``) ``agents-by-skill`` (hours, income, tax and
    utility against skill) or ``tax-schedule`` instead."""
    origin = "<dense log>"
    if isinstance(dense_log, (str, os.PathLike)):
        from .foundation.utils import load_episode_log
        origin = str(dense_log)
        dense_log = load_episode_log(dense_log)
    data = json.dumps(dense_log).encode("utf-8")
    width, height = size if size is not None else (0, 0)
    for name_, value, low, high in (("snapshots", snapshots, 1, 64), ("t0", t0, 0, 2**31 - 1), ("tN", tN, 0, 2**31 - 1),
                                    ("width", width, 0, 8192), ("height", height, 0, 8192)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                                  or not low <= value <= high):
            raise ValueError(f"{name_} must be an integer in {low}...{high}, found {value!r}")
    if "\0" in name:
        raise ValueError("the chart name contains a NUL character")
    length = ctypes.c_int64(0)
    lib = _plots()
    pointer = lib.economist_plots_chart(
        data, len(data), origin.encode(), name.encode(), snapshots, -1 if t0 is None else t0, -1 if tN is None else tN,
        width, height, ctypes.byref(length))
    if not pointer:
        raise ValueError(lib.economist_plots_last_error().decode("utf-8", "replace"))
    try:
        return Image(ctypes.string_at(pointer, length.value))
    finally:
        lib.economist_plots_free(pointer)


def vis_world_range(dense_log, t0: int = 0, tN: int | None = None, N: int = 5, **_) -> Image:
    """``N`` map snapshots between steps ``t0`` and ``tN`` (Foundation's ``vis_world_range``;
    snapshots exist every ``world_dense_log_frequency`` steps, and the nearest one is drawn)."""
    return chart(dense_log, "world", snapshots=N, t0=t0, tN=tN)


def plot_env_state(env, ax=None, remap_key=None) -> Image:
    """The map and agents of ``env`` now (an ``economist.foundation`` env)."""
    if ax is not None:
        raise NotImplementedError("economist draws with its own charts, not into a matplotlib axis; "
                                  "call plot_env_state(env) and show or save the returned image")
    state = env._state()
    log = {"world": state["world"], "states": state["states"], "actions": [], "rewards": []}
    return chart(log, "world", snapshots=1)


def breakdown(log, remap_key=None):
    """Foundation's tutorial ``breakdown``: ``((world, agents, trajectories), incomes, endows,
    c_trades, all_builds)`` — the three charts as images, then the same numbers Foundation
    computes: each agent's income by source, final coin endowment, the trades by commodity and
    every build (``remap_key`` orders agents by a state field, as in Foundation)."""
    if isinstance(log, (str, os.PathLike)):
        from .foundation.utils import load_episode_log
        log = load_episode_log(log)
    figures = tuple(chart(log, name) for name in ("world", "agents", "trajectories"))
    n = len(log["states"][0]) - 1
    if remap_key is None:
        order = list(range(n))
    else:
        order = np.argsort([log["states"][0][str(i)][remap_key] for i in range(n)]).tolist()
    all_builds = []
    for t, builds in enumerate(log.get("Build", [])):
        for build in (builds["builds"] if isinstance(builds, dict) else builds):
            all_builds.append(dict({"t": t}, **build))
    incomes = {}
    c_trades = None
    if "Trade" in log:
        c_trades = {"Stone": [], "Wood": []}
        for t, trades in enumerate(log["Trade"]):
            for trade in (trades["trades"] if isinstance(trades, dict) else trades):
                entry = {"t": t, "t_ask": t - trade["ask_lifetime"], "t_bid": t - trade["bid_lifetime"]}
                entry.update(trade)
                c_trades.setdefault(trade["commodity"], []).append(entry)
        for resource in ("Stone", "Wood"):
            trades = c_trades.get(resource, [])
            incomes[f"Sell {resource}"] = [sum(x["income"] for x in trades if x["seller"] == order[i]) for i in range(n)]
            incomes[f"Buy {resource}"] = [sum(-x["price"] for x in trades if x["buyer"] == order[i]) for i in range(n)]
    incomes["Build"] = [sum(b["income"] for b in all_builds if b["builder"] == order[i]) for i in range(n)]
    incomes["Total"] = np.stack([v for v in incomes.values()]).sum(axis=0)
    last = log["states"][-1]
    endows = [int(last[str(order[i])]["inventory"]["Coin"] + last[str(order[i])]["escrow"]["Coin"]) for i in range(n)]
    return figures, incomes, endows, c_trades, all_builds
