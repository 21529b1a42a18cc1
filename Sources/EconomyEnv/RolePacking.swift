import Economy
import EnvContract

/// How one role's observation (mobile agents' or the planner's) is presented to learners:
/// Foundation's observation `Dict` space, and where each of its entries comes from in the
/// environment's buffers.
///
/// With `flatten_observations` (Foundation's default) the entries are the maps, `time`, the
/// sorted `flat` vector, the planner's `p<i>` vectors and `action_mask`; without it every field
/// appears under its own key in Foundation's unflattened order, the planner's `p<i>` as nested
/// dicts. With `flatten_masks: false` the mask is a dict of per-subspace int64 vectors (NO-OP
/// entries left out), in Foundation's mask-dict order.
struct RolePacking: Sendable {
  /// Where an entry's values come from.
  enum Source: Sendable, Equatable {
    /// The role's map (`[C × h × w]`).
    case map
    /// The role's index map (`[2 × h × w]`, Int16).
    case index
    /// A segment of the role's flat vector starting at the offset.
    case flat(Int)
    /// A segment of the planner's `p<agent>` vector starting at the offset.
    case perAgent(agent: Int, offset: Int)
  }

  /// A top-level entry of the observation dict other than the mask.
  enum Item: Sendable {
    /// One field.
    case leaf(Int)
    /// A nested dict of fields.
    case nested(String, [Int])
  }

  let isPlanner: Bool
  let observationSpace: Space
  let actionSpace: Space
  /// Slab fields (nested entries written `outer/inner`), in row order.
  let fields: [PolicyBatchSpec.Field]
  /// The copies that write a row, one per field.
  let ops: [CopyOp]
  let items: [Item]
  /// Offsets and lengths in the flattened mask of the mask dict's entries, or nil for a
  /// flattened mask.
  let maskDict: [(key: String, offset: Int, count: Int)]?
  let maskSize: Int
  let flatSize: Int
  let perAgentSize: Int
  let mapSize: Int
  let indexSize: Int

  init(environment env: Environment, planner: Bool) {
    let o = env.observationLayout
    let a = env.actionLayout
    let config = env.config
    let flatSize = planner ? o.plannerFlatSize : o.mobileFlatSize
    let perAgentSize = o.perAgentSize
    let mapSize = planner ? o.plannerMapSize : o.mobileMapSize
    isPlanner = planner
    self.flatSize = flatSize
    self.perAgentSize = perAgentSize
    self.mapSize = mapSize
    indexSize = planner ? o.plannerIndexSize : o.mobileIndexSize
    var builder = Builder(perAgentSize: perAgentSize)
    let mapShape = planner ? o.plannerMapShape : o.mobileMapShape
    let indexShape = planner ? o.plannerIndexShape : o.mobileIndexShape
    func addMaps() {
      guard mapSize > 0, let mapShape, let indexShape else { return }
      builder.leaf("world-map", mapShape, .float32, .map)
      builder.leaf("world-idx_map", indexShape, .int16, .index)
    }
    let entries = planner ? o.planner : o.mobile
    if config.flattenObservations {
      addMaps()
      if let time = entries.first(where: { $0.key == "time" }) {
        builder.leaf("time", [1], .float64, .flat(time.offset))
      }
      builder.leaf("flat", [flatSize], .float32, .flat(0))
      if planner && perAgentSize > 0 {
        for i in 0..<env.agentCount { builder.leaf("p\(i)", [perAgentSize], .float32, .perAgent(agent: i, offset: 0)) }
      }
    } else {
      let raw = planner ? o.plannerRaw : o.mobileRaw
      func shape(_ e: ObservationLayout.Entry) -> [Int] { e.isScalar ? [] : [e.size] }
      // Mobile agents: maps first; planner: its inventory, then the maps.
      let leading = planner ? raw.prefix { $0.key.hasPrefix("world-") } : []
      if !planner { addMaps() }
      for e in leading { builder.leaf(e.key, shape(e), .float64, .flat(e.offset)) }
      if planner { addMaps() }
      for e in raw.dropFirst(leading.count) { builder.leaf(e.key, shape(e), .float64, .flat(e.offset)) }
      if planner && perAgentSize > 0 {
        for i in 0..<env.agentCount {
          builder.nested(
            "p\(i)", o.perAgentRaw.map { ($0.key, shape($0), Source.perAgent(agent: i, offset: $0.offset)) })
        }
      }
    }
    let specs = planner ? a.planner : a.mobile
    let maskSize = planner ? a.plannerMaskSize : a.mobileMaskSize
    self.maskSize = maskSize
    if config.flattenMasks {
      maskDict = nil
      builder.spaces.append(("action_mask", .box(.unbounded([maskSize], .float32))))
    } else {
      let offsets = planner ? a.plannerMaskOffsets : a.mobileMaskOffsets
      let order = planner ? a.plannerMaskDictOrder : a.mobileMaskDictOrder
      // A role without actions has no component masks: Foundation's mask dict is empty.
      let parts = order.map { (key: specs[$0].name, offset: offsets[$0], count: specs[$0].count) }
      maskDict = parts
      builder.spaces.append(
        ("action_mask", .dict(DictSpace(parts.map { ($0.key, .box(.unbounded([$0.count], .int64))) }))))
    }
    observationSpace = .dict(DictSpace(builder.spaces))
    let multi = planner ? a.multiActionPlanner : a.multiActionMobile
    if multi {
      actionSpace = .multiDiscrete(planner ? a.plannerNvec : a.mobileNvec)
    } else {
      actionSpace = .discrete(planner ? a.plannerActionCount : a.mobileActionCount)
    }
    fields = builder.fields
    ops = builder.ops
    items = builder.items
  }

