#!/usr/bin/env bash
# Fails loudly if release env steps through the vectorized adapter (32 envs, all cores) fall far
# below their measured speed (~335,000 steps/s on the project's 2-core machine; the floor leaves
# ample headroom for noisy or single-core CI machines).
set -euo pipefail
cd "$(dirname "$0")/.."
floor=${ECONOMIST_SPEED_FLOOR:-60000}
json=$(.build/release/economist bench env --json --seconds 1)
echo "bench: $json"
steps=$(echo "$json" | sed -E 's/.*"env_steps_per_s": ([0-9.]+).*/\1/')
if ! awk -v s="$steps" -v f="$floor" 'BEGIN { exit !(s >= f) }'; then
  echo "error: env steps/s $steps is below the floor $floor" >&2
  exit 1
fi
echo "speed floor ok: $steps >= $floor env steps/s"
