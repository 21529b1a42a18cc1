// Rollouts on a vectorized environment with batched inference: every policy's rows of all
// environments go through its network together, spread over the worker threads.

import Basics
import EnvContract
import NN

/// Collects one iteration of samples for every policy.
///
/// Per step: every policy's rows are split into `shards` contiguous chunks (a setting, not the
/// thread count: a matrix product's rounding can depend on its size, so the chunks must not
/// change with the machine); each thread runs its chunks through its network replica (one
/// matrix product per layer per chunk), samples masked actions with one random stream per agent
/// row, and records observations,
/// masks, actions, log-probabilities, values and recurrent states; then the environments step.
/// Finished episodes are bootstrapped with the value of their final observation (truncation)
/// and their rows' recurrent states are zeroed.
final class Sampler {
  let env: EpisodeReporting
  let pool: WorkerPool
  /// The batch the environments write and the networks read; its buffers never move.
  let batch: VectorBatch
  let learners: [PPOLearner]
  /// Current recurrent states per policy `[rows × stateSize]`.
  let states: [FixedBuffer<Float>]
  /// One random stream per agent row, per policy.
  let streams: [FixedBuffer<NNRandom>]
  /// Reward summed since each row's episode began, per policy.
  var returns: [[Double]]
  /// Finished episodes' per-row returns, per policy, since the last take.
  private var finishedReturns: [[Double]] = []
  /// Finished episodes' lengths, in the order they ended, since the last take.
  private var finishedLengths: [Int] = []
  var episodeLength: [Int]
  let greedy: Bool
  /// Row chunks per policy per step.
  let shards: Int

  init(
    env: EpisodeReporting, pool: WorkerPool, learners: [PPOLearner], shards: Int, seed: UInt64, greedy: Bool = false
  ) {
    self.env = env
    self.pool = pool
    self.shards = max(1, shards)
    self.learners = learners
    self.greedy = greedy
    batch = env.makeBatch()
    states = zip(env.batchSpecs, learners).map { spec, learner in
      FixedBuffer(count: spec.agents.count * env.envCount * learner.model.stateSize)
    }
    streams = env.batchSpecs.enumerated().map { k, spec in
      let rows = spec.agents.count * env.envCount
      let slab = FixedBuffer<NNRandom>(count: rows, repeating: NNRandom(seed: 0))
      for r in 0..<rows {
        slab.pointer[r] = NNRandom(seed: NNRandom.derive(NNRandom.derive(seed, stream: UInt64(k)), stream: UInt64(r)))
      }
      return slab
    }
    returns = env.batchSpecs.map { [Double](repeating: 0, count: $0.agents.count * env.envCount) }
    finishedReturns = env.batchSpecs.map { _ in [] }
    episodeLength = [Int](repeating: 0, count: env.envCount)
    env.reset(seed: seed, into: batch)
  }

  /// Each finished episode's per-policy returns (one per agent row of the episode's env) and its
  /// length, in the order the episodes ended, since the last call (the order of
  /// ``EpisodeReporting/takeEpisodeRecords()``).
  func takeFinished() -> [(returns: [[Double]], length: Int)] {
    let perEpisode = learners.map(\.spec.agents.count)
    let out = finishedLengths.enumerated().map { i, length in
      (returns: zip(finishedReturns, perEpisode).map { all, n in Array(all[(i * n)..<((i + 1) * n)]) }, length: length)
    }
    for k in finishedReturns.indices { finishedReturns[k].removeAll(keepingCapacity: true) }
    finishedLengths.removeAll(keepingCapacity: true)
    return out
  }

  /// Runs `steps` vectorized steps, filling each policy's rollout (nil: the policy acts but
  /// nothing of it is kept, as for a policy that is not trained).
  func collect(steps: Int, into rollouts: [Rollout?]) throws(EnvError) {
    for t in 0..<steps {
      infer(step: t, rollouts: rollouts)
      try env.step(batch)
      record(step: t, rollouts: rollouts)
    }
    bootstrapLast(rollouts)
  }

  // MARK: - Inference

