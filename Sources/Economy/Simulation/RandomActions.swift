/// Draws uniformly random valid actions from the current masks, with its own generator so that
/// the environment's stream does not depend on the policy.
///
/// In single-action mode an agent's action is uniform over the allowed flat indices (NO-OP
/// included); in multi-action mode each subspace is drawn independently. No allocation.
public struct RandomActions: Sendable {
  /// The sampler's generator.
  public var rng: EconomyRNG

  /// Creates a sampler seeded with `seed`.
  public init(seed: UInt64) { rng = EconomyRNG(seed: seed) }

  /// Fills `env.actions` with random allowed actions for every agent and the planner.
  public mutating func fill(_ env: inout Environment) {
    let layout = env.actionLayout
    let m = layout.mobileMaskSize
    for a in 0..<env.agentCount {
      if layout.mobile.isEmpty { continue }
      env.observations.mobileMask.withUnsafeBufferPointer { all in
        let mask = UnsafeBufferPointer(rebasing: all[(a * m)..<((a + 1) * m)])
        if layout.multiActionMobile {
          for (k, spec) in layout.mobile.enumerated() {
            let v = pick(mask, from: layout.mobileMaskOffsets[k] - 1, count: spec.count + 1)
            env.actions.setMobile(a, subspace: k, v)
          }
        } else {
          let index = pick(mask, from: 0, count: m)
          if let (sub, v) = ActionLayout.decode(index, specs: layout.mobile) {
            env.actions.setMobile(a, subspace: sub, v)
          }
        }
      }
    }
    if layout.planner.isEmpty { return }
    env.observations.plannerMask.withUnsafeBufferPointer { mask in
      if layout.multiActionPlanner {
        for (k, spec) in layout.planner.enumerated() {
          env.actions.setPlanner(subspace: k, pick(mask, from: layout.plannerMaskOffsets[k] - 1, count: spec.count + 1))
        }
      } else {
        let index = pick(mask, from: 0, count: layout.plannerMaskSize)
        if let (sub, v) = ActionLayout.decode(index, specs: layout.planner) { env.actions.setPlanner(subspace: sub, v) }
      }
    }
  }

  /// A uniformly random index `i` in `0..<count` with `mask[from + i] != 0` (0 if none).
  private mutating func pick(_ mask: UnsafeBufferPointer<Float>, from: Int, count: Int) -> Int {
    var allowed = 0
    for i in 0..<count where mask[from + i] != 0 { allowed += 1 }
    guard allowed > 0 else { return 0 }
    var k = rng.int(below: allowed)
    for i in 0..<count where mask[from + i] != 0 {
      if k == 0 { return i }
      k -= 1
    }
    return 0
  }
}
