/// Writes component observation values into the environment's flat observation buffers.
///
/// A writer is only valid during the ``Component/writeObservations(world:into:)`` call it is
/// passed to. Values are stored as `Float` at the field's offset in Foundation's flattened
/// layout (keys sorted, see ``ObservationLayout``).
public struct ObservationWriter {
  let offsets: [Int]
  let mobile: UnsafeMutableBufferPointer<Float>
  let mobileStride: Int
  let planner: UnsafeMutableBufferPointer<Float>
  let perAgent: UnsafeMutableBufferPointer<Float>
  let perAgentStride: Int

  /// Sets a scalar field of mobile agent `agent`.
  @inline(__always) public func set(_ field: ObservationField, agent: Int, _ value: Double) {
    mobile[agent * mobileStride + offsets[field.index]] = Float(value)
  }

  /// Sets element `element` of a vector field of mobile agent `agent`.
  @inline(__always) public func set(_ field: ObservationField, agent: Int, element: Int, _ value: Double) {
    mobile[agent * mobileStride + offsets[field.index] + element] = Float(value)
  }

  /// Sets a scalar field of the planner.
  @inline(__always) public func setPlanner(_ field: ObservationField, _ value: Double) {
    planner[offsets[field.index]] = Float(value)
  }

  /// Sets element `element` of a vector field of the planner.
  @inline(__always) public func setPlanner(_ field: ObservationField, element: Int, _ value: Double) {
    planner[offsets[field.index] + element] = Float(value)
  }

  /// Sets a field of the planner's per-agent entry `p<agent>`.
  @inline(__always) public func setPerAgent(_ field: ObservationField, agent: Int, _ value: Double) {
    perAgent[agent * perAgentStride + offsets[field.index]] = Float(value)
  }
}

/// Writes component action masks into the environment's flattened mask buffers.
///
/// Mask entry `k` of a subspace (0-based) allows sub-action `k + 1`; NO-OP entries are kept at 1
/// by the environment. A writer is only valid during the
/// ``Component/writeMasks(world:completions:into:)`` call it is passed to.
public struct MaskWriter {
  let mobileOffsets: [Int]
  let plannerOffsets: [Int]
  let mobile: UnsafeMutableBufferPointer<Float>
  let mobileStride: Int
  let planner: UnsafeMutableBufferPointer<Float>

  /// Allows (`true`) or forbids sub-action `index + 1` of `subspace` for mobile agent `agent`.
  @inline(__always) public func set(_ subspace: ActionSubspace, agent: Int, index: Int, _ allowed: Bool) {
    mobile[agent * mobileStride + mobileOffsets[subspace.index] + index] = allowed ? 1 : 0
  }

  /// Sets every entry of `subspace` for mobile agent `agent`.
  @inline(__always) public func setAll(_ subspace: ActionSubspace, agent: Int, count: Int, _ allowed: Bool) {
    let base = agent * mobileStride + mobileOffsets[subspace.index]
    let v: Float = allowed ? 1 : 0
    for k in 0..<count { mobile[base + k] = v }
  }

  /// Allows or forbids sub-action `index + 1` of the planner's `subspace`.
  @inline(__always) public func setPlanner(_ subspace: ActionSubspace, index: Int, _ allowed: Bool) {
    planner[plannerOffsets[subspace.index] + index] = allowed ? 1 : 0
  }
}
