// Reading the run sections (`general`, `agent_policy`, `planner_policy`, `trainer`) of a run
// config into `TrainingConfig`, with RLlib's key names and defaults.

import Economy
import EnvContract

/// Reads the run sections of one config, recording every problem and every ignored key.
struct RunSectionReader {
  /// The problems found so far.
  private(set) var issues: [ConfigIssue] = []
  /// Key paths of the accepted-but-ignored keys present, in file order.
  private(set) var ignored: [String] = []
  /// `general.train_planner`, for the check against the planner's model.
  private var trainPlanner: ConfigNode?

  /// The training settings in `sections` (in file order), with defaults for absent ones.
  ///
  /// Sections other than the four run sections are skipped: the env loader reports them.
  mutating func read(_ sections: [(name: String, node: ConfigNode)]) -> TrainingConfig {
    var config = TrainingConfig()
    for (name, node) in sections {
      switch name {
      case "general": config.general = general(node)
      case "agent_policy": config.agentPolicy = policy(node)
      case "planner_policy": config.plannerPolicy = policy(node)
      case "trainer": config.trainer = trainer(node)
      default: break
      }
    }
    if config.general.trainPlanner, config.plannerPolicy.model.kind == .random, let trainPlanner {
      issues.append(
        trainPlanner.issue(
          "the random model has nothing to train; set planner_policy.model.custom_model or "
            + "general.train_planner: false"))
    }
    return config
  }

  // MARK: - Sections

  /// `general:`.
  private mutating func general(_ node: ConfigNode) -> GeneralConfig {
    var r = ParameterReader(node)
    var general = GeneralConfig()
    general.episodes = r.optionalInt("episodes", range: 1...Int.max)
    general.trainPlanner = r.bool("train_planner", default: general.trainPlanner)
    trainPlanner = r.node("train_planner")
    general.ckptFrequencySteps = r.int(
      "ckpt_frequency_steps", default: general.ckptFrequencySteps, range: 0...Int.max)
    // RLlib's configs write '' for "no checkpoint".
    general.restoreAgents = r.optionalString("restore_tf_weights_agents").flatMap(nonEmpty)
    general.restorePlanner = r.optionalString("restore_tf_weights_planner").flatMap(nonEmpty)
    general.maxEnvSteps = r.optionalInt("max_env_steps", range: 1...Int.max)
    general.maxWallSeconds = r.optionalPositiveDouble("max_wall_seconds")
    let hasMetric = r.node("stop_metric").map { !$0.isNull } ?? false
    if hasMetric {
      let metric = r.choice("stop_metric", default: "", from: RunConfig.stopMetrics)
      general.stopMetric = metric.isEmpty ? nil : metric
    }
    general.stopValue = r.optionalDouble("stop_value")
    let hasValue = r.node("stop_value").map { !$0.isNull } ?? false
    if hasMetric, !hasValue {
      r.report(
        "stop_metric", "missing 'stop_value' (the value that ends the run); give both or neither")
    } else if hasValue, !hasMetric {
      let names = RunConfig.stopMetrics.map { "'\($0)'" }.joined(separator: ", ")
      r.report("stop_value", "missing 'stop_metric' (one of \(names)); give both or neither")
    }
    ignore(["cpus", "gpus"], in: &r)
    finish(&r)
    return general
  }

