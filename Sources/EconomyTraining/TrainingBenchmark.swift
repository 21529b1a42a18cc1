// Whole PPO iterations timed on an environment config: `economist bench train`.

import Basics
import Economy
import EconomyEnv
import EnvContract
import Foundation
import NN
import RL

/// Measures env steps per second of whole PPO iterations (sampling plus learning), their split,
/// the networks' FLOPs per env step and the FLOP rate achieved against this machine's sgemm peak.
public enum TrainingBenchmark {
  /// A model and batch setup to time.
  public enum Setup: String, Sendable, CaseIterable {
    /// RLlib-comparable: `fcnet` [256, 256] for both policies (both trained), train batch 4000,
    /// minibatch 500, 4 epochs, four envs per thread.
    case rllib
    /// Foundation's phase 1: `keras_conv_lstm` (fc 128, LSTM 128, 2 conv, 2 fc) for the agents,
    /// a random planner, train batch 6000, minibatch 1500, 1 epoch, 2 envs per core.
    case paper
  }

  /// What one setup measured.
  public struct Result: Sendable {
    /// The setup.
    public var setup: Setup
    /// Environments.
    public var envs: Int
    /// Threads.
    public var threads: Int
    /// Timed iterations (after one untimed warm-up iteration).
    public var iterations: Int
    /// Env steps per iteration, all envs together.
    public var stepsPerIteration: Int
    /// Env steps per second over whole iterations.
    public var envStepsPerSecond: Double
    /// Mean seconds per iteration spent sampling.
    public var sampleSeconds: Double
    /// Mean seconds per iteration spent learning.
    public var learnSeconds: Double
    /// Network FLOPs per env step while sampling.
    public var samplingFLOPsPerEnvStep: Int
    /// Network FLOPs per env step while learning (forward and backward, every epoch).
    public var learningFLOPsPerEnvStep: Int
    /// This machine's sgemm peak on `threads` threads (1024² matrices), measured in the same run.
    public var sgemmPeakGFLOPs: Double
    /// Peak resident set size of the process.
    public var peakRSSMiB: Double
    /// The kernel set OpenBLAS chose (``BLAS/coreName``).
    public var blasCore: String = BLAS.coreName
    /// The kernel set this CPU could run faster, when OpenBLAS chose an older one
    /// (``BLAS/betterCoreType(cpuFlags:)``).
    public var betterBLASCore: String? = BLAS.betterCoreType()

    /// Network FLOPs per env step, sampling and learning.
    public var flopsPerEnvStep: Int { samplingFLOPsPerEnvStep + learningFLOPsPerEnvStep }
    /// GFLOP/s achieved over whole iterations.
    public var gflopsAchieved: Double { Double(flopsPerEnvStep) * envStepsPerSecond / 1e9 }
    /// Env steps per second if the networks ran at the sgemm peak and nothing else took time.
    public var flopCeilingStepsPerSecond: Double { sgemmPeakGFLOPs * 1e9 / Double(max(1, flopsPerEnvStep)) }
    /// `envStepsPerSecond` as a fraction of ``flopCeilingStepsPerSecond``.
    public var fractionOfCeiling: Double { envStepsPerSecond / flopCeilingStepsPerSecond }

    /// Why these kernels, when OpenBLAS's own choice was replaced or could be.
    var blasCoreNote: String {
      if let chosen = BLAS.replacedCoreName { return " (OPENBLAS_CORETYPE set by economist: OpenBLAS chose \(chosen))" }
      return betterBLASCore.map { " (this CPU can run \($0): set OPENBLAS_CORETYPE=\($0))" } ?? ""
    }

    /// One JSON object.
    public var json: String {
      String(
        format: #"{"setup": "%@", "env_steps_per_s": %.1f, "sample_s": %.3f, "learn_s": %.3f, "#
          + #""steps_per_iteration": %d, "iterations": %d, "envs": %d, "threads": %d, "#
          + #""flops_per_env_step": %d, "sampling_flops_per_env_step": %d, "learning_flops_per_env_step": %d, "#
          + #""gflops_achieved": %.2f, "sgemm_peak_gflops": %.2f, "flop_ceiling_env_steps_per_s": %.1f, "#
          + #""fraction_of_ceiling": %.3f, "peak_rss_mib": %.1f, "blas_core": "%@", "better_blas_core": %@}"#,
        setup.rawValue, envStepsPerSecond, sampleSeconds, learnSeconds, stepsPerIteration, iterations, envs, threads,
        flopsPerEnvStep, samplingFLOPsPerEnvStep, learningFLOPsPerEnvStep, gflopsAchieved, sgemmPeakGFLOPs,
        flopCeilingStepsPerSecond, fractionOfCeiling, peakRSSMiB, blasCore, betterBLASCore.map { "\"\($0)\"" } ?? "null"
      )
    }

