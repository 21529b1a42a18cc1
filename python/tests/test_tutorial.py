"""tutorials/5-python.md runs as written: its python blocks, in order, in one namespace, from a
scratch directory that sees the repository's scenarios/."""

import os
import re

from conftest import ROOT


def test_tutorial_5_runs(tmp_path, capsys):
    text = (ROOT / "tutorials/5-python.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert len(blocks) >= 5
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    namespace = {"__name__": "tutorial"}
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        for i, block in enumerate(blocks):
            exec(compile(block, f"5-python.md block {i + 1}", "exec"), namespace)
    finally:
        os.chdir(old)
    out = capsys.readouterr().out
    assert "['0', '1', '2', '3', 'p']" in out
    assert "(16, 4, 1226) (16, 4, 50) (16, 1, 7)" in out
    assert (tmp_path / "out/python/episode.lz4").read_bytes()[:4] == b"\x04\x22\x4d\x18"
    for name in ("world.png", "agents.png", "first-half.png"):
        assert (tmp_path / "out/python" / name).read_bytes()[:4] == b"\x89PNG"
    assert namespace["done"] == {"__all__": True} and namespace["envs"].truncated.all()
