"""tutorials/5-python.md runs as written: its python blocks, in order, in one namespace, from a
scratch directory that sees the repository's scenarios/."""

from markdown_blocks import run_python_blocks


def test_tutorial_5_runs(tmp_path, capsys):
    namespace = run_python_blocks("5-python.md", tmp_path)
    out = capsys.readouterr().out
    assert "['0', '1', '2', '3', 'p']" in out
    assert "(16, 4, 1226) (16, 4, 50) (16, 1, 7)" in out
    assert (tmp_path / "out/python/episode.lz4").read_bytes()[:4] == b"\x04\x22\x4d\x18"
    for name in ("world.png", "agents.png", "first-half.png"):
        assert (tmp_path / "out/python" / name).read_bytes()[:4] == b"\x89PNG"
    assert namespace["done"] == {"__all__": True} and namespace["envs"].truncated.all()
