#!/usr/bin/env bash
# Builds the Python package's Swift library: libeconomist_c.so with the Swift runtime linked
# statically (so the wheel runs where no Swift is installed) and only the economist_* C ABI
# exported, into python/economist/_lib/. The build uses its own scratch directory
# (.build/python): its flags differ from the CLI's, and sharing .build would rebuild both.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1; then
  echo "error: building the economist Python package needs the Swift toolchain (6.x) on PATH" >&2
  exit 1
fi
swift build -c release --product economist_c --scratch-path .build/python -Xswiftc -static-stdlib \
  2>&1 | grep -v "the use of \`mktemp' is dangerous" || true
built=.build/python/release/libeconomist_c.so
test -f "$built" || { echo "error: $built was not built" >&2; exit 1; }
mkdir -p python/economist/_lib
cp "$built" python/economist/_lib/libeconomist_c.so.tmp
strip --strip-unneeded python/economist/_lib/libeconomist_c.so.tmp
mv python/economist/_lib/libeconomist_c.so.tmp python/economist/_lib/libeconomist_c.so
echo "Built python/economist/_lib/libeconomist_c.so"
