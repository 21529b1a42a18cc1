#!/usr/bin/env bash
# The README's test command: every Swift test (`swift test`), then the Python package's tests
# (scripts/test-python.sh: pytest against the installed package, and the wheel without Swift),
# then the RLlib tests (scripts/test-rllib.sh: ray[rllib] and torch in a cached environment).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test 2>&1
bash scripts/test-python.sh
bash scripts/test-rllib.sh --wheel "$(ls .build/wheels/economist-*.whl | head -1)"
