// Pooling the Saez tax model's samples across environments, as Foundation's RLlib training
// script does after each iteration (`accumulate_and_broadcast_saez_buffers`): every replica's
// local buffer is concatenated and installed as every replica's global buffer.

extension Environment {
  /// The local sample buffer of this environment's `PeriodicBracketTax` when its tax model is
  /// `saez` (Foundation's `get_local_saez_buffer`); nil for other tax models or without one.
  public var saezLocalBuffer: [SaezEstimator.Sample]? {
    guard let tax = component(PeriodicBracketTax.self), tax.taxModel == .saez else { return nil }
    return tax.saezEstimator.localBuffer
  }

  /// The samples the Saez formula uses next (Foundation's `saez_buffer`): the global buffer
  /// plus this episode's additions once one is installed, else the local buffer; nil when the
  /// tax model is not `saez`.
  public var saezSamples: [SaezEstimator.Sample]? {
    guard let tax = component(PeriodicBracketTax.self), tax.taxModel == .saez else { return nil }
    return tax.saezEstimator.samples
  }

  /// Installs `samples` (every replica's local buffer, concatenated) as the global Saez buffer
  /// (Foundation's `set_global_saez_buffer`).
  ///
  /// - Returns: Why it cannot (no `saez` tax model, fewer samples than the local buffer, a
  ///   non-finite income, a rate outside 0...1), or nil when installed.
  public mutating func setSaezGlobalBuffer(_ samples: [SaezEstimator.Sample]) -> String? {
    guard let index = components.firstIndex(where: { $0 is PeriodicBracketTax }),
      var tax = components[index] as? PeriodicBracketTax, tax.taxModel == .saez
    else { return "the environment has no PeriodicBracketTax with tax_model: saez" }
    let local = tax.saezEstimator.localBuffer.count
    guard samples.count >= local else {
      return
        "a global Saez buffer holds every replica's samples: expected at least this environment's \(local), found \(samples.count)"
    }
    if let bad = samples.firstIndex(where: {
      !$0.income.isFinite || !(0...1).contains($0.marginalRate)
    }) {
      return
        "sample \(bad): expected a finite income and a marginal rate in 0...1, found (\(samples[bad].income), \(samples[bad].marginalRate))"
    }
    var estimator = tax.saezEstimator
    estimator.setGlobalBuffer(samples)
    tax.saezEstimator = estimator
    components[index] = tax
    return nil
  }
}
