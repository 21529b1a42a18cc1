import Economy
import EnvContract
import Foundation

/// Measures environment steps per second through the vectorized adapter: random valid actions
/// drawn from the masks, observations, masks and rewards written into the batch buffers every
/// step, automatic resets, as a trainer's rollout sees it.
public enum VectorBenchmark {
  /// What one run measured.
  public struct Result: Sendable {
    /// Total environment steps per second (all environments together).
    public var stepsPerSecond: Double
    /// Environment steps timed.
    public var steps: Int
    /// Environments.
    public var envs: Int
    /// Threads.
    public var threads: Int
  }

  /// Runs `envs` copies of `environment` on `threads` threads for at least `seconds`.
  ///
  /// - Throws: ``EnvError`` for an invalid setup (e.g. no environments).
  public static func run(environment: Environment, envs: Int, threads: Int, seconds: Double) throws(EnvError) -> Result
  {
    let vector = try EconomyVectorEnv(environment: environment, envs: envs, threads: threads)
    let batch = vector.makeBatch()
    vector.reset(seed: 1, into: batch)
    // Warm up: first touches of every buffer, thread start.
    for _ in 0..<20 { try vector.stepRandom(batch) }
    _ = vector.takeEpisodeRecords()
    var rounds = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    while elapsed < seconds {
      for _ in 0..<50 { try vector.stepRandom(batch) }
      // Ended episodes' records are taken as a trainer takes them (short episodes would
      // otherwise pile up: the one-step economy ends one every two steps).
      _ = vector.takeEpisodeRecords()
      rounds += 50
      elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    let steps = rounds * envs
    return Result(stepsPerSecond: Double(steps) / elapsed, steps: steps, envs: envs, threads: vector.threads)
  }
}
