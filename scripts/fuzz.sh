#!/usr/bin/env bash
# Coverage-guided fuzzing of every reader of a user's files (see Fuzz/README.md): builds the
# readers with libFuzzer and AddressSanitizer into .build/fuzz, then runs each target for
# SECONDS (default 20) from its committed seed corpus with a fixed seed. Fails on the first
# target that traps, hangs, leaks or reads out of bounds, naming the input that did it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
build=.build/fuzz
swift build -c debug --product economist_fuzz --scratch-path "$build" -Xswiftc -sanitize=fuzzer,address \
  2>&1 | grep -v "the use of \`mktemp' is dangerous" | tail -1
swiftc -sanitize=fuzzer,address -parse-as-library Fuzz/driver.swift -L "$build/debug" -leconomist_fuzz \
  -Xlinker -rpath -Xlinker "$PWD/$build/debug" -o "$build/fuzz-driver" 2>&1 | grep -v "Cannot export local symbol" || true
status=0
for corpus in Fuzz/corpus/*/; do
  target=$(basename "$corpus")
  work="$build/corpus/$target"
  findings="$build/findings/$target"
  rm -rf "$work" && mkdir -p "$work" "$findings"
  # New inputs go to a scratch corpus; the committed seeds are read, never written.
  if ECONOMIST_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 "$build/fuzz-driver" "$work" "$corpus" \
    -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -artifact_prefix="$findings/" -print_final_stats=1 > "$build/$target.log" 2>&1; then
    runs=$(grep -m1 "stat::number_of_executed_units" "$build/$target.log" | awk '{print $2}')
    echo "fuzz $target: ${runs:-?} inputs in ${seconds}s, no failure"
  else
    echo "fuzz $target: FAILED; the input is in $findings/, the log in $build/$target.log" >&2
    grep -E "ERROR|Fatal error|SUMMARY|deadly|timeout" "$build/$target.log" | head -5 >&2
    status=1
  fi
done
exit $status
