import EnvContract
import Foundation
import RL
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining

/// Foundation's run configs load into typed training settings unchanged; bad run sections give
/// one located message each, all reported together with the env section's.
@Suite("Run config")
struct RunConfigTests {
  /// The path of a Foundation run config fixture.
  static func fixture(_ name: String) -> String {
    repositoryRoot + "/Tests/EconomyTests/Fixtures/foundation-\(name)-config.yaml"
  }

  /// The text of the phase 2 fixture.
  static let phase2: String = {
    guard let data = FileManager.default.contents(atPath: fixture("phase2")) else {
      preconditionFailure("missing the phase 2 fixture")
    }
    return String(decoding: data, as: UTF8.self)
  }()

  /// The phase 2 config with `old` replaced by `new` (which must occur exactly once).
  static func phase2(
    replacing old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation
  ) -> String {
    #expect(
      phase2.components(separatedBy: old).count == 2, "'\(old)' must occur once",
      sourceLocation: sourceLocation)
    return phase2.replacingOccurrences(of: old, with: new)
  }

  /// The error message for `yaml` read as `config.yaml`, or `nil` if it loads.
  static func errorText(_ yaml: String) -> String? {
    do {
      _ = try RunConfig.parse(yaml: yaml, file: "config.yaml")
      return nil
    } catch {
      return error.description
    }
  }

  /// A small env section with no run sections.
  static let envOnly = """
    scenario_name: layout_from_file/simple_wood_and_stone
    components:
      - Gather: {move_labor: 1}
    env_layout_file: quadrant_25x25_20each_30clump.txt
    n_agents: 4
    world_size: [25, 25]
    """

  // MARK: - Foundation's configs

  @Test func phase1Loads() throws {
    let run = try RunConfig.load(path: Self.fixture("phase1"))
    #expect(run.env.agentCount == 4 && run.env.components.count == 4)
    let t = run.training
    var general = GeneralConfig()
    general.episodes = 25000
    general.ckptFrequencySteps = 750_000
    #expect(t.general == general)

    var model = ModelConfig()
    model.kind = .kerasConvLSTM
    var agent = PolicyConfig()
    agent.clipParam = 0.3
    agent.entropyCoeff = 0.025
    agent.gamma = 0.998
    agent.gradClip = 10
    agent.klCoeff = 0
    agent.klTarget = 0.01
    agent.lambda = 0.98
    agent.lr = 0.0003
    agent.vfClipParam = 50
    agent.vfLossCoeff = 0.05
    agent.model = model
    #expect(t.agentPolicy == agent)
    var planner = agent
    planner.model = ModelConfig()
    planner.model.kind = .random
    #expect(t.plannerPolicy == planner)

    var trainer = TrainerConfig()
    trainer.numWorkers = 15
    trainer.numEnvsPerWorker = 2
    trainer.numSGDIter = 1
    trainer.rolloutFragmentLength = 200
    trainer.sgdMinibatchSize = 1500
    trainer.trainBatchSize = 6000
    #expect(t.trainer == trainer)
    #expect(t.trainer.envCount == 30)
  }

  @Test func phase2Loads() throws {
    let run = try RunConfig.load(path: Self.fixture("phase2"))
    let t = run.training
    #expect(t.general.trainPlanner)
    #expect(t.general.episodes == 4_000_000)
    #expect(t.general.ckptFrequencySteps == 20_000_000)
    #expect(t.general.restoreAgents == "phase1/ckpts/agent.tf.weights.global-step-25000000")
    #expect(t.general.restorePlanner == nil)

    #expect(t.agentPolicy.model.kind == .kerasConvLSTM)
    #expect(t.agentPolicy.model.fcDim == 128 && t.agentPolicy.model.lstmCellSize == 128)
    #expect(t.agentPolicy.entropyCoeffSchedule == nil && t.agentPolicy.lr == 0.0003)

    let p = t.plannerPolicy
    #expect(p.lr == 1e-4 && p.lrSchedule == nil)
    #expect(p.entropyCoeff == 0.125)
    #expect(
      p.entropyCoeffSchedule
        == Schedule(points: [.init(step: 0, value: 2), .init(step: 50_000_000, value: 0.125)]))
    #expect(p.entropyCoeff(at: 25_000_000) == 1.0625)
    var model = ModelConfig()
    model.kind = .kerasConvLSTM
    model.fcDim = 256
    model.lstmCellSize = 256
    #expect(p.model == model)
    #expect(p.gamma == 0.998 && p.lambda == 0.98 && p.gradClip == 10 && p.klCoeff == 0)

    #expect(t.trainer.trainBatchSize == 6000 && t.trainer.sgdMinibatchSize == 1500)
    #expect(t.trainer.numWorkers == 15 && t.trainer.numEnvsPerWorker == 2)
    #expect(t.trainer.numSGDIter == 1 && t.trainer.shuffleSequences && t.trainer.seed == nil)
  }

  @Test func ignoredKeysAreListedOnceInFileOrder() throws {
    let path = Self.fixture("phase1")
    let run = try RunConfig.load(path: path)
    #expect(
      run.warnings == [
        "\(path): ignored (no effect in Economist): general.cpus, general.gpus, "
          + "trainer.batch_mode, trainer.env_config, trainer.local_tf_session_args, "
          + "trainer.multiagent, trainer.no_done_at_end, trainer.num_gpus, "
          + "trainer.num_gpus_per_worker, trainer.observation_filter, trainer.tf_session_args"
      ])
  }

  @Test func envSectionAloneLoadsWithDefaults() throws {
    let run = try RunConfig.parse(yaml: Self.envOnly, file: nil)
    #expect(run.training == TrainingConfig())
    #expect(run.warnings.isEmpty)
    #expect(run.env.agentCount == 4)
  }

  @Test func absentKeysTakeRLlibDefaults() throws {
    let yaml =
      "env:\n" + Self.envOnly.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n")
      + "\ngeneral: {max_env_steps: 1000, stop_metric: social/productivity, stop_value: 500}"
      + "\nplanner_policy: {model: {custom_model: null, fcnet_hiddens: [64], vf_share_layers: on}}"
      + "\ntrainer: {threads: 2, shards: 4, seed: 3}\n"
    let t = try RunConfig.parse(yaml: yaml, file: nil).training
    var expected = TrainingConfig()
    expected.general.maxEnvSteps = 1000
    expected.general.stopMetric = "social/productivity"
    expected.general.stopValue = 500
    expected.plannerPolicy.model.hiddens = [64]
    expected.plannerPolicy.model.vfShareLayers = true
    expected.trainer.threads = 2
    expected.trainer.shards = 4
    expected.trainer.seed = 3
    #expect(t == expected)
  }

  // MARK: - Errors

  @Test func unknownKeySuggestsTheClosest() {
    let yaml = Self.phase2(replacing: "  entropy_coeff: 0.025\n", with: "  entropy_coef: 0.025\n")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:62:3: agent_policy.entropy_coef: unknown parameter 'entropy_coef' for "
        + "agent_policy (did you mean 'entropy_coeff'?)")
  }

  @Test func unknownModelSettingSuggestsTheClosest() {
    let yaml = Self.phase2(
      replacing: "      lstm_cell_size: 256", with: "      lstm_cel_size: 256")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:106:7: planner_policy.model.custom_model_config.lstm_cel_size: unknown "
        + "parameter 'lstm_cel_size' for planner_policy.model.custom_model_config (did you mean "
        + "'lstm_cell_size'?)")
  }

  @Test func badCustomModelSuggestsTheClosest() {
    let yaml = Self.phase2(
      replacing: "  lr: 0.0001\n  lr_schedule: null\n  model:\n    custom_model: keras_conv_lstm",
      with: "  lr: 0.0001\n  lr_schedule: null\n  model:\n    custom_model: keras_convlstm")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:101:19: planner_policy.model.custom_model: expected one of 'fcnet', "
        + "'keras_conv_lstm', 'random', found 'keras_convlstm' (did you mean 'keras_conv_lstm'?)")
  }

  @Test func wrongTypeNamesFileLineAndKeyPath() {
    let yaml = Self.phase2(replacing: "  lr: 0.0001", with: "  lr: fast")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:98:7: planner_policy.lr: expected a number, found 'fast'")
  }

  @Test func unsupportedBatchModeIsAnError() {
    let yaml = Self.phase2(
      replacing: "batch_mode: truncate_episodes", with: "batch_mode: complete_episodes")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:115:15: trainer.batch_mode: expected 'truncate_episodes' (the only batch "
        + "mode Economist supports), found 'complete_episodes'")
  }

  @Test func bothCustomOptionsAndCustomModelConfigIsAnError() {
    let yaml = Self.phase2(
      replacing: "    custom_model: keras_conv_lstm\n    custom_model_config:\n      fc_dim: 256",
      with:
        "    custom_model: keras_conv_lstm\n    custom_options: {fc_dim: 256}\n"
        + "    custom_model_config:\n      fc_dim: 256")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:102:21: planner_policy.model.custom_options: both 'custom_options' and "
        + "'custom_model_config' are given; keep one ('custom_options' is RLlib's older name for "
        + "'custom_model_config')")
  }

  @Test func trainingARandomPlannerIsAnError() {
    let yaml = Self.phase2(
      replacing: "    custom_model: keras_conv_lstm\n    custom_model_config:\n      fc_dim: 256",
      with: "    custom_model: random\n    custom_model_config:\n      fc_dim: 256")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:59:18: general.train_planner: the random model has nothing to train; set "
        + "planner_policy.model.custom_model or general.train_planner: false")
  }

  @Test func stopMetricNeedsStopValue() {
    let yaml = Self.phase2(
      replacing: "  train_planner: true",
      with: "  train_planner: true\n  stop_metric: social/equality")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:60:16: general.stop_metric: missing 'stop_value' (the value that ends the "
        + "run); give both or neither")
  }

  @Test func schedulesNeedIncreasingSteps() {
    let yaml = Self.phase2(replacing: "  - - 0\n", with: "  - - 60000000\n")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:91:7: planner_policy.entropy_coeff_schedule[1][0]: expected a step >= "
        + "60000000 (steps never decrease), found 50000000")
  }

  @Test func vfShareLayersInBothPlacesMustAgree() {
    let yaml = Self.phase2(
      replacing: "  vf_loss_coeff: 0.05\nplanner_policy:",
      with: "  vf_loss_coeff: 0.05\n  vf_share_layers: true\nplanner_policy:")
    #expect(
      Self.errorText(yaml)
        == "config.yaml:81:22: agent_policy.model.vf_share_layers: expected true as in "
        + "agent_policy.vf_share_layers, found false; give it in one place")
  }

  @Test func sizesThatWouldOverflowOrExhaustMemoryAreBounded() throws {
    let batch = try #require(
      Self.errorText(Self.phase2(replacing: "train_batch_size: 6000", with: "train_batch_size: 9223372036854775807")))
    #expect(
      batch.hasSuffix("trainer.train_batch_size: expected a value in 1...100000000, found 9223372036854775807"),
      "\(batch)")
    let envs = try #require(
      Self.errorText(Self.phase2(replacing: "num_envs_per_worker: 2", with: "num_envs_per_worker: 1000")))
    #expect(
      envs.hasSuffix(
        "trainer.num_envs_per_worker: expected at most 4096 environments in all, found num_workers × num_envs_per_worker = 15 × 1000 = 15000"
      ), "\(envs)")
    let wide = Self.envOnly.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    let hiddens = try #require(
      Self.errorText("env:\n\(wide)\nagent_policy:\n  model: {fcnet_hiddens: [100000, 100000]}"))
    #expect(
      hiddens.hasSuffix(
        "agent_policy.model.fcnet_hiddens: expected at most 64 layer sizes in 1...65536, found [100000, 100000]"),
      "\(hiddens)")
  }

  @Test func missingFileIsAnError() {
    let error = #expect(throws: ConfigError.self) {
      try RunConfig.load(path: "/nonexistent/config.yaml")
    }
    #expect(error?.description == "/nonexistent/config.yaml: no such file")
  }

  @Test func severalIssuesAreReportedTogether() {
    var yaml = Self.phase2(replacing: "  n_agents: 4", with: "  n_agents: four")
    yaml = yaml.replacingOccurrences(of: "  gamma: 0.998", with: "  gamma: 1.5")
    yaml = yaml.replacingOccurrences(of: "  num_sgd_iter: 1", with: "  num_sgd_iter: 0")
    yaml = yaml.replacingOccurrences(of: "  multiagent: null", with: "  multiagent: {}")
    #expect(
      Self.errorText(yaml)
        == """
        5 problems in config.yaml:
        - config.yaml:44:13: env.n_agents: expected an integer, found 'four'
        - config.yaml:64:10: agent_policy.gamma: expected a value in 0...1, found 1.5
        - config.yaml:93:10: planner_policy.gamma: expected a value in 0...1, found 1.5
        - config.yaml:121:15: trainer.multiagent: expected null (Economist maps agents to policy \
        'a' and the planner to 'p'), found a mapping
        - config.yaml:126:17: trainer.num_sgd_iter: expected a value in 1...10000, found 0
        """)
  }
}
