"""Runs a tutorial's ``python`` blocks as written: in order, in one namespace, from a scratch
directory that sees the repository's scenarios/ (shared by the tutorial tests of python/tests and
python/tests_rllib)."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python_blocks(name: str, scratch: Path, expected_blocks: int | None = None) -> dict:
    """Executes the python blocks of ``tutorials/<name>``; returns their namespace."""
    text = (ROOT / "tutorials" / name).read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    if expected_blocks is not None:
        assert len(blocks) == expected_blocks, (name, len(blocks))
    (scratch / "scenarios").symlink_to(ROOT / "scenarios")
    namespace = {"__name__": "tutorial"}
    old = os.getcwd()
    os.chdir(scratch)
    try:
        for i, block in enumerate(blocks):
            exec(compile(block, f"{name} block {i + 1}", "exec"), namespace)
    finally:
        os.chdir(old)
    return namespace
