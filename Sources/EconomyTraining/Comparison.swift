// Comparing tax policies: the same agents in the same world under several tax settings, and the
// equality–productivity table the AI Economist paper reports.

import Basics
import Economy
import EconomyEnv
import EnvContract
import Foundation
import RL

/// Evaluates one agent policy under several tax settings and tabulates the social outcomes.
///
/// Each setting is a config (a baseline such as `scenarios/us_federal.yaml`: its tax rules act
/// and the planner's actions, if any, are random) or a training run directory (its trained
/// planner sets the taxes). The agents are the policy of `--agents` (a run or a checkpoint),
/// else the run's own agents for a run directory, else uniformly random valid actions. Every
/// setting plays the same episode seeds.
public struct Comparison {
  /// One setting's outcome.
  public struct Setting: Sendable {
    /// Short name: the config's file name without extension, or the run directory's name.
    public var name: String
    /// The config or run directory.
    public var source: String
    /// Who sets the taxes (`no taxes`, `US federal schedule`, `trained planner`, …).
    public var planner: String
    /// The episodes played.
    public var episodes: [Trainer.EvaluatedEpisode]
  }

  /// A column of the table.
  public struct Metric: Sendable {
    /// Column title.
    public var title: String
    /// CSV column prefix.
    public var key: String
    /// The value of one episode.
    public var value: @Sendable ([(key: String, value: Double)]) -> Double
  }

  /// The columns: productivity, equality, equality × productivity (per episode: the paper's
  /// figure), Foundation's metric `social_welfare/coin_eq_times_productivity` (equality ×
  /// productivity / agents, the planner's objective with `coin_eq_times_productivity`), and
  /// inverse-income-weighted utility.
  public static let metrics: [Metric] = [
    Metric(title: "productivity", key: "productivity") { m in Comparison.lookup(m, "social/productivity") },
    Metric(title: "equality", key: "equality") { m in Comparison.lookup(m, "social/equality") },
    Metric(title: "equality × productivity", key: "equality_times_productivity") { m in
      Comparison.lookup(m, "social/equality") * Comparison.lookup(m, "social/productivity")
    },
    Metric(title: "coin_eq_times_productivity (eq × prod / agents)", key: "coin_eq_times_productivity") { m in
      Comparison.lookup(m, "social_welfare/coin_eq_times_productivity")
    },
    Metric(title: "inverse-income-weighted utility", key: "inv_income_weighted_utility") { m in
      Comparison.lookup(m, "social_welfare/inv_income_weighted_utility")
    },
  ]

  static func lookup(_ metrics: [(key: String, value: Double)], _ key: String) -> Double {
    metrics.first { $0.key == key }?.value ?? .nan
  }

  /// The settings, in the order given.
  public var settings: [Setting]
  /// Where the agent policy came from.
  public var agents: String
  /// Episodes per setting.
  public var episodeCount: Int
  /// Episodes each setting played before the measured ones.
  public var warmupCount: Int
  /// The first episode seed.
  public var seed: UInt64
  /// Whether actions were the most likely allowed ones.
  public var greedy: Bool
  /// The settings' scenario (the first setting's; `checkOneWorld` keeps them comparable).
  public var scenario: ScenarioKind = .layoutFromFile
  /// The one-step economy solved by enumeration, when the settings are one-step economies.
  public var theory: OneStepTheory?

