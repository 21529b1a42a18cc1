#!/usr/bin/env bash
# The Python package's tests: installs the package (`pip install .`, which builds the Swift
# library) into a test virtual environment and runs pytest against the installed copy; then builds
# the wheel and checks that it installs and runs in a clean virtual environment with Swift off
# PATH. Virtual environments live under .build/ (never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/python-venv.sh .build/venv-test
.build/venv-test/bin/python -m pip install -q ".[test]"
.build/venv-test/bin/python -m pytest -q -p no:cacheprovider python/tests

echo "Wheel in a clean virtual environment without Swift:"
rm -rf .build/wheels .build/venv-wheel
.build/venv-test/bin/python -m pip wheel -q --no-deps -w .build/wheels .
bash scripts/python-venv.sh .build/venv-wheel
.build/venv-wheel/bin/python -m pip install -q .build/wheels/economist-*.whl
if ldd .build/venv-wheel/lib/python3*/site-packages/economist/_lib/libeconomist_c.so | grep -E "swift|openblas|cairo"; then
  echo "error: the wheel's library depends on a Swift, BLAS or Cairo library" >&2
  exit 1
fi
clean_path=$(echo "$PATH" | tr ':' '\n' | while read -r d; do [ -x "$d/swift" ] || echo "$d"; done | paste -sd:)
(cd /tmp && env PATH="$clean_path" "$OLDPWD/.build/venv-wheel/bin/python" - <<'PY'
import shutil
import economist
assert shutil.which("swift") is None, "swift is still on PATH"
from economist import foundation
env = foundation.make_env_instance(
    scenario_name="layout_from_file/simple_wood_and_stone", n_agents=4, world_size=[25, 25],
    episode_length=10, env_layout_file="quadrant_25x25_20each_30clump.txt",
    components=[("Build", {}), ("ContinuousDoubleAuction", {}), ("Gather", {}), ("PeriodicBracketTax", {})])
obs = env.reset(seed=1)
for _ in range(10):
    obs, rew, done, info = env.step({})
assert done["__all__"] and env.previous_episode_metrics["social/productivity"] >= 0
try:
    economist.VectorEnv("n_agents: 1")
except economist.ConfigError as e:
    assert "n_agents" in str(e)
print("wheel OK:", economist.__file__)
PY
)
