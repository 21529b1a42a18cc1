"""Hatchling build hook: builds the Swift libraries (scripts/build-python.sh) and puts them in
the wheel under economist/_lib/; the wheel is tagged py3-none-<this platform>."""

import subprocess
import sysconfig
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SwiftLibraryHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        subprocess.run(["bash", str(root / "scripts/build-python.sh")], check=True, cwd=root)
        for name in ("libeconomist_c.so", "libeconomist_plots.so"):
            build_data["force_include"][str(root / "python/economist/_lib" / name)] = f"economist/_lib/{name}"
        build_data["pure_python"] = False
        # ctypes, no extension module: any Python 3, this platform only.
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        build_data["tag"] = f"py3-none-{platform}"
