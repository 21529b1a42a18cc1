// Evaluation: whole episodes with the current policies, nothing learned.

import EnvContract
import NN

extension Trainer {
  /// One evaluated episode.
  public struct EvaluatedEpisode: Sendable {
    /// The environment's record (metrics, dense log).
    public var record: EpisodeRecord
    /// Each policy's per-agent returns, in ``Trainer/policies`` order.
    public var returns: [[Double]]
    /// Env steps in the episode.
    public var length: Int
  }

  /// Plays whole episodes with the current weights until `episodes` have finished on the
  /// environment `env` (its own instance, not the training one), sampling actions, or taking
  /// the most likely allowed action when `greedy`.
  ///
  /// `env` must have the same batch layout as the training env and at most as many envs.
  /// Episodes are returned in the order they finished, at most `episodes` of them; environments
  /// start from `seed`.
  ///
  /// - Throws: ``TrainingError`` when `env` does not fit the networks or a step fails.
  public func evaluate(env: EpisodeReporting, episodes: Int, greedy: Bool, seed: UInt64) throws(TrainingError)
    -> [EvaluatedEpisode]
  {
    guard env.batchSpecs == self.env.batchSpecs else {
      throw TrainingError("the evaluation env's observation and action layout differs from the training env's")
    }
    guard env.envCount <= self.env.envCount else {
      throw TrainingError(
        "the evaluation env has \(env.envCount) envs; the networks were sized for \(self.env.envCount)")
    }
    let sampler = Sampler(
      env: env, pool: pool, learners: learners, shards: config.trainer.shards, seed: seed, greedy: greedy)
    var out: [EvaluatedEpisode] = []
    var stepsSinceEpisode = 0
    while out.count < episodes {
      do {
        try sampler.play(steps: 1)
      } catch {
        throw TrainingError("evaluation step failed: \(error)")
      }
      stepsSinceEpisode += 1
      let records = env.takeEpisodeRecords()
      if records.isEmpty {
        // Episodes end; a run without any ending within 10⁷ steps is a broken env, not a long wait.
        guard stepsSinceEpisode < 10_000_000 else { throw TrainingError("no episode ended in 10⁷ steps") }
        continue
      }
      stepsSinceEpisode = 0
      for (record, finished) in zip(records, sampler.takeFinished()) where out.count < episodes {
        out.append(EvaluatedEpisode(record: record, returns: finished.returns, length: finished.length))
      }
    }
    return out
  }
}
