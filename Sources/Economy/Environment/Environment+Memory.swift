// What an environment and its dense logs take in memory, for the up-front budget checks.

import Basics

extension Environment {
  /// About how many bytes one environment holds: its map layers and index maps, agents' state,
  /// observation and mask buffers, and 1 KiB per agent for components' state.
  ///
  /// Vectorized environments multiply it by their count before allocating them.
  public var footprintBytes: Double {
    let o = observations
    let floats =
      o.mobileFlat.count + o.mobileMap.count + o.mobileMask.count + o.plannerFlat.count
      + o.plannerMap.count + o.perAgent.count + o.plannerMask.count + world.layers.count
    let shorts =
      o.mobileIndex.count + o.plannerIndex.count + world.houseOwner.count + world.occupant.count
      + world.indexMaps.count
    let doubles = world.inventory.count + world.escrow.count + world.labor.count + world.stateFields.count
    return 4 * Double(floats) + 2 * Double(shorts) + 8 * Double(doubles) + 1024 * Double(world.agentCount + 1)
  }

  /// About how many bytes one episode's dense log takes at most: the recording while the episode
  /// runs (8-byte states and rewards, 4-byte actions, a map snapshot every
  /// `world_dense_log_frequency` steps) and its JSON text when written (32 bytes per recorded
  /// number, 8 per map cell, generous for Foundation's keyed layout).
  public var denseLogBytes: Double {
    let n = Double(world.agentCount)
    let steps = Double(config.episodeLength)
    let states =
      n * Double(DenseLogRecorder.agentWidth(fields: world.stateFieldNames.count))
      + Double(2 * Resource.count)
    let actionCount = Double(actions.mobile.count + actions.planner.count)
    let rewardCount = n + 1
    let recording = steps * (8 * states + 4 * actionCount + 8 * rewardCount)
    let text = 32 * steps * (states + actionCount + rewardCount)
    let snapshots = (steps / Double(config.worldDenseLogFrequency)).rounded(.down) + 2
    let snapshotBytes = snapshots * Double(4 * world.layers.count + 2 * world.houseOwner.count + 8 * world.layers.count)
    return recording + text + snapshotBytes
  }

  /// Why keeping `logs` dense logs at once would pass the memory budget, or nil when it fits
  /// (`for`: what keeps them, in the message).
  public func denseLogMemoryProblem(
    logs: Int, for what: String, limit: (bytes: Double, source: String) = MemoryBudget.limit
  ) -> String? {
    let bytes = Double(logs) * denseLogBytes
    return MemoryBudget.problem(
      bytes: bytes, what: logs == 1 ? "\(what)'s dense log would" : "\(what)'s \(logs) dense logs would",
      detail: "episode_length \(config.episodeLength), \(world.agentCount) agents, a "
        + "\(world.height)×\(world.width) map every \(config.worldDenseLogFrequency) steps",
      advice: "lower episode_length, or keep no dense log", limit: limit)
  }
}