  /// `agent_policy:` or `planner_policy:`.
  private mutating func policy(_ node: ConfigNode) -> PolicyConfig {
    var r = ParameterReader(node)
    var policy = PolicyConfig()
    policy.clipParam = r.positiveDouble("clip_param", default: policy.clipParam)
    policy.vfClipParam = r.positiveDouble("vf_clip_param", default: policy.vfClipParam)
    policy.vfLossCoeff = r.double(
      "vf_loss_coeff", default: policy.vfLossCoeff, range: 0...(.infinity))
    policy.entropyCoeff = r.double(
      "entropy_coeff", default: policy.entropyCoeff, range: 0...(.infinity))
    policy.entropyCoeffSchedule = schedule("entropy_coeff_schedule", in: &r)
    policy.gamma = r.double("gamma", default: policy.gamma, range: 0...1)
    policy.lambda = r.double("lambda", default: policy.lambda, range: 0...1)
    policy.useGAE = r.bool("use_gae", default: policy.useGAE)
    policy.lr = r.positiveDouble("lr", default: policy.lr)
    policy.lrSchedule = schedule("lr_schedule", in: &r)
    policy.gradClip = r.optionalPositiveDouble("grad_clip")
    policy.klCoeff = r.double("kl_coeff", default: policy.klCoeff, range: 0...(.infinity))
    policy.klTarget = r.positiveDouble("kl_target", default: policy.klTarget)
    // RLlib 0.8 (phase 1) has `vf_share_layers` here; later versions (phase 2) in `model`.
    var shareLayers: (value: Bool, keyPath: String)?
    if let node = r.node("vf_share_layers") {
      shareLayers = (r.bool("vf_share_layers", default: false), node.keyPath)
    }
    policy.model = model(r.node("model"), shareLayers: shareLayers)
    finish(&r)
    return policy
  }

  /// A policy's `model:`; `shareLayers` is the policy-level `vf_share_layers`, if given.
  private mutating func model(
    _ node: ConfigNode?, shareLayers: (value: Bool, keyPath: String)?
  ) -> ModelConfig {
    var model = ModelConfig()
    model.vfShareLayers = shareLayers?.value ?? model.vfShareLayers
    guard let node else { return model }
    var r = ParameterReader(node)
    if r.node("custom_model")?.isNull != true {
      let kinds = ModelConfig.Kind.allCases.map(\.rawValue)
      let name = r.choice("custom_model", default: model.kind.rawValue, from: kinds)
      model.kind = ModelConfig.Kind(rawValue: name) ?? model.kind
    }
    // RLlib 0.8 (phase 1) calls the custom model's settings `custom_options`.
    let (options, oldOptions) = (r.node("custom_model_config"), r.node("custom_options"))
    if options != nil, oldOptions != nil {
      r.report(
        "custom_options",
        "both 'custom_options' and 'custom_model_config' are given; keep one ('custom_options' "
          + "is RLlib's older name for 'custom_model_config')")
    }
    if let options = options ?? oldOptions { customModelConfig(options, into: &model) }
    let hiddens = r.intList("fcnet_hiddens", default: model.hiddens)
    if hiddens.contains(where: { $0 < 1 || $0 > RunLimits.layer }) || hiddens.count > RunLimits.layers {
      r.report(
        "fcnet_hiddens",
        "expected at most \(RunLimits.layers) layer sizes in 1...\(RunLimits.layer), found \(hiddens)")
    } else {
      model.hiddens = hiddens
    }
    let activations = ActivationKind.allCases.map(\.rawValue)
    let activation = r.choice(
      "fcnet_activation", default: model.activation.rawValue, from: activations)
    model.activation = ActivationKind(rawValue: activation) ?? model.activation
    model.maxSeqLen = r.int("max_seq_len", default: model.maxSeqLen, range: 1...RunLimits.steps)
    if r.node("vf_share_layers") != nil {
      let share = r.bool("vf_share_layers", default: model.vfShareLayers)
      if let shareLayers, shareLayers.value != share {
        r.report(
          "vf_share_layers",
          "expected \(shareLayers.value) as in \(shareLayers.keyPath), found \(share); "
            + "give it in one place")
      }
      model.vfShareLayers = share
    }
    finish(&r)
    return model
  }

