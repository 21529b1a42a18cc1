// The one file that calls OpenBLAS. Everything else in NN goes through these wrappers.

import CBLAS
import Foundation

/// OpenBLAS settings and the matrix products NN uses.
///
/// Matrices are row-major. NN runs OpenBLAS single-threaded by default: the networks here are
/// small (hundreds of rows, a few hundred columns), where OpenBLAS's own threads cost more than
/// they give, and the trainer spreads work over the cores itself (envs, row chunks, gradient
/// shards). ``setThreads(_:)`` changes that for large products such as the peak measurement.
public enum BLAS {
  /// Sets the number of threads OpenBLAS uses inside one call.
  ///
  /// The corresponding OpenBLAS function is `openblas_set_num_threads`.
  public static func setThreads(_ n: Int) {
    precondition(n >= 1, "OpenBLAS needs at least 1 thread, got \(n)")
    openblas_set_num_threads(Int32(n))
  }

  /// The number of threads OpenBLAS uses inside one call.
  ///
  /// The corresponding OpenBLAS function is `openblas_get_num_threads`.
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// The kernel set OpenBLAS chose for this CPU, as `OPENBLAS_CORETYPE` names it (`Haswell`,
  /// `SkylakeX`, `Prescott`, …).
  ///
  /// The corresponding OpenBLAS function is `openblas_get_corename`.
  public static var coreName: String { String(cString: openblas_get_corename()) }

  /// The kernel set to name in `OPENBLAS_CORETYPE` when OpenBLAS chose one far older than the
  /// CPU supports (an OpenBLAS release older than the CPU falls back to `Prescott`, SSE3), or
  /// nil when its choice fits.
  ///
  /// - Parameter cpuFlags: The CPU's feature flags (default: the `flags` line of
  ///   `/proc/cpuinfo`).
  /// - Returns: `SkylakeX` for an AVX-512 CPU or `Haswell` for an AVX2 one, when OpenBLAS chose
  ///   an older kernel set; nil otherwise.
  public static func betterCoreType(cpuFlags: Set<String>? = nil) -> String? {
    let flags = cpuFlags ?? cpuInfoFlags()
    let core = coreName.lowercased()
    let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    let avx2Cores = avx512Cores.union(["haswell", "zen", "excavator", "steamroller", "piledriver"])
    if flags.contains("avx512f") && flags.contains("avx512bw") && !avx512Cores.contains(core) { return "SkylakeX" }
    if flags.contains("avx2") && flags.contains("fma") && !avx2Cores.contains(core) { return "Haswell" }
    return nil
  }

  /// The environment variable a program sets to the kernel set OpenBLAS first chose when it
  /// restarts itself with `OPENBLAS_CORETYPE` = ``betterCoreType(cpuFlags:)`` (the `economist`
  /// tool does).
  public static let restartMarker = "ECONOMIST_OPENBLAS_CHOSE"

  /// The kernel set OpenBLAS chose before this process was restarted with a better one, or nil.
  public static var replacedCoreName: String? { ProcessInfo.processInfo.environment[restartMarker] }

  /// The CPU's feature flags from `/proc/cpuinfo`, empty where there is none.
  static func cpuInfoFlags() -> Set<String> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    return Set(line.split(separator: ":").dropFirst().joined().split(separator: " ").map(String.init))
  }

  /// C = alpha · op(A) · op(B) + beta · C, row-major, where op(A) is m × k and op(B) is k × n.
  ///
  /// `lda`, `ldb` and `ldc` are the row strides of A, B and C as stored (A is m × k, or k × m
  /// when transposed).
  ///
  /// The corresponding CBLAS function is `cblas_sgemm`.
  @inline(__always)
  package static func gemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, beta: Float,
    _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm sizes must be non-negative: \(m)×\(n)×\(k)")
    precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n, "gemm strides too small")
    if m == 0 || n == 0 { return }
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)), beta, c,
      Int32(max(ldc, 1)))
  }

  /// Measures this machine's single-precision matrix-product peak in GFLOP/s.
  ///
  /// Multiplies `size` × `size` matrices with OpenBLAS on `threads` threads for about `seconds`
  /// and reports the best rate of the repetitions. OpenBLAS's thread count is restored after.
  ///
  /// The corresponding CBLAS function is `cblas_sgemm`.
  public static func measurePeakGFLOPs(size: Int = 1024, threads: Int, seconds: Double = 1) -> Double {
    let saved = self.threads
    setThreads(threads)
    defer { setThreads(saved) }
    let a = [Float](repeating: 0.5, count: size * size)
    let b = [Float](repeating: 0.25, count: size * size)
    var c = [Float](repeating: 0, count: size * size)
    let flops = 2 * Double(size) * Double(size) * Double(size)
    var best = 0.0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    var reps = 0
    while reps < 3 || elapsed < seconds {
      let t0 = DispatchTime.now().uptimeNanoseconds
      c.withUnsafeMutableBufferPointer { cp in
        cblas_sgemm(
          CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1, a, Int32(size), b,
          Int32(size), 0, cp.baseAddress, Int32(size))
      }
      let t1 = DispatchTime.now().uptimeNanoseconds
      best = max(best, flops / Double(t1 - t0))
      elapsed = Double(t1 - start) / 1e9
      reps += 1
    }
    return best
  }
}
