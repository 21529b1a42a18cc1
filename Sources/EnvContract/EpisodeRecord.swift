// What a vectorized environment reports about each finished episode.

/// A finished episode of one environment of a vectorized environment.
public struct EpisodeRecord: Sendable {
  /// The environment's index.
  public var env: Int
  /// The episode's metrics, in the environment's order (such as `social/productivity`).
  public var metrics: [(key: String, value: Double)]
  /// The episode's dense log as JSON bytes, when the environment kept one.
  public var denseLog: [UInt8]?

  /// Creates a record.
  public init(env: Int, metrics: [(key: String, value: Double)], denseLog: [UInt8]?) {
    self.env = env
    self.metrics = metrics
    self.denseLog = denseLog
  }
}

/// A vectorized environment that reports its finished episodes.
public protocol EpisodeReporting: VectorMultiAgentEnv {
  /// The episodes finished since the last call, in environment order per step.
  func takeEpisodeRecords() -> [EpisodeRecord]
  /// The keys of the episode metrics, known before any episode ends, so that result tables
  /// have every column from the first iteration on.
  var episodeMetricKeys: [String] { get }
}

extension EpisodeReporting {
  /// Default: unknown until episodes end.
  public var episodeMetricKeys: [String] { [] }
}