  /// Runs every policy's network on the current observations and samples actions.
  private func infer(step t: Int, rollouts: [Rollout?]?) {
    let (threads, shards) = (pool.threads, self.shards)
    pool.run { part in
      for k in 0..<self.learners.count {
        for shard in WorkerPool.chunk(part, of: threads, count: shards) {
          let rows = WorkerPool.chunk(shard, of: shards, count: self.batch.policies[k].rows)
          self.inferChunk(policy: k, rows: rows, part: part, step: t, rollout: rollouts?[k] ?? nil)
        }
      }
    }
  }

  private func inferChunk(policy k: Int, rows range: Range<Int>, part: Int, step t: Int, rollout: Rollout?) {
    guard !range.isEmpty else { return }
    let learner = learners[k]
    let model = learner.replicas[part]
    let obsSize = learner.spec.observationSize
    let maskSize = learner.spec.maskSize
    let width = learner.spec.actionWidth
    let stateSize = model.stateSize
    let logitCount = model.logitCount
    let state = states[k].pointer
    let stream = streams[k].pointer
    let params = UnsafePointer(learner.parameters.pointer)
    let policy = batch.policies[k]
    let (obs, masks, actions) = (
      UnsafePointer(policy.observations.pointer), UnsafePointer(policy.masks.pointer), policy.actions.pointer
    )
    let first = range.lowerBound
    model.forward(
      params, observations: obs + first * obsSize, states: stateSize > 0 ? state + first * stateSize : nil,
      sequences: range.count, steps: 1)
    let logits = model.logits
    let values = model.values
    for (j, r) in range.enumerated() {
      let i = rollout.map { t * $0.rows + r } ?? 0
      let logp = rollout.map { $0.logp.pointer + i * logitCount } ?? learner.samplingScratch[part].pointer
      MaskedCategorical.logSoftmax(
        logits: logits + j * model.logitStride, mask: masks + r * maskSize, nvec: learner.nvec, logp: logp)
      let chosen = MaskedCategorical.sample(
        logp: logp, nvec: learner.nvec, greedy: greedy, rng: &stream[r], into: actions + r * width)
      guard let rollout else { continue }
      (rollout.observations.pointer + i * obsSize).update(from: obs + r * obsSize, count: obsSize)
      (rollout.masks.pointer + i * maskSize).update(from: masks + r * maskSize, count: maskSize)
      (rollout.actions.pointer + i * width).update(from: actions + r * width, count: width)
      if stateSize > 0 {
        (rollout.states.pointer + i * stateSize).update(from: state + r * stateSize, count: stateSize)
      }
      rollout.actionLogp.pointer[i] = chosen
      rollout.values.pointer[i] = values[j * model.valueStride]
    }
    if stateSize > 0 {
      model.finalStates(into: state + first * stateSize, sequences: range.count, steps: 1)
    }
  }

  // MARK: - After a step

  /// Stores rewards and episode ends; bootstraps and resets the rows of finished episodes.
  private func record(step t: Int, rollouts: [Rollout?]?) {
    for e in 0..<env.envCount { episodeLength[e] += 1 }
    for k in 0..<learners.count {
      let perEnv = batch.policies[k].spec.agents.count
      let rows = batch.policies[k].rows
      for r in 0..<rows {
        let e = r / perEnv
        let reward = batch.policies[k].rewards[r]
        returns[k][r] += Double(reward)
        guard let rollout = rollouts?[k] ?? nil else { continue }
        let i = t * rollout.rows + r
        rollout.rewards.pointer[i] = reward
        rollout.terminated.pointer[i] = batch.terminated[e]
        rollout.truncated.pointer[i] = batch.truncated[e]
        rollout.finalValues.pointer[i] = 0
      }
    }
    for e in 0..<env.envCount where batch.terminated[e] != 0 || batch.truncated[e] != 0 {
      finishedLengths.append(episodeLength[e])
      episodeLength[e] = 0
      for k in 0..<learners.count {
        let perEnv = batch.policies[k].spec.agents.count
        let rows = (e * perEnv)..<((e + 1) * perEnv)
        if batch.truncated[e] != 0, let rollout = rollouts?[k] ?? nil {
          finalValues(policy: k, rows: rows, step: t, rollout: rollout)
        }
        let stateSize = learners[k].model.stateSize
        (states[k].pointer + rows.lowerBound * stateSize).update(repeating: 0, count: rows.count * stateSize)
        for r in rows {
          finishedReturns[k].append(returns[k][r])
          returns[k][r] = 0
        }
      }
    }
  }