  /// Accumulates entries in order.
  private struct Builder {
    var spaces: [(String, Space)] = []
    var fields: [PolicyBatchSpec.Field] = []
    var ops: [CopyOp] = []
    let perAgentSize: Int
    var items: [Item] = []
    var offset = 0

    mutating func field(_ key: String, _ shape: [Int], _ dtype: DType, _ source: Source) -> Int {
      fields.append(PolicyBatchSpec.Field(key: key, offset: offset, shape: shape, dtype: dtype))
      ops.append(CopyOp(source, perAgentSize: perAgentSize, destination: offset, count: shape.reduce(1, *)))
      offset += shape.reduce(1, *)
      return fields.count - 1
    }

    mutating func leaf(_ key: String, _ shape: [Int], _ dtype: DType, _ source: Source) {
      items.append(.leaf(field(key, shape, dtype, source)))
      spaces.append((key, .box(.unbounded(shape, dtype))))
    }

    mutating func nested(_ key: String, _ parts: [(String, [Int], Source)]) {
      let indices = parts.map { field("\(key)/\($0.0)", $0.1, .float64, $0.2) }
      items.append(.nested(key, indices))
      spaces.append((key, .dict(DictSpace(parts.map { ($0.0, .box(.unbounded($0.1, .float64))) }))))
    }
  }

  /// Values in a slab row.
  var observationSize: Int { fields.last.map { $0.offset + $0.count } ?? 0 }
}

// MARK: - Writing slab rows

/// One contiguous copy from an observation buffer into a slab row.
struct CopyOp: Sendable {
  /// Which buffer: the role's map, index map, flat vector, or the planner's `p<i>` vectors.
  enum Kind: UInt8, Sendable {
    case map, index, flat, perAgent
  }
  let kind: Kind
  /// Offset in the buffer (for mobile agents, within the agent's part).
  let source: Int
  /// Offset in the row.
  let destination: Int
  let count: Int

  init(kind: Kind, source: Int, destination: Int, count: Int) {
    self.kind = kind
    self.source = source
    self.destination = destination
    self.count = count
  }

  /// The copy of `count` values from `source` to `destination` in the row.
  init(_ source: RolePacking.Source, perAgentSize: Int, destination: Int, count: Int) {
    switch source {
    case .map: self.init(kind: .map, source: 0, destination: destination, count: count)
    case .index: self.init(kind: .index, source: 0, destination: destination, count: count)
    case .flat(let o): self.init(kind: .flat, source: o, destination: destination, count: count)
    case .perAgent(let i, let o):
      self.init(kind: .perAgent, source: i * perAgentSize + o, destination: destination, count: count)
    }
  }
}

