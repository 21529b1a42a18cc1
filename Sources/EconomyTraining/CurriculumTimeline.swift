// Where a run's per-env curriculum schedules land in global env steps, against Foundation's
// sampling layout.

import Economy
import EconomyEnv
import EnvContract
import Foundation
import RL

/// The curriculum schedules that count inside each environment, and where they land in global
/// env steps for a run's number of envs.
///
/// Foundation's energy warm-up counts, per environment, the steps whose mean agent reward was
/// positive (`energy_warmup_method: auto`) or the completed episodes (`decay`), and its tax
/// annealing counts completed episodes per environment. Entropy and learning-rate schedules
/// count global env steps instead. Each of N envs sees 1/N of a run's samples, so N decides
/// where, in global env steps, the labor cost and the tax range arrive: Foundation's phase
/// configs sample with 30 envs (15 rollout workers × 2), and with 4 envs the same values bring
/// the full labor cost 7.5× sooner, before the agents have learned that building pays.
///
/// ```swift
/// let timeline = CurriculumTimeline(envs: 4, episodeLength: 1000, energyWarmup: (10000, .auto), taxAnnealing: nil)
/// timeline.note  // "the energy warm-up … counts per env …, 7.5× sooner …"
/// ```
public struct CurriculumTimeline: Sendable {
  /// The envs Foundation's phase configs sample with: 15 rollout workers × 2 envs.
  public static let foundationEnvs = 30

  /// The run's envs.
  public var envs: Int
  /// Steps per episode.
  public var episodeLength: Int
  /// `energy_warmup_constant` (> 0) and `energy_warmup_method`, when the labor cost is annealed.
  public var energyWarmup: (constant: Double, method: EnergyWarmupMethod)?
  /// The tax annealing, when taxes are on and annealed.
  public var taxAnnealing: TaxAnnealingSchedule?

  /// Describes a run's per-env schedules.
  public init(
    envs: Int, episodeLength: Int, energyWarmup: (constant: Double, method: EnergyWarmupMethod)?,
    taxAnnealing: TaxAnnealingSchedule?
  ) {
    self.envs = envs
    self.episodeLength = episodeLength
    self.energyWarmup = energyWarmup
    self.taxAnnealing = taxAnnealing
  }

  /// Reads the schedules of `environment`, sampled with `envs` copies.
  public init(environment: Environment, envs: Int) {
    let params = environment.config.parameters
    var annealing: TaxAnnealingSchedule?
    for case let tax as PeriodicBracketTax in environment.components where !tax.disableTaxes {
      if let s = tax.annealingSchedule { annealing = TaxAnnealingSchedule(warmup: s.warmup, slope: s.slope) }
    }
    self.init(
      envs: envs, episodeLength: environment.config.episodeLength,
      energyWarmup: params.energyWarmupConstant > 0
        ? (params.energyWarmupConstant, params.energyWarmupMethod) : nil,
      taxAnnealing: annealing)
  }

  /// Whether any schedule counts per env.
  public var hasPerEnvSchedule: Bool { energyWarmup != nil || taxAnnealing != nil }

  /// Completed episodes per env after which the annealed tax range is fully open.
  public var taxAnnealingEpisodes: Double? {
    guard let a = taxAnnealing, a.slope > 0 else { return nil }
    return max(0, a.warmup + 1 / a.slope)
  }

  /// Global env steps at which each per-env schedule reaches its mark, with `envs` envs: the
  /// labor-cost weight at 63% (`1 − 1/e`; a lower bound for `auto`, which counts only steps
  /// with positive mean agent reward) and the tax range fully open.
  public func globalSteps(envs: Int) -> (energy: Double?, taxes: Double?) {
    let n = Double(envs)
    let energy = energyWarmup.map { w in
      w.method == .auto ? w.constant * n : w.constant * Double(episodeLength) * n
    }
    return (energy, taxAnnealingEpisodes.map { $0 * Double(episodeLength) * n })
  }