  /// V(final observation) for the rows of a truncated episode, with their current states.
  private func finalValues(policy k: Int, rows: Range<Int>, step t: Int, rollout: Rollout) {
    let learner = learners[k]
    let model = learner.replicas[0]
    let obsSize = batch.policies[k].spec.observationSize
    let stateSize = model.stateSize
    let finals = batch.policies[k].finalObservations.pointer
    model.forward(
      learner.parameters.pointer, observations: finals + rows.lowerBound * obsSize,
      states: stateSize > 0 ? states[k].pointer + rows.lowerBound * stateSize : nil, sequences: rows.count, steps: 1)
    for (j, r) in rows.enumerated() {
      rollout.finalValues.pointer[t * rollout.rows + r] = model.values[j * model.valueStride]
    }
  }

  /// V of the observation after the last step, for every row, without advancing the states.
  private func bootstrapLast(_ rollouts: [Rollout?]) {
    for k in 0..<learners.count {
      guard let rollout = rollouts[k] else { continue }
      let learner = learners[k]
      let model = learner.replicas[0]
      let obsSize = batch.policies[k].spec.observationSize
      let stateSize = model.stateSize
      let rows = batch.policies[k].rows
      let chunk = max(1, learner.shardCapacity)
      let obs = batch.policies[k].observations.pointer
      var start = 0
      while start < rows {
        let end = min(rows, start + chunk)
        model.forward(
          learner.parameters.pointer, observations: obs + start * obsSize,
          states: stateSize > 0 ? states[k].pointer + start * stateSize : nil, sequences: end - start, steps: 1)
        for r in start..<end { rollout.lastValues.pointer[r] = model.values[(r - start) * model.valueStride] }
        start = end
      }
    }
  }

  // MARK: - Checkpoints

  /// The streams, recurrent states, returns and episode lengths, for a checkpoint.
  var checkpointState: Trainer.CheckpointState.SamplerState {
    .init(
      streams: streams.map { slab in (0..<slab.count).map { slab.pointer[$0].state } },
      recurrentStates: states.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) },
      returns: returns, episodeLengths: episodeLength)
  }

  /// Why `saved` does not fit this sampler, or nil when it does.
  func problem(restoring saved: Trainer.CheckpointState.SamplerState) -> String? {
    let policies = learners.map(\.policy)
    guard saved.streams.count == policies.count, saved.recurrentStates.count == policies.count,
      saved.returns.count == policies.count
    else { return "the sampler state has \(saved.streams.count) policies, this run \(policies.count)" }
    for k in policies.indices {
      let rows = streams[k].count
      guard saved.streams[k].count == rows, saved.returns[k].count == rows else {
        return "policy '\(policies[k])': the sampler state has \(saved.streams[k].count) agent rows, this run \(rows)"
      }
      guard saved.recurrentStates[k].count == states[k].count else {
        return
          "policy '\(policies[k])': the recurrent states have \(saved.recurrentStates[k].count) values, this model \(states[k].count)"
      }
      if let bad = saved.streams[k].first(where: { NNRandom(state: $0) == nil }) {
        return "policy '\(policies[k])': invalid random stream state \(bad)"
      }
    }
    guard saved.episodeLengths.count == env.envCount else {
      return "the sampler state has \(saved.episodeLengths.count) environments, this run \(env.envCount)"
    }
    return nil
  }

  /// Restores a state ``problem(restoring:)`` accepted.
  func restore(_ saved: Trainer.CheckpointState.SamplerState) {
    for k in learners.indices {
      for (r, words) in saved.streams[k].enumerated() {
        if let stream = NNRandom(state: words) { streams[k].pointer[r] = stream }
      }
      for (i, v) in saved.recurrentStates[k].enumerated() { states[k].pointer[i] = v }
    }
    returns = saved.returns
    episodeLength = saved.episodeLengths
    for k in finishedReturns.indices { finishedReturns[k].removeAll() }
    finishedLengths.removeAll()
  }

  /// Steps with the current policies without recording (evaluation).
  func play(steps: Int) throws(EnvError) {
    for _ in 0..<steps {
      infer(step: 0, rollouts: nil)
      try env.step(batch)
      record(step: 0, rollouts: nil)
    }
  }
}