  /// `model.custom_model_config` (or `model.custom_options`).
  private mutating func customModelConfig(_ node: ConfigNode, into model: inout ModelConfig) {
    var r = ParameterReader(node)
    model.fcDim = r.int("fc_dim", default: model.fcDim, range: 1...RunLimits.layer)
    model.lstmCellSize = r.int("lstm_cell_size", default: model.lstmCellSize, range: 1...RunLimits.layer)
    model.numConv = r.int("num_conv", default: model.numConv, range: 1...RunLimits.layers)
    model.numFC = r.int("num_fc", default: model.numFC, range: 1...RunLimits.layers)
    model.idxEmbDim = r.int("idx_emb_dim", default: model.idxEmbDim, range: 1...RunLimits.layer)
    model.inputEmbVocab = r.int("input_emb_vocab", default: model.inputEmbVocab, range: 1...RunLimits.layer)
    finish(&r)
  }

  /// `trainer:`.
  private mutating func trainer(_ node: ConfigNode) -> TrainerConfig {
    var r = ParameterReader(node)
    var trainer = TrainerConfig()
    trainer.numWorkers = r.int("num_workers", default: trainer.numWorkers, range: 0...RunLimits.envs)
    trainer.numEnvsPerWorker = r.int(
      "num_envs_per_worker", default: trainer.numEnvsPerWorker, range: 1...RunLimits.envs)
    trainer.threads = r.optionalInt("threads", range: 1...1024)
    trainer.shards = r.int("shards", default: trainer.shards, range: 1...256)
    trainer.rolloutFragmentLength = r.int(
      "rollout_fragment_length", default: trainer.rolloutFragmentLength, range: 1...RunLimits.steps)
    trainer.trainBatchSize = r.int(
      "train_batch_size", default: trainer.trainBatchSize, range: 1...RunLimits.batch)
    trainer.sgdMinibatchSize = r.int(
      "sgd_minibatch_size", default: trainer.sgdMinibatchSize, range: 1...RunLimits.batch)
    trainer.numSGDIter = r.int("num_sgd_iter", default: trainer.numSGDIter, range: 1...10_000)
    trainer.shuffleSequences = r.bool("shuffle_sequences", default: trainer.shuffleSequences)
    trainer.seed = r.optionalInt("seed", range: 0...Int.max).map { UInt64($0) }
    trainer.metricsSmoothingEpisodes = r.optionalInt(
      "metrics_smoothing_episodes", range: 1...Int.max)
    if trainer.envCount > RunLimits.envs {
      r.report(
        "num_envs_per_worker",
        "expected at most \(RunLimits.envs) environments in all, found num_workers × num_envs_per_worker = \(trainer.numWorkers) × \(trainer.numEnvsPerWorker) = \(trainer.envCount)"
      )
    }
    // RLlib's PPO rejects this too.
    if trainer.sgdMinibatchSize > trainer.trainBatchSize {
      r.report(
        "sgd_minibatch_size",
        "expected a value <= train_batch_size (\(trainer.trainBatchSize)), "
          + "found \(trainer.sgdMinibatchSize)")
    }
    ignore(Self.ignoredTrainerKeys, in: &r)
    // Ignored keys whose other values would ask for behaviour Economist does not have.
    let batchMode = "'truncate_episodes' (the only batch mode Economist supports)"
    only("batch_mode", batchMode, in: &r) { (try? $0.string()) == "truncate_episodes" }
    let filter = "'NoFilter' (Economist does not filter observations)"
    only("observation_filter", filter, in: &r) { (try? $0.string()) == "NoFilter" }
    let envConfig = "null (the env section configures the environment)"
    only("env_config", envConfig, in: &r) { _ in false }
    let multiagent = "null (Economist maps agents to policy 'a' and the planner to 'p')"
    only("multiagent", multiagent, in: &r) { _ in false }
    let doneAtEnd = "false (Economist marks the end of every episode)"
    only("no_done_at_end", doneAtEnd, in: &r) { (try? $0.bool()) == false }
    finish(&r)
    return trainer
  }

  /// Trainer keys accepted without effect.
  private static let ignoredTrainerKeys = [
    "batch_mode", "observation_filter", "env_config", "multiagent", "no_done_at_end", "num_gpus",
    "num_gpus_per_worker", "tf_session_args", "local_tf_session_args", "num_cpus_per_worker",
    "framework", "log_level",
  ]

