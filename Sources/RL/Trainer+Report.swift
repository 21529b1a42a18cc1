// The per-iteration result record, with RLlib's key names where RLlib has one.

import EnvContract

extension Trainer {
  /// Mean, min and max of `values` (NaN when empty, as RLlib reports before the first episode
  /// ends).
  private func summary(_ values: [Double]) -> (mean: Double, min: Double, max: Double) {
    guard let lo = values.min(), let hi = values.max() else { return (.nan, .nan, .nan) }
    return (values.reduce(0, +) / Double(values.count), lo, hi)
  }

  /// The smoothed mean of an episode metric over the recent episodes.
  public func episodeMetric(_ key: String) -> Double? {
    let values = recentEpisodes.compactMap { e in e.metrics.first { $0.key == key }?.value }
    return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
  }

  /// The smoothed mean episode return of one agent of `policy`.
  public func policyRewardMean(_ policy: PolicyID) -> Double? {
    guard let k = policies.firstIndex(of: policy), !recentEpisodes.isEmpty else { return nil }
    return summary(recentEpisodes.flatMap { $0.returns[k] }).mean
  }

  func makeRecord(stats: [PolicyID: LearnerStats], finished: Int, sample: Double, learn: Double) -> ResultRecord {
    var r = ResultRecord()
    let sampled = stepsPerIteration * env.envCount
    let totals = recentEpisodes.map { $0.returns.joined().reduce(0, +) }
    let episode = summary(totals)
    r.set("training_iteration", .int(iteration))
    r.set("timesteps_total", .int(envSteps))
    r.set("episodes_total", .int(episodes))
    r.set("episodes_this_iter", .int(finished))
    r.set("episode_reward_mean", .double(episode.mean))
    r.set("episode_reward_min", .double(episode.min))
    r.set("episode_reward_max", .double(episode.max))
    r.set("episode_len_mean", .double(summary(recentEpisodes.map { Double($0.length) }).mean))
    var means = ResultRecord()
    var mins = ResultRecord()
    var maxs = ResultRecord()
    for (k, policy) in policies.enumerated() {
      let s = summary(recentEpisodes.flatMap { $0.returns[k] })
      means.set(policy.name, .double(s.mean))
      mins.set(policy.name, .double(s.min))
      maxs.set(policy.name, .double(s.max))
    }
    r.set("policy_reward_mean", .record(means))
    r.set("policy_reward_min", .record(mins))
    r.set("policy_reward_max", .record(maxs))
    var metrics = ResultRecord()
    var keys = env.episodeMetricKeys
    for (key, _) in recentEpisodes.last?.metrics ?? [] where !keys.contains(key) { keys.append(key) }
    for key in keys { metrics.set(key, .double(episodeMetric(key) ?? .nan)) }
    r.set("episode_metrics", .record(metrics))
    var learner = ResultRecord()
    for policy in policies {
      guard let s = stats[policy] else { continue }
      var l = ResultRecord()
      l.set("policy_loss", .double(s.policyLoss))
      l.set("vf_loss", .double(s.valueLoss))
      l.set("total_loss", .double(s.totalLoss))
      l.set("entropy", .double(s.entropy))
      l.set("kl", .double(s.kl))
      l.set("approx_kl", .double(s.approxKL))
      l.set("clip_fraction", .double(s.clipFraction))
      l.set("vf_explained_var", .double(s.explainedVariance))
      l.set("cur_lr", .double(s.lr))
      l.set("entropy_coeff", .double(s.entropyCoeff))
      l.set("kl_coeff", .double(s.klCoeff))
      l.set("grad_gnorm", .double(s.gradNorm))
      l.set("num_agent_steps_trained", .int(s.agentSteps))
      learner.set(policy.name, .record(l))
    }
    var info = ResultRecord()
    info.set("num_env_steps_sampled", .int(sampled))
    info.set("num_env_steps_trained", .int(stats.isEmpty ? 0 : sampled))
    info.set("learner", .record(learner))
    r.set("info", .record(info))
    var timers = ResultRecord()
    timers.set("sample_time_s", .double(sample))
    timers.set("learn_time_s", .double(learn))
    r.set("timers", .record(timers))
    r.set("env_steps_per_s", .double(Double(sampled) / max(sample + learn, 1e-9)))
    r.set("time_this_iter_s", .double(sample + learn))
    return r
  }
}
