// Typed training settings: Foundation's run-config sections `general`, `agent_policy`,
// `planner_policy` and `trainer`, with RLlib's key names and defaults. Reading them from YAML
// lives in `EconomyEnv` (it owns the config files); trainers (`RL`'s PPO, RLlib through the C
// library) only see these values.

/// A piecewise-linear schedule over env steps, RLlib's `[[step, value], ...]` form.
///
/// Before the first point the first value holds; after the last point the last value holds;
/// between points the value is interpolated linearly.
public struct Schedule: Sendable, Equatable, Codable {
  /// The points, in increasing step order.
  public var points: [Point]

  /// One point of a schedule.
  public struct Point: Sendable, Equatable, Codable {
    /// Env steps sampled so far.
    public var step: Int
    /// The value at that step.
    public var value: Double

    /// Creates a point.
    public init(step: Int, value: Double) {
      self.step = step
      self.value = value
    }
  }

  /// Creates a schedule; `points` must be non-empty and sorted by step.
  public init(points: [Point]) {
    precondition(!points.isEmpty, "a schedule needs at least one point")
    self.points = points
  }

  /// The value after `step` env steps.
  public func value(at step: Int) -> Double {
    guard step > points[0].step else { return points[0].value }
    for i in 1..<points.count where step < points[i].step {
      let a = points[i - 1]
      let b = points[i]
      let t = Double(step - a.step) / Double(b.step - a.step)
      return a.value + t * (b.value - a.value)
    }
    return points[points.count - 1].value
  }
}

/// Activation functions for `fcnet` hidden layers.
public enum ActivationKind: String, Sendable, Equatable, Codable, CaseIterable {
  /// tanh (RLlib's default for `fcnet_activation`).
  case tanh
  /// max(0, x).
  case relu
  /// The identity.
  case linear
}

/// A policy network: which model and its sizes (`model:` in a policy section).
public struct ModelConfig: Sendable, Equatable, Codable {
  /// The kinds of models.
  public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
    /// RLlib's default fully connected network over the flattened observation.
    case fcnet
    /// Foundation's paper model: embedding + convolutions + dense + layer norm + LSTM.
    case kerasConvLSTM = "keras_conv_lstm"
    /// A fixed uniform policy over the allowed actions; nothing to train.
    case random
  }

  /// The model (`custom_model`; `fcnet` when absent).
  public var kind: Kind = .fcnet
  /// `fcnet_hiddens`.
  public var hiddens: [Int] = [256, 256]
  /// `fcnet_activation`.
  public var activation: ActivationKind = .tanh
  /// `custom_model_config.fc_dim` (or the older `custom_options`).
  public var fcDim: Int = 128
  /// `custom_model_config.lstm_cell_size`.
  public var lstmCellSize: Int = 128
  /// `custom_model_config.num_conv`.
  public var numConv: Int = 2
  /// `custom_model_config.num_fc`.
  public var numFC: Int = 2
  /// `custom_model_config.idx_emb_dim`.
  public var idxEmbDim: Int = 4
  /// `custom_model_config.input_emb_vocab`.
  public var inputEmbVocab: Int = 100
  /// `max_seq_len`: the truncated-BPTT length for recurrent models.
  public var maxSeqLen: Int = 25
  /// `vf_share_layers`: one trunk for policy and value (fcnet only).
  public var vfShareLayers: Bool = false

  /// Creates a config with RLlib's defaults.
  public init() {}
}

/// One policy's PPO settings (`agent_policy:` or `planner_policy:`).
public struct PolicyConfig: Sendable, Equatable, Codable {
  /// `clip_param`.
  public var clipParam: Double = 0.3
  /// `vf_clip_param`.
  public var vfClipParam: Double = 10.0
  /// `vf_loss_coeff`.
  public var vfLossCoeff: Double = 1.0
  /// `entropy_coeff`.
  public var entropyCoeff: Double = 0.0
  /// `entropy_coeff_schedule` (overrides `entropy_coeff` when set).
  public var entropyCoeffSchedule: Schedule?
  /// `gamma`.
  public var gamma: Double = 0.99
  /// `lambda`.
  public var lambda: Double = 1.0
  /// `use_gae`: false uses plain discounted returns minus the value.
  public var useGAE: Bool = true
  /// `lr`.
  public var lr: Double = 5e-5
  /// `lr_schedule` (overrides `lr` when set).
  public var lrSchedule: Schedule?
  /// `grad_clip`: the global gradient norm limit (nil = none).
  public var gradClip: Double?
  /// `kl_coeff`: the initial KL penalty coefficient (0 disables it).
  public var klCoeff: Double = 0.2
  /// `kl_target`.
  public var klTarget: Double = 0.01
  /// `model`.
  public var model = ModelConfig()