  // MARK: - Helpers

  /// Records `expected …, found …` if `key` has a value other than null that `isSupported`
  /// rejects.
  private func only(
    _ key: String, _ expected: String, in r: inout ParameterReader,
    _ isSupported: (ConfigNode) -> Bool
  ) {
    guard let value = r.node(key), !value.isNull, !isSupported(value) else { return }
    r.record(value.mismatch(expected: expected))
  }

  /// `[[step, value], ...]` under `key` as a schedule; `nil` if absent, null or invalid.
  ///
  /// Steps are integers >= 0 in non-decreasing order; values are numbers >= 0.
  private mutating func schedule(_ key: String, in r: inout ParameterReader) -> Schedule? {
    guard let node = r.node(key), !node.isNull else { return nil }
    guard let items = try? node.sequence(), !items.isEmpty else {
      r.record(node.mismatch(expected: "null or a list of [step, value] pairs"))
      return nil
    }
    var points: [Schedule.Point] = []
    var valid = true
    for item in items {
      guard let pair = try? item.sequence(), pair.count == 2 else {
        r.record(item.mismatch(expected: "a [step, value] pair"))
        valid = false
        continue
      }
      do throws(ConfigIssue) {
        let step = try pair[0].int()
        guard step >= 0 else { throw pair[0].mismatch(expected: "a step >= 0") }
        if let last = points.last, step < last.step {
          throw pair[0].mismatch(expected: "a step >= \(last.step) (steps never decrease)")
        }
        let value = try pair[1].double()
        guard value >= 0 else { throw pair[1].mismatch(expected: "a value >= 0") }
        points.append(Schedule.Point(step: step, value: value))
      } catch {
        r.record(error)
        valid = false
      }
    }
    return valid ? Schedule(points: points) : nil
  }

  /// Accepts `keys` in `r` without effect, noting those present (in file order) for the warning.
  private mutating func ignore(_ keys: [String], in r: inout ParameterReader) {
    r.ignore(keys)
    for entry in (try? r.node.mapping()) ?? [] where keys.contains(entry.key) {
      ignored.append(entry.node.keyPath)
    }
  }

  /// Flags unknown keys in `r`, naming the mapping by its key path, and keeps its issues.
  private mutating func finish(_ r: inout ParameterReader) {
    r.finish(context: r.node.keyPath)
    issues += r.issues
  }
}

/// `text`, or `nil` if it is empty.
private func nonEmpty(_ text: String) -> String? {
  text.isEmpty ? nil : text
}

extension ParameterReader {
  /// The number under `key`, which must be greater than 0.
  fileprivate mutating func positiveDouble(_ key: String, default fallback: Double) -> Double {
    let value = double(key, default: fallback, range: 0...(.infinity))
    guard value > 0 else {
      report(key, "expected a value > 0, found \(node(key)?.describeValue ?? "0")")
      return fallback
    }
    return value
  }

  /// The number under `key`, which must be greater than 0, or `nil` if it is absent or null.
  fileprivate mutating func optionalPositiveDouble(_ key: String) -> Double? {
    guard let value = optionalDouble(key, range: 0...(.infinity)) else { return nil }
    guard value > 0 else {
      report(key, "expected a value > 0, found \(node(key)?.describeValue ?? "0")")
      return nil
    }
    return value
  }
}

/// Bounds on run-config sizes, far above any training this project or Foundation runs and low
/// enough that no product of them overflows or asks for more memory than a machine has
/// (`train_batch_size: 9223372036854775807` used to trap; `fcnet_hiddens: [100000, 100000]`
/// asked for 40 GB).
enum RunLimits {
  /// Environments in all (`num_workers × num_envs_per_worker`).
  static let envs = 4096
  /// Steps of a fragment or a recurrent sequence.
  static let steps = 1_000_000
  /// Env steps per training batch (and per minibatch).
  static let batch = 100_000_000
  /// Units of one layer.
  static let layer = 65536
  /// Layers of one kind.
  static let layers = 64
}
