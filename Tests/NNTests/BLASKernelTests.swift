import Testing

@testable import NN

/// Which OpenBLAS kernel set to suggest (or restart with) for a CPU.
@Suite("OpenBLAS kernels")
struct BLASKernelTests {
  static let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl"]
  static let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

  @Test func aCPUWithoutAVX2GetsNoSuggestion() {
    #expect(BLAS.betterCoreType(cpuFlags: []) == nil)
    #expect(BLAS.betterCoreType(cpuFlags: ["sse3", "ssse3", "sse4_2", "avx"]) == nil)
  }

  @Test func suggestionsMatchTheCPUAndWhatOpenBLASChose() {
    let core = BLAS.coreName.lowercased()
    #expect(!core.isEmpty)
    let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    // An AVX-512 CPU: SkylakeX unless OpenBLAS already runs AVX-512 kernels.
    #expect(BLAS.betterCoreType(cpuFlags: Self.avx512) == (avx512Cores.contains(core) ? nil : "SkylakeX"))
    // An AVX2 CPU is never sent to AVX-512 kernels.
    #expect(BLAS.betterCoreType(cpuFlags: Self.avx2) != "SkylakeX")
    if core == "prescott" { #expect(BLAS.betterCoreType(cpuFlags: Self.avx2) == "Haswell") }
  }

  #if arch(x86_64) && os(Linux)
    @Test func theMachinesOwnFlagsAreRead() {
      #expect(BLAS.cpuInfoFlags().contains("sse2"), "x86-64 always has SSE2; /proc/cpuinfo read wrong?")
    }
  #endif
}