  /// What to tell the user at the start of a run whose per-env schedules run on another global
  /// timeline than with Foundation's 30 envs, or nil when they do not.
  ///
  /// It names the factor, each schedule's mark in global env steps here and with 30 envs, and
  /// the values that keep Foundation's timeline with this many envs.
  public var note: String? {
    guard hasPerEnvSchedule, envs != Self.foundationEnvs else { return nil }
    let ratio = Double(Self.foundationEnvs) / Double(envs)
    let pace = ratio > 1 ? "\(Self.figure(ratio))× sooner" : "\(Self.figure(1 / ratio))× later"
    var counted: [String] = []
    var marks: [String] = []
    var fixes: [String] = []
    let here = globalSteps(envs: envs)
    let foundation = globalSteps(envs: Self.foundationEnvs)
    if let w = energyWarmup, let h = here.energy, let f = foundation.energy {
      counted.append(
        "the energy warm-up (energy_warmup_method: \(w.method.rawValue), energy_warmup_constant: \(Self.figure(w.constant)))"
      )
      let bound = w.method == .auto ? "at least " : ""
      let what = w.method == .auto ? "positive-reward steps" : "episodes"
      marks.append(
        "the labor cost reaches 63% of its weight after \(Self.figure(w.constant)) \(what) per env: \(bound)\(Self.steps(h)) env steps here, \(bound)\(Self.steps(f)) with \(Self.foundationEnvs) envs"
      )
      fixes.append("energy_warmup_constant: \(Self.figure(w.constant * ratio, grouped: false))")
    }
    if let a = taxAnnealing, let episodes = taxAnnealingEpisodes, let h = here.taxes, let f = foundation.taxes {
      counted.append("the tax annealing (tax_annealing_schedule: [\(Self.figure(a.warmup)), \(Self.figure(a.slope))])")
      marks.append(
        "the tax range is fully open after \(Self.figure(episodes)) episodes per env: \(Self.steps(h)) env steps here, \(Self.steps(f)) with \(Self.foundationEnvs) envs"
      )
      fixes.append(
        "tax_annealing_schedule: [\(Self.figure(a.warmup * ratio, grouped: false)), \(Self.figure(a.slope / ratio, digits: 3))]"
      )
    }
    return
      "\(counted.joined(separator: " and ")) \(counted.count > 1 ? "count" : "counts") per env, and this run samples with \(envs) envs where Foundation's phase configs use \(Self.foundationEnvs) (15 workers × 2), so \(counted.count > 1 ? "they run" : "it runs") \(pace) in global env steps: \(marks.joined(separator: "; ")). To keep Foundation's timeline with \(envs) envs, set \(fixes.joined(separator: " and ")) (entropy and learning-rate schedules count global env steps and need no change)."
  }

  /// A number as a person writes it: whole numbers with thousands separated (unless `grouped`
  /// is false, for values to paste into YAML), one decimal for other numbers from 1 up, and
  /// `digits` significant digits below 1.
  static func figure(_ x: Double, digits: Int = 2, grouped: Bool = true) -> String {
    if x != x.rounded() && abs(x) < 1 { return String(format: "%.\(digits)g", x) }
    if x != x.rounded() { return String(format: "%.1f", x) }
    // Whole numbers beyond 2⁵³ (and infinities) as the exponent form; Int64(1e19) traps.
    guard abs(x) < 0x1p53 else { return String(format: "%g", x) }
    let s = String(Int64(abs(x)))
    guard grouped else { return (x < 0 ? "-" : "") + s }
    var out = ""
    for (i, c) in s.enumerated() {
      if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (x < 0 ? "-" : "") + out
  }

  /// Env steps as a person reads them: 40,000, 3.6 M, 1.2 B.
  static func steps(_ x: Double) -> String {
    if x >= 1e9 { return String(format: "%.3g B", x / 1e9) }
    if x >= 1e6 { return String(format: "%.3g M", x / 1e6) }
    return figure(x.rounded())
  }
}
