/// Where each observation field lives in the flat observation vectors, in Foundation's
/// flattened order: every non-spatial field (scalars count as 1) concatenated in sorted key order
/// (byte order, so upper case sorts before lower case), as Foundation's `flat` key.
///
/// Spatial fields (`world-map`, `world-idx_map`) are kept apart, with the shapes given here.
/// `time` appears in `flat` and, as in Foundation, also under its own key.
public struct ObservationLayout: Sendable {
  /// One field of a flat vector.
  public struct Entry: Sendable, Equatable {
    /// Foundation's key, e.g.
    ///
    /// `Build-build_payment`.
    public let key: String
    /// Offset in the flat vector.
    public let offset: Int
    /// Number of values.
    public let size: Int
    /// Whether Foundation presents the field as a scalar (shape `[]`).
    public let isScalar: Bool
  }

  /// Each mobile agent's `flat` fields.
  public let mobile: [Entry]
  /// The mobile fields in Foundation's unflattened order (`flatten_observations: false`).
  ///
  /// The scenario's location and inventory come first, then `time`, then each component's
  /// fields in declaration order. Offsets are those of the flat vector.
  public let mobileRaw: [Entry]
  /// The planner fields in Foundation's unflattened order (inventory, `time`, components).
  public let plannerRaw: [Entry]
  /// The fields of `p<i>` in Foundation's unflattened order (inventory, location, components).
  public let perAgentRaw: [Entry]
  /// The planner's `flat` fields.
  public let planner: [Entry]
  /// The fields of the planner's per-agent entries `p<i>`.
  public let perAgent: [Entry]
  /// Shape of each mobile agent's `world-map`: `[channels, rows, cols]`, or nil in a scenario
  /// without a map.
  public let mobileMapShape: [Int]?
  /// Shape of each mobile agent's `world-idx_map`: `[2, rows, cols]`, or nil without a map.
  public let mobileIndexShape: [Int]?
  /// Shape of the planner's `world-map`, or nil without spatial information.
  public let plannerMapShape: [Int]?
  /// Shape of the planner's `world-idx_map`, or nil without spatial information.
  public let plannerIndexShape: [Int]?
  /// Names of the map channels, in order (mobile agents in window mode have one more channel:
  /// 1 inside the world, 0 in the padding).
  public let channelNames: [String]
  let offsets: [Int]

  /// Length of a mobile agent's `flat` vector.
  public var mobileFlatSize: Int { mobile.last.map { $0.offset + $0.size } ?? 0 }
  /// Length of the planner's `flat` vector.
  public var plannerFlatSize: Int { planner.last.map { $0.offset + $0.size } ?? 0 }
  /// Length of each `p<i>` vector.
  public var perAgentSize: Int { perAgent.last.map { $0.offset + $0.size } ?? 0 }
  /// Values in one mobile agent's map (0 without a map).
  public var mobileMapSize: Int { mobileMapShape?.reduce(1, *) ?? 0 }
  /// Values in one mobile agent's index map (0 without a map).
  public var mobileIndexSize: Int { mobileIndexShape?.reduce(1, *) ?? 0 }
  /// Values in the planner's map (0 without spatial information).
  public var plannerMapSize: Int { plannerMapShape?.reduce(1, *) ?? 0 }
  /// Values in the planner's index map (0 without spatial information).
  public var plannerIndexSize: Int { plannerIndexShape?.reduce(1, *) ?? 0 }

  init(
    fields: [ObservationFieldSpec], mobileMapShape: [Int]?, mobileIndexShape: [Int]?, plannerMapShape: [Int]?,
    channelNames: [String]
  ) {
    var offsets = [Int](repeating: 0, count: fields.count)
    func build(_ owner: ObservationOwner) -> [Entry] {
      let chosen = fields.indices.filter { fields[$0].owner == owner }
        .sorted { Array(fields[$0].key.utf8).lexicographicallyPrecedes(Array(fields[$1].key.utf8)) }
      var entries: [Entry] = []
      var offset = 0
      for i in chosen {
        offsets[i] = offset
        entries.append(Entry(key: fields[i].key, offset: offset, size: fields[i].size, isScalar: fields[i].isScalar))
        offset += fields[i].size
      }
      return entries
    }
    mobile = build(.mobile)
    planner = build(.planner)
    perAgent = build(.plannerPerAgent)
    // Foundation's scenario writes `world-loc-*` before `world-inventory-*` for mobile agents and
    // after it in the planner's per-agent entries; `time` follows the scenario's keys.
    func raw(_ owner: ObservationOwner, _ flat: [Entry]) -> [Entry] {
      func group(_ key: String) -> Int {
        if key.hasPrefix("world-loc-") { return owner == .mobile ? 0 : 1 }
        if key.hasPrefix("world-") { return owner == .mobile ? 1 : 0 }
        return key == "time" ? 2 : 3
      }
      let declared = fields.indices.filter { fields[$0].owner == owner }
      return declared.sorted { (group(fields[$0].key), $0) < (group(fields[$1].key), $1) }
        .compactMap { i in flat.first { $0.offset == offsets[i] && $0.key == fields[i].key } }
    }
    mobileRaw = raw(.mobile, mobile)
    plannerRaw = raw(.planner, planner)
    perAgentRaw = raw(.plannerPerAgent, perAgent)
    self.offsets = offsets
    self.mobileMapShape = mobileMapShape
    self.mobileIndexShape = mobileIndexShape
    self.plannerMapShape = plannerMapShape
    self.plannerIndexShape = plannerMapShape.map { [2, $0[1], $0[2]] }
    self.channelNames = channelNames
  }

