#!/usr/bin/env bash
# Builds the Python package's Swift libraries with the Swift runtime linked statically (so the
# wheel runs where no Swift is installed) and only the economist_* C ABI exported, into
# python/economist/_lib/: libeconomist_c.so (environments; no BLAS, Cairo or libpng) and
# libeconomist_plots.so (charts; Cairo and libpng from the system, loaded only by
# economist.plotting). The build uses its own scratch directory
# (.build/python): its flags differ from the CLI's, and sharing .build would rebuild both.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1; then
  echo "error: building the economist Python package needs the Swift toolchain (6.x) on PATH" >&2
  exit 1
fi
mkdir -p python/economist/_lib
for product in economist_c economist_plots; do
  swift build -c release --product "$product" --scratch-path .build/python -Xswiftc -static-stdlib \
    2>&1 | grep -v "the use of \`mktemp' is dangerous" || true
  built=.build/python/release/lib$product.so
  test -f "$built" || { echo "error: $built was not built" >&2; exit 1; }
  cp "$built" "python/economist/_lib/lib$product.so.tmp"
  strip --strip-unneeded "python/economist/_lib/lib$product.so.tmp"
  mv "python/economist/_lib/lib$product.so.tmp" "python/economist/_lib/lib$product.so"
done
echo "Built python/economist/_lib/libeconomist_c.so and libeconomist_plots.so"
