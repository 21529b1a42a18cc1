#!/usr/bin/env bash
# Installs the Debian packages Economist needs (only the missing ones) and builds it in release
# mode. Used by new users (through scripts/demo.sh) and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libopenblas-dev libpng-dev libcairo2-dev liblz4-dev pkg-config fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.x) is not on PATH; install it from swift.org first" >&2
  exit 1
fi

swift build -c release --product economist
echo "Built .build/release/economist"
