// The libFuzzer driver of scripts/fuzz.sh: runs the target named by $ECONOMIST_FUZZ_TARGET from
// the instrumented library built from Tests/FuzzTargets.

#if canImport(Glibc)
  import Glibc
#endif

@_silgen_name("economist_fuzz_target") func fuzzTarget(_ name: UnsafePointer<CChar>) -> CInt
@_silgen_name("economist_fuzz_one") func fuzzOne(_ index: CInt, _ data: UnsafePointer<UInt8>, _ count: Int) -> CInt

nonisolated(unsafe) var target: CInt = -1

/// libFuzzer's entry: one input to the target.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  if target < 0 {
    guard let name = getenv("ECONOMIST_FUZZ_TARGET") else {
      fputs("set ECONOMIST_FUZZ_TARGET\n", stderr)
      exit(2)
    }
    target = fuzzTarget(name)
    if target < 0 {
      fputs("unknown fuzz target \(String(cString: name))\n", stderr)
      exit(2)
    }
  }
  return fuzzOne(target, data, count)
}
