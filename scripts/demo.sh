#!/usr/bin/env bash
# Sets up, builds, and runs scenarios/quickstart.yaml end to end: simulate episodes with random
# valid actions, train the agents with PPO (400,000 env steps, 40 s to 2 min on 2 cores), evaluate
# them, and draw charts of an evaluated episode and of the training run; then install the Python
# package and run an episode through Foundation's API from Python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=out/quickstart
economist=.build/release/economist
rm -rf "$out"
echo
echo "== Simulating 2 episodes of scenarios/quickstart.yaml with random valid actions"
$economist simulate scenarios/quickstart.yaml --episodes 2 --seed 1 --dense-log "$out/logs"
echo
echo "== Training the agents with PPO (stops by itself at 400,000 env steps)"
$economist train scenarios/quickstart.yaml --run-dir "$out/run"
echo
echo "== Evaluating the trained agents (4 episodes)"
$economist evaluate "$out/run" --episodes 4
echo
echo "== Charts of an evaluated episode and of the training run"
$economist plot "$out/run/evaluation/dense_logs/episode_000.json" --out "$out/charts"
$economist plot "$out/run" --out "$out/charts"
echo
echo "== Python: an episode through economist.foundation (Foundation's API) and its charts"
bash scripts/python-venv.sh .build/venv
.build/venv/bin/python -m pip install -q .
.build/venv/bin/python scripts/demo_python.py "$out/python/episode.lz4"
echo
echo "Done."
echo "  charts (PNG) and the episode report: $out/charts/"
ls "$out/charts" | sed 's/^/    /'
echo "  training run (result.json, progress.csv, checkpoints, evaluation): $out/run/"
echo "  dense logs of the random episodes: $out/logs/"
echo "  the Python episode's dense log and its breakdown charts: $out/python/"
