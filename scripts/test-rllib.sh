#!/usr/bin/env bash
# The RLlib tests (python/tests_rllib: the MultiAgentEnv, the masking module, VectorEnvRunner,
# the training script, a two-node local Ray cluster) in a virtual environment with ray[rllib]
# and CPU-only torch. The environment is cached outside the checkout, keyed by the pinned
# versions (ECONOMIST_CACHE, default ~/.cache/economist): a warm machine reuses it, a new one
# installs it once (about two minutes). The package goes in from a wheel: `--wheel PATH` (the one
# scripts/test-python.sh just built, as scripts/test.sh passes it), else one built here.
set -euo pipefail
cd "$(dirname "$0")/.."
ray_pin="ray[rllib]==2.60.0"
torch_version="2.13.0"
# CPU-only torch: the +cpu wheel where pip's find-links has it (this machine's image ships it);
# otherwise PyPI's build of the same version, which also pulls CUDA libraries.
torch_pin="torch==${torch_version}"
for dir in ${PIP_FIND_LINKS:-}; do
  if ls "$dir"/torch-"${torch_version}"+cpu-*.whl >/dev/null 2>&1; then torch_pin="torch==${torch_version}+cpu"; fi
done
key=$(printf '%s\n' "$ray_pin" "$torch_pin" pytest "$(python3 --version)" | sha256sum | cut -c1-12)
venv="${ECONOMIST_CACHE:-$HOME/.cache/economist}/venv-rllib-$key"
if [ ! -f "$venv/.complete" ]; then
  echo "Installing $ray_pin and $torch_pin into $venv"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  bash scripts/python-venv.sh "$venv"
  "$venv/bin/python" -m pip install -q "$ray_pin" "$torch_pin" pytest
  touch "$venv/.complete"
fi
wheel=""
if [ "${1:-}" = "--wheel" ]; then wheel=${2:?--wheel needs a path}; fi
if [ -z "$wheel" ]; then
  rm -rf .build/wheels-rllib
  "$venv/bin/python" -m pip wheel -q --no-deps -w .build/wheels-rllib .
  wheel=$(ls .build/wheels-rllib/economist-*.whl | head -1)
fi
"$venv/bin/python" -m pip install -q --no-deps --force-reinstall "$wheel"
# Against the installed package (as on a cluster node), not the checkout's python/ folder.
(cd python/tests_rllib && "$venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir=. .)
