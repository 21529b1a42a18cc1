// The current state in the dense log's form, for readers between steps (the Python binding's
// `get_agent(i).state` and `world.maps`).

extension Environment {
  /// The current state as a dense log of no steps: `states[0]` holds every agent's state
  /// (`loc`, `inventory`, `escrow`, `endogenous`, component fields) and `world[0]` the maps.
  public func stateSnapshot() -> DenseLogRecording {
    var recorder = DenseLogRecorder()
    recorder.start(world: world, episodeLength: 0, actionsPerStep: 0)
    recorder.recordFinal(world: world)
    return recorder.finish(env: self)
  }
}