    /// Lines for a terminal.
    public var text: String {
      """
      setup \(setup.rawValue): \(envs) envs, \(threads) threads, \(stepsPerIteration) env steps per iteration, \
      \(iterations) timed iterations
        env steps/s (sampling + learning): \(String(format: "%.0f", envStepsPerSecond))
        per iteration: sample \(String(format: "%.2f", sampleSeconds)) s, learn \(String(format: "%.2f", learnSeconds)) s
        network FLOPs per env step: \(String(format: "%.1f", Double(flopsPerEnvStep) / 1e6)) M \
      (sampling \(String(format: "%.1f", Double(samplingFLOPsPerEnvStep) / 1e6)) M, \
      learning \(String(format: "%.1f", Double(learningFLOPsPerEnvStep) / 1e6)) M)
        achieved: \(String(format: "%.1f", gflopsAchieved)) GFLOP/s of a \
      \(String(format: "%.1f", sgemmPeakGFLOPs)) GFLOP/s sgemm peak \
      (\(String(format: "%.0f", fractionOfCeiling * 100))% of the FLOP-bound ceiling, \
      \(String(format: "%.0f", flopCeilingStepsPerSecond)) env steps/s)
        peak RSS: \(String(format: "%.1f", peakRSSMiB)) MiB
        OpenBLAS kernels: \(blasCore)\(blasCoreNote)
      """
    }
  }

  /// The training settings of `setup` for `envs` environments.
  public static func trainingConfig(_ setup: Setup, envs: Int) -> TrainingConfig {
    var config = TrainingConfig()
    config.trainer.numWorkers = 1
    config.trainer.numEnvsPerWorker = envs
    config.trainer.seed = 1
    switch setup {
    case .rllib:
      config.general.trainPlanner = true
      for policy in [\TrainingConfig.agentPolicy, \TrainingConfig.plannerPolicy] {
        config[keyPath: policy].model.kind = .fcnet
        config[keyPath: policy].model.hiddens = [256, 256]
      }
      config.trainer.trainBatchSize = 4000
      config.trainer.sgdMinibatchSize = 500
      config.trainer.numSGDIter = 4
    case .paper:
      config.general.trainPlanner = false
      var policy = PolicyConfig()
      policy.model.kind = .kerasConvLSTM
      policy.model.fcDim = 128
      policy.model.lstmCellSize = 128
      policy.model.numConv = 2
      policy.model.numFC = 2
      policy.model.maxSeqLen = 25
      policy.lr = 3e-4
      policy.entropyCoeff = 0.025
      policy.gamma = 0.998
      policy.lambda = 0.98
      policy.vfClipParam = 50
      policy.vfLossCoeff = 0.05
      policy.gradClip = 10
      policy.klCoeff = 0
      config.agentPolicy = policy
      config.plannerPolicy = policy
      config.plannerPolicy.model.kind = .random
      config.trainer.trainBatchSize = 6000
      config.trainer.sgdMinibatchSize = 1500
      config.trainer.numSGDIter = 1
    }
    // One fragment per env per iteration: exactly the train batch.
    config.trainer.rolloutFragmentLength = (config.trainer.trainBatchSize + envs - 1) / envs
    return config
  }

  /// Times `setup` on `environment`: one warm-up iteration, then whole iterations until
  /// `seconds` have passed (at least `minIterations`).
  ///
  /// `envs` defaults to four per thread for `rllib` (bigger inference batches; RLlib's own
  /// number is for one env) and to Foundation's 30 for `paper` (15 workers × 2 envs, 200-step
  /// fragments: `scenarios/phase1.yaml`'s layout).
  ///
  /// - Throws: ``EnvError`` or ``TrainingError`` when the env or the trainer cannot be built.
  public static func run(
    environment: Environment, setup: Setup, threads: Int, envs: Int? = nil, seconds: Double, minIterations: Int = 2
  ) throws -> Result {
    let envs = envs ?? (setup == .rllib ? 4 * threads : CurriculumTimeline.foundationEnvs)
    let peak = BLAS.measurePeakGFLOPs(size: 1024, threads: threads, seconds: 1)
    let pool = WorkerPool(threads: threads)
    let vector = try EconomyVectorEnv(
      environment: environment, envs: envs, threads: threads, keepDenseLogs: false, pool: pool)
    var config = trainingConfig(setup, envs: envs)
    config.trainer.shards = threads  // a speed measurement: every thread works
    let trainer = try Trainer(env: vector, config: config, seed: 1, pool: pool)
    _ = try trainer.step()
    var sample = 0.0
    var learn = 0.0
    var iterations = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    while iterations < minIterations || elapsed < seconds {
      let result = try trainer.step()
      sample += result.sampleSeconds
      learn += result.learnSeconds
      iterations += 1
      elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    let perIteration = trainer.stepsPerIteration * envs
    let flops = trainer.flopsPerEnvStep
    return Result(
      setup: setup, envs: envs, threads: pool.threads, iterations: iterations, stepsPerIteration: perIteration,
      envStepsPerSecond: Double(perIteration * iterations) / elapsed, sampleSeconds: sample / Double(iterations),
      learnSeconds: learn / Double(iterations), samplingFLOPsPerEnvStep: flops.sampling,
      learningFLOPsPerEnvStep: flops.learning, sgemmPeakGFLOPs: peak, peakRSSMiB: EnvBenchmark.peakRSSMiB())
  }
}
