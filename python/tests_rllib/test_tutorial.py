"""tutorials/6-rllib.md runs as written: its python blocks, in order, in one namespace, from a
scratch directory that sees the repository's scenarios/."""

import sys

import ray

from conftest import ROOT

sys.path.insert(0, str(ROOT / "python/tests"))
from markdown_blocks import run_python_blocks  # noqa: E402


def test_tutorial_6_runs(tmp_path, capsys):
    assert not ray.is_initialized()
    try:
        run_python_blocks("6-rllib.md", tmp_path, expected_blocks=4)
    finally:
        if ray.is_initialized():
            ray.shutdown()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "['a', 'p'] ['a']"
    assert out[1] == "4000 1000 4"
    assert out[2] == "(1226,) Discrete(50) MultiDiscrete([1])"
    first, second = (line.split() for line in out[3:5])
    assert (first[:2], second[:2]) == (["1", "4000"], ["2", "8000"])
    assert out[5] == "2" and out[6] == "True"
    assert (tmp_path / "out/rllib/episode.lz4").read_bytes()[:4] == b"\x04\x22\x4d\x18"
