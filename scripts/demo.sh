#!/usr/bin/env bash
# Sets up, builds, and runs the end-to-end demo on the bundled gather-trade-build scenario:
# simulate episodes with random valid actions through the multi-agent adapter, write their dense
# logs (JSON and Foundation's .lz4), show the learners' spaces, measure the environment's speed,
# train the agents briefly with PPO, evaluate them, and draw charts of an episode and of training.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=out/demo
mkdir -p "$out"
economist=.build/release/economist
echo
echo "== Simulating 3 episodes of scenarios/gather_trade_build.yaml with random valid actions"
$economist simulate scenarios/gather_trade_build.yaml --episodes 3 --seed 1 --dense-log "$out/logs"
echo
echo "== Writing the first episode again as Foundation's LZ4-framed dense log"
$economist simulate scenarios/gather_trade_build.yaml --episodes 1 --seed 1 --dense-log "$out/lz4" --lz4
echo
echo "== The spaces a learner sees (as Foundation's RLlib wrapper presents them)"
$economist inspect scenarios/gather_trade_build.yaml
echo
echo "== Environment speed (vectorized through the adapter, and one bare environment)"
$economist bench env --seconds 1
echo
echo "== Training the agents briefly (5 PPO iterations, 20,000 env steps) on scenarios/gather_trade_build_ppo.yaml"
rm -rf "$out/run"
$economist train scenarios/gather_trade_build_ppo.yaml --run-dir "$out/run" --iterations 5
echo
echo "== Evaluating the trained agents (2 episodes)"
$economist evaluate "$out/run" --episodes 2
echo
echo "== Charts of an evaluated episode and of the training run"
$economist plot "$out/run/evaluation/dense_logs/episode_000.json" --out "$out/charts"
$economist plot "$out/run" --out "$out/charts"
echo
echo "Done. Dense logs are in $out/; the training run (results, checkpoints, evaluation) is in $out/run/;"
echo "the charts (PNG) and the episode report (report.md) are in $out/charts/."
