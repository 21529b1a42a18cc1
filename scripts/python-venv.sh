#!/usr/bin/env bash
# Usage: bash scripts/python-venv.sh DIR — creates a virtual environment at DIR (installing
# python3-venv from Debian when the interpreter lacks it) unless one is already there.
set -euo pipefail
dir=$1
python=${PYTHON:-python3}
if [ ! -x "$dir/bin/python" ]; then
  if ! "$python" -m venv "$dir" 2>/dev/null; then
    echo "Installing python3-venv"
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$dir"
    "$python" -m venv "$dir"
  fi
  "$dir/bin/python" -m pip install -q --upgrade pip
fi