  /// Creates a config with RLlib's defaults.
  public init() {}

  /// The entropy coefficient after `step` env steps.
  public func entropyCoeff(at step: Int) -> Double {
    entropyCoeffSchedule?.value(at: step) ?? entropyCoeff
  }

  /// The learning rate after `step` env steps.
  public func lr(at step: Int) -> Double {
    lrSchedule?.value(at: step) ?? lr
  }
}

/// Sampling and optimisation settings (`trainer:`, RLlib's key names).
public struct TrainerConfig: Sendable, Equatable, Codable {
  /// `num_workers`: RLlib's rollout workers.
  ///
  /// Here `num_workers × num_envs_per_worker` envs are stepped together; 0 workers means one
  /// worker's envs.
  public var numWorkers: Int = 2
  /// `num_envs_per_worker`.
  public var numEnvsPerWorker: Int = 1
  /// Threads for sampling and learning (nil = the machine's cores); not an RLlib key.
  ///
  /// Results do not depend on it: the same config and seed give the same weights on any machine.
  public var threads: Int?
  /// `shards`: parts each batch is split into for parallel work (every sampling step's rows of
  /// each policy, every minibatch); not an RLlib key.
  ///
  /// At most this many threads work at once, so on a machine with more cores raise it to the
  /// core count. Results depend on it (matrix products of other sizes and sums in another order
  /// round differently) and not on the thread count: runs with the same config and seed repeat
  /// exactly on any machine, with `--threads 1` as with all cores.
  public var shards: Int = 2
  /// `rollout_fragment_length`: env steps per env per fragment.
  public var rolloutFragmentLength: Int = 200
  /// `train_batch_size`: env steps per iteration (rounded up to whole fragments of all envs).
  public var trainBatchSize: Int = 4000
  /// `sgd_minibatch_size`: agent steps per minibatch of a policy.
  public var sgdMinibatchSize: Int = 128
  /// `num_sgd_iter`: epochs over each iteration's batch.
  public var numSGDIter: Int = 30
  /// `shuffle_sequences`: shuffle rows (or sequences) before each epoch.
  public var shuffleSequences: Bool = true
  /// `seed`: the run's seed (nil = 0 unless given on the command line).
  public var seed: UInt64?
  /// `metrics_smoothing_episodes`: episodes averaged in reported episode metrics (nil = envs).
  public var metricsSmoothingEpisodes: Int?

  /// Creates a config with RLlib's defaults.
  public init() {}

  /// The number of envs stepped together.
  public var envCount: Int { max(1, numWorkers) * max(1, numEnvsPerWorker) }
}

/// Run-level settings (`general:`).
public struct GeneralConfig: Sendable, Equatable, Codable {
  /// `episodes`: stop once this many episodes completed (nil = no episode limit).
  public var episodes: Int?
  /// `train_planner`: whether policy `p` learns.
  public var trainPlanner: Bool = false
  /// `ckpt_frequency_steps`: env steps between kept checkpoints (0 = only `latest`).
  public var ckptFrequencySteps: Int = 0
  /// `restore_tf_weights_agents`: a checkpoint whose `a` weights start this run.
  public var restoreAgents: String?
  /// `restore_tf_weights_planner`: a checkpoint whose `p` weights start this run.
  public var restorePlanner: String?
  /// `max_env_steps`: stop after this many env steps (ours).
  public var maxEnvSteps: Int?
  /// `max_wall_seconds`: stop after this much wall time (ours).
  public var maxWallSeconds: Double?
  /// `stop_metric` and `stop_value`: stop once the smoothed metric reaches the value (ours).
  public var stopMetric: String?
  /// See ``stopMetric``.
  public var stopValue: Double?

  /// Creates a config with the defaults.
  public init() {}
}

/// Everything the trainer needs besides the environment.
public struct TrainingConfig: Sendable, Equatable, Codable {
  /// `general:`.
  public var general = GeneralConfig()
  /// `agent_policy:` (policy `a`).
  public var agentPolicy = PolicyConfig()
  /// `planner_policy:` (policy `p`).
  public var plannerPolicy = PolicyConfig()
  /// `trainer:`.
  public var trainer = TrainerConfig()

  /// Creates a config with the defaults.
  public init() {}

  /// The settings of a policy: `planner_policy` for the planner, `agent_policy` otherwise.
  public func policy(_ id: PolicyID) -> PolicyConfig {
    id.role == .planner ? plannerPolicy : agentPolicy
  }
}
