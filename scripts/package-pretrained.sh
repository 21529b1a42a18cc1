#!/usr/bin/env bash
# Packages a training run as a shipped, pretrained run directory:
#   bash scripts/package-pretrained.sh RUN_DIR OUT_DIR [EVERY]
# OUT_DIR gets the run's config.yaml and params.json, its latest checkpoint (weights, optimizer
# state, counters, each environment's current episode: `economist train --resume` continues it
# after copying OUT_DIR to a run directory), a thinned progress.csv (every EVERY-th iteration,
# default 10, and the last; the columns the training charts and the README's curve use) and the
# training charts. Dense logs and kept step_* checkpoints stay behind.
set -euo pipefail
run=${1:?usage: package-pretrained.sh RUN_DIR OUT_DIR [EVERY]}
out=${2:?usage: package-pretrained.sh RUN_DIR OUT_DIR [EVERY]}
every=${3:-10}
economist=${ECONOMIST:-.build/release/economist}
[ -f "$run/checkpoints/latest/state.json" ] || { echo "error: $run has no checkpoints/latest/state.json" >&2; exit 1; }
[ ! -e "$out" ] || { echo "error: $out exists; remove it first" >&2; exit 1; }
mkdir -p "$out/checkpoints"
cp "$run/config.yaml" "$run/params.json" "$out/"
cp -r "$run/checkpoints/latest" "$out/checkpoints/latest"
awk -F, -v every="$every" '
  NR == 1 {
    n = 0
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^(training_iteration|timesteps_total|episodes_total|time_total_s|env_steps_per_s|episode_reward_mean)$/ \
          || $i ~ /^policy_reward_mean\// || $i ~ /^info\/learner\/[ap]\/(policy_loss|vf_loss|entropy|approx_kl|clip_fraction)$/ \
          || $i ~ /^episode_metrics\/(social\/productivity|social\/equality|social\/equality_times_productivity|labor\/weighted_cost|Build\/total_builds|Trade\/n_trades)$/ \
          || $i ~ /^episode_metrics\/social_welfare\/coin_eq_times_productivity$/) keep[++n] = i
    }
  }
  { last = $0 }
  NR == 1 || (NR - 1) % every == 0 {
    line = ""
    for (k = 1; k <= n; k++) line = line (k > 1 ? "," : "") $keep[k]
    print line
    printed = NR
  }
  END {
    if (printed != NR) {
      split(last, f, ",")
      line = ""
      for (k = 1; k <= n; k++) line = line (k > 1 ? "," : "") f[keep[k]]
      print line
    }
  }' "$run/progress.csv" > "$out/progress.csv"
"$economist" plot "$out" --smooth 5 --out "$out/plots"
echo "packaged $run into $out"
