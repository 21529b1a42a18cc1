// Generalized advantage estimation (Schulman et al. 2016, "High-dimensional continuous control
// using generalized advantage estimation").

/// Advantages and value targets for a time-major rollout.
///
/// Shapes (row-major, T = steps, N = agent rows): `rewards`, `values`, `terminated`,
/// `truncated`, `finalValues`: `[T × N]`; `lastValues`: `[N]`.
///
/// - `values[t][n]` is V(s_t); `lastValues[n]` is V of the observation after the last step.
/// - A terminated step's episode is over: nothing is bootstrapped.
/// - A truncated step's episode was cut (time limit): the next value is `finalValues[t][n]`,
///   V of the episode's final observation, and the advantage recursion stops there.
///
/// δ_t = r_t + γ · V_next · (1 − terminated_t) − V(s_t); A_t = δ_t + γλ · (1 − done_t) · A_{t+1};
/// value targets = A_t + V(s_t).
public enum GAE {
  /// Computes advantages and value targets.
  ///
  /// - Returns: `(advantages, targets)`, each `[T × N]`.
  public static func compute(
    rewards: [Float], values: [Float], terminated: [UInt8], truncated: [UInt8], finalValues: [Float],
    lastValues: [Float], steps: Int, rows: Int, gamma: Double, lambda: Double
  ) -> (advantages: [Float], targets: [Float]) {
    var advantages = [Float](repeating: 0, count: steps * rows)
    var targets = advantages
    rewards.withUnsafeBufferPointer { r in
      values.withUnsafeBufferPointer { v in
        terminated.withUnsafeBufferPointer { term in
          truncated.withUnsafeBufferPointer { trunc in
            finalValues.withUnsafeBufferPointer { fv in
              lastValues.withUnsafeBufferPointer { last in
                advantages.withUnsafeMutableBufferPointer { a in
                  targets.withUnsafeMutableBufferPointer { target in
                    compute(
                      rewards: r, values: v, terminated: term, truncated: trunc, finalValues: fv, lastValues: last,
                      steps: steps, rows: rows, gamma: Float(gamma), lambda: Float(lambda), advantages: a,
                      targets: target)
                  }
                }
              }
            }
          }
        }
      }
    }
    return (advantages, targets)
  }

  /// The buffer form of the array version above, for the trainer's slabs.
  package static func compute(
    rewards: UnsafeBufferPointer<Float>, values: UnsafeBufferPointer<Float>, terminated: UnsafeBufferPointer<UInt8>,
    truncated: UnsafeBufferPointer<UInt8>, finalValues: UnsafeBufferPointer<Float>,
    lastValues: UnsafeBufferPointer<Float>, steps: Int, rows: Int, gamma: Float, lambda: Float,
    advantages: UnsafeMutableBufferPointer<Float>, targets: UnsafeMutableBufferPointer<Float>
  ) {
    precondition(rewards.count >= steps * rows && lastValues.count >= rows, "GAE buffers are too small")
    for n in 0..<rows {
      var next: Float = 0
      for t in stride(from: steps - 1, through: 0, by: -1) {
        let i = t * rows + n
        let term = terminated[i] != 0
        let trunc = truncated[i] != 0
        let nextValue: Float
        if term {
          nextValue = 0
        } else if trunc {
          nextValue = finalValues[i]
        } else {
          nextValue = t == steps - 1 ? lastValues[n] : values[i + rows]
        }
        let delta = rewards[i] + gamma * nextValue - values[i]
        next = delta + gamma * lambda * (term || trunc ? 0 : next)
        advantages[i] = next
        targets[i] = next + values[i]
      }
    }
  }
}