  /// The entry of a mobile field, by key.
  public func mobileEntry(_ key: String) -> Entry? { mobile.first { $0.key == key } }
  /// The entry of a planner field, by key.
  public func plannerEntry(_ key: String) -> Entry? { planner.first { $0.key == key } }
}

/// The action spaces of mobile agents and the planner, and the layout of their flattened masks.
///
/// In single-action mode an agent picks one index over all subspaces: index 0 is the universal
/// NO-OP and the subspaces follow in component order (the mask has the same layout). In
/// multi-action mode it picks one sub-action per subspace (a `MultiDiscrete` space) and the
/// flattened mask is each subspace's `[NO-OP] + actions` in turn. An agent with no actions gets
/// Foundation's one-action `PassiveAgentPlaceholder`.
public struct ActionLayout: Sendable {
  /// Mobile agents' subspaces, in order.
  public let mobile: [ActionSubspaceSpec]
  /// The planner's subspaces, in order.
  public let planner: [ActionSubspaceSpec]
  /// Whether mobile agents act in multi-action mode.
  public let multiActionMobile: Bool
  /// Whether the planner acts in multi-action mode.
  public let multiActionPlanner: Bool
  /// Mobile subspaces (indices into ``mobile``) in the order of Foundation's unflattened mask
  /// dict.
  public let mobileMaskDictOrder: [Int]
  /// Planner subspaces in the order of Foundation's unflattened mask dict.
  public let plannerMaskDictOrder: [Int]
  /// Offset of each mobile subspace's first (non-NO-OP) entry in the flattened mask.
  public let mobileMaskOffsets: [Int]
  /// Offset of each planner subspace's first entry in the flattened mask.
  public let plannerMaskOffsets: [Int]
  /// Length of a mobile agent's flattened mask.
  public let mobileMaskSize: Int
  /// Length of the planner's flattened mask.
  public let plannerMaskSize: Int

  init(
    mobile: [ActionSubspaceSpec], planner: [ActionSubspaceSpec], multiMobile: Bool, multiPlanner: Bool,
    mobileMaskDictOrder: [Int]? = nil, plannerMaskDictOrder: [Int]? = nil
  ) {
    self.mobile = mobile
    self.planner = planner
    self.mobileMaskDictOrder = mobileMaskDictOrder ?? Array(mobile.indices)
    self.plannerMaskDictOrder = plannerMaskDictOrder ?? Array(planner.indices)
    multiActionMobile = multiMobile
    multiActionPlanner = multiPlanner
    (mobileMaskOffsets, mobileMaskSize) = ActionLayout.offsets(mobile, multi: multiMobile)
    (plannerMaskOffsets, plannerMaskSize) = ActionLayout.offsets(planner, multi: multiPlanner)
  }

  static func offsets(_ specs: [ActionSubspaceSpec], multi: Bool) -> ([Int], Int) {
    guard !specs.isEmpty else { return ([], 1) }
    var offsets: [Int] = []
    var position = multi ? 0 : 1
    for s in specs {
      if multi { position += 1 }
      offsets.append(position)
      position += s.count
    }
    return (offsets, position)
  }

  /// Positions of NO-OP entries in a flattened mask (always 1).
  static func noopPositions(_ specs: [ActionSubspaceSpec], multi: Bool) -> [Int] {
    guard !specs.isEmpty, multi else { return [0] }
    let (offsets, _) = ActionLayout.offsets(specs, multi: true)
    return offsets.map { $0 - 1 }
  }

  /// Number of actions of a mobile agent in single-action mode (`Discrete(n)`), NO-OP included.
  public var mobileActionCount: Int { 1 + mobile.reduce(0) { $0 + $1.count } }
  /// Number of actions of the planner in single-action mode, NO-OP included.
  public var plannerActionCount: Int { 1 + planner.reduce(0) { $0 + $1.count } }
  /// Mobile `MultiDiscrete` sizes (`[1]` for the placeholder).
  public var mobileNvec: [Int] { mobile.isEmpty ? [1] : mobile.map { $0.count + 1 } }
  /// Planner `MultiDiscrete` sizes (`[1]` for the placeholder).
  public var plannerNvec: [Int] { planner.isEmpty ? [1] : planner.map { $0.count + 1 } }

  /// Maps a single-action index to `(subspace, sub-action)`; index 0 (NO-OP) gives nil.
  public static func decode(_ index: Int, specs: [ActionSubspaceSpec]) -> (subspace: Int, action: Int)? {
    guard index > 0 else { return nil }
    var rest = index - 1
    for (i, s) in specs.enumerated() {
      if rest < s.count { return (i, rest + 1) }
      rest -= s.count
    }
    return nil
  }

  /// The single-action index of `(subspace, sub-action)`.
  public static func encode(subspace: Int, action: Int, specs: [ActionSubspaceSpec]) -> Int {
    guard action > 0 else { return 0 }
    var index = 0
    for i in 0..<subspace { index += specs[i].count }
    return index + action
  }
}
