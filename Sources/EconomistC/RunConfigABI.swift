// `economist_run_config`: a Foundation run config read by the same code as `economist train`,
// returned as JSON with RLlib's key names, so that Python trainers (economist.rllib) see exactly
// the values, defaults and errors the Swift trainer sees.

import ABISupport
import Basics
import Economy
import EconomyEnv
import EnvContract

/// Reads run config text (YAML or JSON: an env section alone or a full run config with
/// `general`, `agent_policy`, `planner_policy`, `trainer`) and returns its JSON:
/// `{"env": {...}, "general": {...}, "agent_policy": {...}, "planner_policy": {...},
/// "trainer": {...}, "warnings": [...]}` with every default filled in; `origin` names the file
/// in errors and anchors relative layout paths (may be NULL).
///
/// Returns NULL with the error set and its code in `*status` when `status` is not NULL
/// (`ECONOMIST_CONFIG`, every problem of every section located).
@_cdecl("economist_run_config")
public func economistRunConfig(
  _ config: UnsafePointer<CChar>?, _ origin: UnsafePointer<CChar>?, _ statusOut: UnsafeMutablePointer<Int32>?
) -> UnsafeMutablePointer<CChar>? {
  var code = Status.ok.rawValue
  defer { statusOut?.pointee = code }
  guard let config else {
    code = fail(.argument, "economist_run_config: the config text is NULL")
    return nil
  }
  do {
    let run = try RunConfig.parse(yaml: String(cString: config), file: origin.map { String(cString: $0) })
    clearError()
    return cString(json: JSONWriter.serialize(runConfigJSON(run)))
  } catch {
    code = fail(.config, error.description)
    return nil
  }
}

/// The JSON form of `run`: RLlib's key names, every default filled in.
func runConfigJSON(_ run: RunConfig) -> JSONValue {
  let t = run.training
  let env = JSONObject([
    ("episode_length", .int(Int64(run.env.episodeLength))),
    ("n_agents", .int(Int64(run.env.agentCount))),
    ("dense_log_frequency", run.env.denseLogFrequency.map { .int(Int64($0)) } ?? .null),
    ("multi_action_mode_agents", .bool(run.env.multiActionModeAgents)),
    ("multi_action_mode_planner", .bool(run.env.multiActionModePlanner)),
  ])
  let general = JSONObject([
    ("episodes", optional(t.general.episodes)),
    ("train_planner", .bool(t.general.trainPlanner)),
    ("ckpt_frequency_steps", .int(Int64(t.general.ckptFrequencySteps))),
    ("restore_tf_weights_agents", t.general.restoreAgents.map(JSONValue.string) ?? .null),
    ("restore_tf_weights_planner", t.general.restorePlanner.map(JSONValue.string) ?? .null),
    ("max_env_steps", optional(t.general.maxEnvSteps)),
    ("max_wall_seconds", t.general.maxWallSeconds.map(JSONValue.double) ?? .null),
    ("stop_metric", t.general.stopMetric.map(JSONValue.string) ?? .null),
    ("stop_value", t.general.stopValue.map(JSONValue.double) ?? .null),
  ])
  let trainer = JSONObject([
    ("num_workers", .int(Int64(t.trainer.numWorkers))),
    ("num_envs_per_worker", .int(Int64(t.trainer.numEnvsPerWorker))),
    ("threads", optional(t.trainer.threads)),
    ("rollout_fragment_length", .int(Int64(t.trainer.rolloutFragmentLength))),
    ("train_batch_size", .int(Int64(t.trainer.trainBatchSize))),
    ("sgd_minibatch_size", .int(Int64(t.trainer.sgdMinibatchSize))),
    ("num_sgd_iter", .int(Int64(t.trainer.numSGDIter))),
    ("shuffle_sequences", .bool(t.trainer.shuffleSequences)),
    ("seed", t.trainer.seed.map { .int(Int64(bitPattern: $0)) } ?? .null),
    ("metrics_smoothing_episodes", optional(t.trainer.metricsSmoothingEpisodes)),
  ])
  return .object(
    JSONObject([
      ("env", .object(env)),
      ("general", .object(general)),
      ("agent_policy", .object(policyJSON(t.agentPolicy))),
      ("planner_policy", .object(policyJSON(t.plannerPolicy))),
      ("trainer", .object(trainer)),
      ("warnings", .array(run.warnings.map(JSONValue.string))),
    ]))
}

/// One policy section, RLlib's names.
private func policyJSON(_ p: PolicyConfig) -> JSONObject {
  let m = p.model
  let model = JSONObject([
    ("custom_model", .string(m.kind.rawValue)),
    ("fcnet_hiddens", .array(m.hiddens.map { .int(Int64($0)) })),
    ("fcnet_activation", .string(m.activation.rawValue)),
    ("max_seq_len", .int(Int64(m.maxSeqLen))),
    ("vf_share_layers", .bool(m.vfShareLayers)),
    (
      "custom_model_config",
      .object(
        JSONObject([
          ("fc_dim", .int(Int64(m.fcDim))), ("lstm_cell_size", .int(Int64(m.lstmCellSize))),
          ("num_conv", .int(Int64(m.numConv))), ("num_fc", .int(Int64(m.numFC))),
          ("idx_emb_dim", .int(Int64(m.idxEmbDim))), ("input_emb_vocab", .int(Int64(m.inputEmbVocab))),
        ]))
    ),
  ])
  return JSONObject([
    ("clip_param", .double(p.clipParam)),
    ("vf_clip_param", .double(p.vfClipParam)),
    ("vf_loss_coeff", .double(p.vfLossCoeff)),
    ("entropy_coeff", .double(p.entropyCoeff)),
    ("entropy_coeff_schedule", schedule(p.entropyCoeffSchedule)),
    ("gamma", .double(p.gamma)),
    ("lambda", .double(p.lambda)),
    ("use_gae", .bool(p.useGAE)),
    ("lr", .double(p.lr)),
    ("lr_schedule", schedule(p.lrSchedule)),
    ("grad_clip", p.gradClip.map(JSONValue.double) ?? .null),
    ("kl_coeff", .double(p.klCoeff)),
    ("kl_target", .double(p.klTarget)),
    ("model", .object(model)),
  ])
}

/// `[[step, value], ...]`, or null.
private func schedule(_ s: Schedule?) -> JSONValue {
  guard let s else { return .null }
  return .array(s.points.map { .array([.int(Int64($0.step)), .double($0.value)]) })
}

/// An optional integer, or null.
private func optional(_ value: Int?) -> JSONValue {
  value.map { .int(Int64($0)) } ?? .null
}
