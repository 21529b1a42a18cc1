import Foundation

/// Measures environment speed with uniformly random valid actions (observations and masks are
/// produced every step, as in training).
public enum EnvBenchmark {
  /// What one benchmark run measured.
  public struct Result: Sendable {
    /// Environment steps per second, dense log off.
    public var stepsPerSecond: Double
    /// Environment steps per second, dense log on (recorded in memory; serialized at the end
    /// of each episode).
    public var stepsPerSecondDenseLog: Double
    /// Mean reset time in microseconds.
    public var resetMicroseconds: Double
    /// Peak resident memory of the process in MiB.
    public var peakRSSMiB: Double
    /// Steps timed per mode.
    public var steps: Int
  }

  /// Runs the benchmark on one core.
  ///
  /// - Parameters:
  ///   - env: the environment to measure (a copy is stepped).
  ///   - seconds: minimum time per measurement.
  /// - Returns: steps per second with the dense log off and on, reset time and peak RSS.
  public static func run(_ env: Environment, seconds: Double = 2) -> Result {
    var env = env
    let off = measureSteps(&env, seconds: seconds, denseLog: false)
    let on = measureSteps(&env, seconds: seconds, denseLog: true)
    var resets = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    while elapsed < seconds / 4 || resets < 100 {
      env.reset(seed: UInt64(resets))
      resets += 1
      elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    return Result(
      stepsPerSecond: off.rate, stepsPerSecondDenseLog: on.rate, resetMicroseconds: elapsed / Double(resets) * 1e6,
      peakRSSMiB: peakRSSMiB(), steps: off.steps)
  }

  static func measureSteps(_ env: inout Environment, seconds: Double, denseLog: Bool) -> (rate: Double, steps: Int) {
    var policy = RandomActions(seed: 12345)
    var steps = 0
    var seed: UInt64 = 1
    env.reset(seed: seed, forceDenseLog: denseLog)
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    var sink = 0
    while elapsed < seconds {
      for _ in 0..<1000 {
        if env.isDone {
          if denseLog, let log = env.lastEpisode?.denseLog { sink &+= log.jsonBytes().count }
          seed += 1
          env.reset(seed: seed, forceDenseLog: denseLog)
        }
        policy.fill(&env)
        env.step()
        steps += 1
      }
      elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    precondition(sink >= 0)
    return (Double(steps) / elapsed, steps)
  }

  /// The process's peak resident set size (VmHWM) in MiB, or 0 where unavailable.
  public static func peakRSSMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
      return kb / 1024
    }
    return 0
  }
}