  /// Plays `episodes` episodes under every setting.
  ///
  /// - Parameters:
  ///   - sources: configs and run directories, one per setting.
  ///   - agents: a run or checkpoint directory with the agent policy `a` (nil: see above).
  ///   - episodes: episodes per setting.
  ///   - warmup: episodes each setting plays first, not tabulated (the Saez formula's samples
  ///     are pooled across environments after each round of warm-up episodes).
  ///   - greedy: most likely allowed actions instead of sampled ones.
  ///   - seed: the evaluation seed (the same for every setting).
  ///   - threads: worker threads (default: the machine's cores; results do not depend on it).
  /// - Throws: ``TrainingError``, ``ConfigError``, ``EnvError`` or ``CheckpointError`` naming
  ///   the setting's path.
  public init(
    sources: [String], agents: String?, episodes: Int, warmup: Int = 0, greedy: Bool = false, seed: UInt64 = 1,
    threads: Int? = nil
  ) throws {
    guard !sources.isEmpty else { throw TrainingError("compare needs at least one config or run directory") }
    let fm = FileManager.default
    var agentCheckpoint: String?
    var agentRun: RunConfig?
    if let agents {
      let (checkpoint, config) = try Evaluation.resolve(target: agents, config: nil)
      agentCheckpoint = checkpoint
      agentRun = try RunConfig.load(path: config)
      self.agents = "policy 'a' of \(checkpoint)"
    } else {
      self.agents = sources.contains { Self.isRun($0) } ? "each run's own agents" : "uniformly random valid actions"
    }
    try Self.checkOneWorld(sources)
    var settings: [Setting] = []
    for source in sources {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: source, isDirectory: &isDirectory) else {
        throw TrainingError("\(source): no such file or directory")
      }
      let name = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
      let envRun: RunConfig
      var plannerCheckpoint: String?
      var plannerRun: RunConfig?
      var runAgents: (checkpoint: String, run: RunConfig)?
      if isDirectory.boolValue {
        let (checkpoint, config) = try Evaluation.resolve(target: source, config: nil)
        envRun = try RunConfig.load(path: config)
        plannerCheckpoint = checkpoint
        plannerRun = envRun
        runAgents = (checkpoint, envRun)
      } else {
        envRun = try RunConfig.load(path: source)
      }
      let environment = try Environment(config: envRun.env)
      if settings.isEmpty {
        scenario = environment.config.scenario
        theory = OneStepTheory(environment: environment)
      }
      let planner = Self.describePlanner(environment, trained: plannerCheckpoint != nil)
      var training = TrainingConfig()
      let random = { () -> PolicyConfig in
        var p = PolicyConfig()
        p.model.kind = .random
        return p
      }
      let agentSource = agentCheckpoint.map { ($0, agentRun) } ?? runAgents.map { ($0.checkpoint, Optional($0.run)) }
      training.agentPolicy = agentSource?.1?.training.agentPolicy ?? random()
      training.plannerPolicy =
        plannerCheckpoint != nil && Self.plannerActs(environment)
        ? (plannerRun?.training.plannerPolicy ?? random()) : random()
      training.general.trainPlanner = false
      training.trainer.shards = agentSource?.1?.training.trainer.shards ?? training.trainer.shards
      let envs = Evaluation.envCount(episodes: episodes)
      training.trainer.sizeForInference(envs: envs)
      let pool = WorkerPool(threads: max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, envs)))
      // keepDenseLogs false: no dense logs whatever the config says.
      let vector = try EconomyVectorEnv(
        environment: environment, envs: envs, threads: pool.threads, keepDenseLogs: false, pool: pool)
      let trainer: Trainer
      do {
        trainer = try Trainer(env: vector, config: training, seed: seed, pool: pool)
        if let checkpoint = agentSource?.0 { try trainer.loadWeights(policy: .agents, from: checkpoint) }
        if let checkpoint = plannerCheckpoint, training.plannerPolicy.model.kind != .random {
          try trainer.loadWeights(policy: .planner, from: checkpoint)
        }
      } catch {
        throw TrainingError("\(source): \(error)")
      }
      if let checkpoint = plannerCheckpoint, let counters = Evaluation.curriculumCounters(checkpoint: checkpoint) {
        vector.setCurriculumCounters(counters)  // the run's tax annealing and warm-up as at the checkpoint
      }
      var warmed = 0
      while warmed < warmup {
        // Rounds of one episode per environment, with seeds apart from the measured episodes'.
        let round = min(envs, warmup - warmed)
        _ = try trainer.evaluate(
          env: vector, episodes: round, greedy: greedy, seed: seed &+ 0x5EED_0000 &+ UInt64(warmed))
        try vector.poolSaezBuffers()
        warmed += round
      }
      let played = try trainer.evaluate(env: vector, episodes: episodes, greedy: greedy, seed: seed)
      settings.append(Setting(name: name, source: source, planner: planner, episodes: played))
    }
    self.settings = settings
    episodeCount = episodes
    warmupCount = warmup
    self.seed = seed
    self.greedy = greedy
  }

  /// Checks, before anything is played, that every setting has the same mobile agents and
  /// episode length: totals such as productivity scale with both, so settings that differ in
  /// them are not comparable side by side.
  static func checkOneWorld(_ sources: [String]) throws {
    var first: (source: String, agents: Int, length: Int)?
    for source in sources where FileManager.default.fileExists(atPath: source) {
      let config = isRun(source) ? try Evaluation.resolve(target: source, config: nil).config : source
      let env = try RunConfig.load(path: config).env
      guard let first else {
        first = (source, env.agentCount, env.episodeLength)
        continue
      }
      guard (first.agents, first.length) == (env.agentCount, env.episodeLength) else {
        throw TrainingError(
          "\(source): \(env.agentCount) agents and \(env.episodeLength)-step episodes, but \(first.source) has \(first.agents) agents and \(first.length)-step episodes; compare settings of one world (n_agents and episode_length equal)"
        )
      }
    }
  }

  static func isRun(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  /// Whether the planner's actions set the taxes (the `model_wrapper` tax model, taxes on).
  static func plannerActs(_ environment: Environment) -> Bool {
    guard let tax = environment.component(PeriodicBracketTax.self) else { return false }
    return !tax.disableTaxes && tax.taxModel == .modelWrapper
  }

  /// Who sets the taxes in `environment`.
  static func describePlanner(_ environment: Environment, trained: Bool) -> String {
    guard let tax = environment.component(PeriodicBracketTax.self) else {
      return "no taxes (no PeriodicBracketTax)"
    }
    if tax.disableTaxes { return "no taxes" }
    switch tax.taxModel {
    case .modelWrapper: return trained ? "trained planner" : "random planner"
    case .usFederal: return "US federal schedule"
    case .saez: return "Saez formula"
    case .fixedBracketRates: return "fixed rates"
    }
  }

  // MARK: - Table

  /// Each metric's per-episode values for a setting (NaN where the episode lacks it).
  public func values(_ setting: Setting, _ metric: Metric) -> [Double] {
    setting.episodes.map { metric.value($0.record.metrics) }
  }

  /// Mean and sample standard deviation, skipping NaN.
  public static func summary(_ values: [Double]) -> (mean: Double, std: Double) { Evaluation.summary(values) }

  /// `value ± std` with decimals suited to the metric.
  static func format(_ s: (mean: Double, std: Double), decimals: Int) -> String {
    guard s.mean.isFinite else { return "n/a" }
    return String(format: "%.\(decimals)f ± %.\(decimals)f", s.mean, s.std)
  }

  private static func decimals(_ metric: Metric) -> Int { metric.key == "equality" ? 3 : 1 }

  /// The table as Markdown, with how it was made and the paper's reference numbers.
  public var markdown: String {
    var out = "# Tax policies compared\n\n"
    out += "Agents: \(agents). \(episodeCount) episodes per setting"
    out += warmupCount > 0 ? " after \(warmupCount) warm-up episodes, " : ", "
    out += "the same episode seeds in every setting (seed \(seed)), \(greedy ? "greedy" : "sampled") actions. "
    out += "Mean ± standard deviation over episodes, at the end of each episode.\n\n"
    out += "| setting | taxes set by | " + Self.metrics.map(\.title).joined(separator: " | ") + " |\n"
    out += "|---|---|" + Self.metrics.map { _ in "---:|" }.joined() + "\n"
    for s in settings {
      let cells = Self.metrics.map { Self.format(Self.summary(values(s, $0)), decimals: Self.decimals($0)) }
      out += "| \(s.name) | \(s.planner) | " + cells.joined(separator: " | ") + " |\n"
    }
    out += "\nEquality is 1 − the Gini coefficient of coin; productivity is the agents' total coin. "
    out += "Equality × productivity is the paper's figure; coin_eq_times_productivity is Foundation's "
    out += "metric of the same name, equality × productivity / number of agents. "
    if scenario == .oneStepEconomy {
      out += "In the one-step economy the planner maximizes the inverse-income-weighted utility (each agent's "
      out += "coin minus its labor cost, weighted by the inverse of its pre-tax income); the Science Advances "
      out += "2022 paper reports that the learned planner recovers the theory-optimal (Saez) schedule there.\n"
    } else {
      out += "With planner_reward_type coin_eq_times_productivity the planner maximizes the latter. "
      out += "For reference, the AI Economist paper reports for its 4-agent open-quadrant world with trained "
      out += "agents (productivity / equality / equality × productivity): free market 3285 / 39% / 1278, "
      out += "US federal 2656 / 48% / 1261, Saez 2759 / 52% / 1435, AI Economist 2907 / 57% / 1664.\n"
    }
    if let schedules = scheduleMarkdown { out += "\n" + schedules }
    if let theory = theoryMarkdown { out += "\n" + theory }
    return out
  }

  /// The bracket names (`PeriodicTax/avg_bracket_rate/<name>`, the lower cutoff in coin) in the
  /// settings' episode metrics, in their order.
  var bracketNames: [String] {
    let prefix = "PeriodicTax/avg_bracket_rate/"
    var names: [String] = []
    for s in settings {
      for (key, _) in s.episodes.first?.record.metrics ?? [] where key.hasPrefix(prefix) {
        let name = String(key.dropFirst(prefix.count))
        if !names.contains(name) { names.append(name) }
      }
    }
    return names
  }

  /// Each setting's tax schedule as Markdown: the mean marginal rate per bracket over its
  /// episodes (Foundation's `avg_bracket_rate`, averaged over the episode's tax periods), or nil
  /// when no setting has brackets.
  public var scheduleMarkdown: String? {
    let names = bracketNames
    guard !names.isEmpty else { return nil }
    let taxed = settings.filter { s in
      names.contains { n in values(s, "PeriodicTax/avg_bracket_rate/\(n)").contains { $0.isFinite && $0 != 0 } }
    }
    guard !taxed.isEmpty else { return nil }
    var out = "## Tax schedules\n\nMean marginal rate per bracket (%) over each setting's episodes and tax periods; "
    out += "brackets start at the coin incomes in the header.\n\n"
    out += "| setting | " + names.map { "from \(Int($0) ?? 0)" }.joined(separator: " | ") + " |\n"
    out += "|---|" + names.map { _ in "---:|" }.joined() + "\n"
    for s in taxed {
      let cells = names.map { n in
        let v = Self.summary(values(s, "PeriodicTax/avg_bracket_rate/\(n)")).mean
        return v.isFinite ? String(format: "%.1f", 100 * v) : "n/a"
      }
      out += "| \(s.name) | " + cells.joined(separator: " | ") + " |\n"
    }
    return out
  }

  /// The values of episode metric `key` over a setting's episodes (NaN where missing).
  func values(_ setting: Setting, _ key: String) -> [Double] {
    setting.episodes.map { Comparison.lookup($0.record.metrics, key) }
  }

  /// The table as CSV: one row per setting, mean and std columns per metric.
  public var csv: String {
    var header = ["setting", "taxes_set_by", "source", "episodes"]
    for m in Self.metrics { header += ["\(m.key)_mean", "\(m.key)_std"] }
    var lines = [header.joined(separator: ",")]
    for s in settings {
      var row = [s.name, s.planner, s.source, "\(s.episodes.count)"].map(CSV.field)
      for m in Self.metrics {
        let summary = Self.summary(values(s, m))
        row += [summary.mean, summary.std].map { $0.isNaN ? "nan" : "\($0)" }
      }
      lines.append(row.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Each setting's mean schedule (Foundation's `avg_bracket_rate` averaged over its episodes),
  /// or nil when a bracket's rate is missing.
  func meanRates(_ setting: Setting) -> [Double]? {
    let names = bracketNames
    guard !names.isEmpty else { return nil }
    let rates = names.map { Self.summary(values(setting, "PeriodicTax/avg_bracket_rate/\($0)")).mean }
    return rates.allSatisfy(\.isFinite) ? rates : nil
  }

  /// For a one-step economy: every setting's mean schedule played by agents that answer it with
  /// their best hours (``OneStepTheory``), next to what the compared agents reached, and the best
  /// schedule of the planner's menu for such agents; nil for other scenarios.
  public var theoryMarkdown: String? {
    guard let theory else { return nil }
    var out = "## Against agents that answer perfectly\n\n"
    out += "Each setting's mean schedule, played by agents that choose the hours that maximize their utility "
    out += "(enumerated), and the best schedule of the planner's menu for such agents (coordinate search). "
    out += "Welfare is the planner's objective (\(theory.parameters.plannerRewardType.rawValue)); "
    out += "\"played\" is what the compared agents reached.\n\n"
    out += "| schedule | " + bracketNames.map { "from \(Int($0) ?? 0)" }.joined(separator: " | ")
    out += " | welfare, best answers | welfare, played | productivity, best answers | hours by agent (skill order) |\n"
    out += "|---|" + bracketNames.map { _ in "---:|" }.joined() + "---:|---:|---:|---|\n"
    func row(_ name: String, _ o: OneStepTheory.Outcome, played: Double?) -> String {
      let cells = o.rates.map { String(format: "%.0f", 100 * $0) }
      let playedText = played.map { String(format: "%.2f", $0) } ?? "–"
      return "| \(name) | " + cells.joined(separator: " | ")
        + String(format: " | %.2f | ", o.welfare) + playedText + String(format: " | %.1f | ", o.productivity)
        + o.hours.map(String.init).joined(separator: " ") + " |\n"
    }
    let zero = [Double](repeating: 0, count: theory.brackets.count)
    for s in settings {
      let rates = s.planner.hasPrefix("no taxes") ? zero : meanRates(s)
      guard let rates, rates.count == theory.brackets.count else { continue }
      let played = Self.summary(values(s, "social_welfare/inv_income_weighted_utility")).mean
      out += row(
        s.name, theory.outcome(rates: rates),
        played: theory.parameters.plannerRewardType == .invIncomeWeightedUtility ? played : nil)
    }
    out += row("best for best answers (search)", theory.bestSchedule(), played: nil)
    return out
  }
}