extension RolePacking {
  /// Writes a row with `ops` for agent `agent` (a mobile agent index, ignored for the planner).
  ///
  /// - Complexity: O(row length); no allocation, no reference counting.
  static func writeRow(
    _ ops: UnsafeBufferPointer<CopyOp>, _ obs: ObservationPointers, planner: Bool, agent: Int, sizes: RowSizes,
    to dst: UnsafeMutablePointer<Float>
  ) {
    for op in ops {
      let out = dst + op.destination
      switch op.kind {
      case .map:
        guard let src = planner ? obs.plannerMap : obs.mobileMap else { continue }
        out.update(from: src + (planner ? 0 : agent * sizes.map) + op.source, count: op.count)
      case .index:
        guard let src = planner ? obs.plannerIndex : obs.mobileIndex else { continue }
        let from = src + (planner ? 0 : agent * sizes.index) + op.source
        for i in 0..<op.count { out[i] = Float(from[i]) }
      case .flat:
        guard let src = planner ? obs.plannerFlat : obs.mobileFlat else { continue }
        out.update(from: src + (planner ? 0 : agent * sizes.flat) + op.source, count: op.count)
      case .perAgent:
        guard let src = obs.perAgent else { continue }
        out.update(from: src + op.source, count: op.count)
      }
    }
  }

  /// Writes agent `agent`'s flattened mask to `dst`.
  static func writeMask(
    _ obs: ObservationPointers, planner: Bool, agent: Int, maskSize: Int, to dst: UnsafeMutablePointer<Float>
  ) {
    guard let src = planner ? obs.plannerMask : obs.mobileMask else { return }
    dst.update(from: src + (planner ? 0 : agent * maskSize), count: maskSize)
  }

  /// Per-agent strides of the mobile buffers.
  var rowSizes: RowSizes { RowSizes(map: mapSize, index: indexSize, flat: flatSize) }
}

/// Per-agent strides of the mobile observation buffers.
struct RowSizes: Sendable {
  let map: Int
  let index: Int
  let flat: Int
}

// MARK: - Dict observations

extension RolePacking {
  /// Agent `agent`'s observation as a dict sample of ``observationSpace``.
  func observation(_ obs: ObservationBuffers, agent: Int) -> Observation {
    var row = [Float](repeating: 0, count: observationSize)
    row.withUnsafeMutableBufferPointer { buffer in
      ops.withUnsafeBufferPointer { ops in
        obs.withPointers { pointers in
          if let p = buffer.baseAddress {
            RolePacking.writeRow(ops, pointers, planner: isPlanner, agent: agent, sizes: rowSizes, to: p)
          }
        }
      }
    }
    func tensor(_ i: Int) -> Tensor {
      let f = fields[i]
      let values = row[f.offset..<(f.offset + f.count)]
      switch f.dtype {
      case .float32: return Tensor(shape: f.shape, storage: .float32(Array(values)))
      case .float64: return Tensor(shape: f.shape, storage: .float64(values.map(Double.init)))
      case .int16: return Tensor(shape: f.shape, storage: .int16(values.map { Int16($0) }))
      case .int64: return Tensor(shape: f.shape, storage: .int64(values.map { Int64($0) }))
      }
    }
    var out = Observation()
    for item in items {
      switch item {
      case .leaf(let i): out.append(fields[i].key, .tensor(tensor(i)))
      case .nested(let key, let indices):
        var inner = Observation()
        for i in indices { inner.append(String(fields[i].key.dropFirst(key.count + 1)), .tensor(tensor(i))) }
        out.append(key, .dict(inner))
      }
    }
    var mask = [Float](repeating: 0, count: maskSize)
    mask.withUnsafeMutableBufferPointer { buffer in
      obs.withPointers { pointers in
        if let p = buffer.baseAddress {
          RolePacking.writeMask(pointers, planner: isPlanner, agent: agent, maskSize: maskSize, to: p)
        }
      }
    }
    if let parts = maskDict {
      var inner = Observation()
      for part in parts {
        let values = mask[part.offset..<(part.offset + part.count)].map { Int64($0) }
        inner.append(part.key, .tensor(Tensor(shape: [part.count], storage: .int64(values))))
      }
      out.append("action_mask", .dict(inner))
    } else {
      out.append("action_mask", .tensor(Tensor(shape: [maskSize], storage: .float32(mask))))
    }
    return out
  }
}
