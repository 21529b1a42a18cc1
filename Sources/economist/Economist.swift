import ArgumentParser
import Foundation
import NN

/// The `economist` command-line tool.
@main
struct Economist: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "economist",
    abstract: "Economic simulation and multi-agent reinforcement learning: Foundation's economy, in Swift.",
    subcommands: [
      Simulate.self, Inspect.self, Train.self, Evaluate.self, Compare.self, Replay.self, Plot.self, Bench.self,
    ]
  )

  /// Runs the command, first restarting with OpenBLAS's better kernels where it chose old ones.
  static func main() {
    restartWithBetterBLASKernels()
    main(nil)
  }

  /// Restarts this process with `OPENBLAS_CORETYPE` naming the kernels this CPU can run, when
  /// OpenBLAS chose far older ones and the user set no `OPENBLAS_CORETYPE`.
  ///
  /// An OpenBLAS older than the CPU falls back to its `Prescott` (SSE3) kernels (Debian 12's
  /// 0.3.21 on Sapphire Rapids: a 65 GFLOP/s sgemm peak on 2 cores, 226–286 with `SkylakeX`,
  /// training 1.7–1.9× faster). OpenBLAS reads the variable only when it is loaded, before
  /// `main`, hence the restart (`execv` of this executable, same arguments). Setting
  /// `OPENBLAS_CORETYPE` yourself keeps your choice.
  static func restartWithBetterBLASKernels() {
    let environment = ProcessInfo.processInfo.environment
    guard environment["OPENBLAS_CORETYPE"] == nil, environment[BLAS.restartMarker] == nil,
      let better = BLAS.betterCoreType()
    else { return }
    setenv("OPENBLAS_CORETYPE", better, 1)
    setenv(BLAS.restartMarker, BLAS.coreName, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only when it failed: go on with the kernels OpenBLAS chose.
    unsetenv("OPENBLAS_CORETYPE")
    unsetenv(BLAS.restartMarker)
  }
}
