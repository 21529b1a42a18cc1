/// The state of one economy: map layers, agent positions, inventories, escrow and labor, laid
/// out as flat arrays (struct of arrays).
///
/// Conventions:
/// - Tiles are addressed `(row, col)` with row 0 at the top; flat grids are row-major,
///   `index = row * width + col`.
/// - Per-agent arrays are indexed by the agent's index `0..<agentCount`; resource arrays are
///   `agent * Resource.count + resource.rawValue`.
/// - The planner holds an inventory and an escrow too (Foundation reports them), which stay zero
///   in the built-in economy.
///
/// Mutations that keep derived state consistent (occupancy, house owners, the index map used for
/// observations) go through methods; inventories, escrow and labor are plain arrays.
public struct World: Sendable {
  /// Number of rows.
  public let height: Int
  /// Number of columns.
  public let width: Int
  /// Number of mobile agents.
  public let agentCount: Int

  /// All map layers, layer-major: `layers[layer.rawValue * height * width + row * width + col]`.
  public internal(set) var layers: [Float]
  /// The owner of the house on each tile, or -1.
  public internal(set) var houseOwner: [Int16]
  /// The agent standing on each tile, or -1.
  public internal(set) var occupant: [Int16]
  /// Foundation's agent index maps in observation encoding: channel 0 is the house-owner map,
  /// channel 1 the agent-location map; 0 means none and `k + 2` means agent k.
  public internal(set) var indexMaps: [Int16]

  /// Each agent's row.
  public internal(set) var row: [Int32]
  /// Each agent's column.
  public internal(set) var col: [Int32]
  /// Inventories, `agent * Resource.count + resource`.
  public var inventory: [Double]
  /// Escrow (resources set aside for open market orders), same layout as ``inventory``.
  public var escrow: [Double]
  /// Cumulative labor of each agent this episode.
  public var labor: [Double]
  /// The planner's inventory, indexed by resource.
  public var plannerInventory: [Double]
  /// The planner's escrow, indexed by resource.
  public var plannerEscrow: [Double]

  /// Names of the per-agent state fields registered by components (e.g.
  ///
  /// `build_payment`), in
  /// registration order.
  public internal(set) var stateFieldNames: [String] = []
  /// Values of the state fields, `agent * stateFieldNames.count + field`.
  public var stateFields: [Double] = []

  /// The number of completed steps in the current episode.
  public internal(set) var timestep: Int = 0

  /// Running totals of what components created or destroyed, for the conservation checks.
  public var ledger = Ledger()

  /// Creates an empty world of the given size.
  public init(height: Int, width: Int, agentCount: Int) {
    precondition(height > 0 && width > 0 && agentCount > 0, "World needs a positive size")
    self.height = height
    self.width = width
    self.agentCount = agentCount
    let tiles = height * width
    layers = [Float](repeating: 0, count: MapLayer.count * tiles)
    houseOwner = [Int16](repeating: -1, count: tiles)
    occupant = [Int16](repeating: -1, count: tiles)
    indexMaps = [Int16](repeating: 0, count: 2 * tiles)
    row = [Int32](repeating: -1, count: agentCount)
    col = [Int32](repeating: -1, count: agentCount)
    inventory = [Double](repeating: 0, count: agentCount * Resource.count)
    escrow = inventory
    labor = [Double](repeating: 0, count: agentCount)
    plannerInventory = [Double](repeating: 0, count: Resource.count)
    plannerEscrow = plannerInventory
  }

  /// Number of tiles.
  @inline(__always) public var tileCount: Int { height * width }

  /// The flat index of a tile.
  @inline(__always) public func tile(_ r: Int, _ c: Int) -> Int { r * width + c }

  /// Whether `(r, c)` lies inside the world.
  @inline(__always) public func isInside(_ r: Int, _ c: Int) -> Bool {
    r >= 0 && r < height && c >= 0 && c < width
  }

  /// The value of `layer` at `(r, c)`.
  @inline(__always) public func value(_ layer: MapLayer, _ r: Int, _ c: Int) -> Float {
    layers[layer.rawValue * tileCount + r * width + c]
  }

  /// Sets the value of `layer` at `(r, c)`.
  @inline(__always) public mutating func setValue(_ v: Float, _ layer: MapLayer, _ r: Int, _ c: Int) {
    layers[layer.rawValue * tileCount + r * width + c] = v
  }

  /// An agent's inventory of `resource`.
  @inline(__always) public func inventory(_ agent: Int, _ resource: Resource) -> Double {
    inventory[agent * Resource.count + resource.rawValue]
  }

  /// An agent's escrow of `resource`.
  @inline(__always) public func escrow(_ agent: Int, _ resource: Resource) -> Double {
    escrow[agent * Resource.count + resource.rawValue]
  }

  /// Inventory plus escrow: Foundation's `total_endowment`.
  @inline(__always) public func endowment(_ agent: Int, _ resource: Resource) -> Double {
    let i = agent * Resource.count + resource.rawValue
    return inventory[i] + escrow[i]
  }

  /// Adds `amount` (possibly negative) to an agent's inventory.
  @inline(__always) public mutating func addInventory(_ agent: Int, _ resource: Resource, _ amount: Double) {
    inventory[agent * Resource.count + resource.rawValue] += amount
  }

  /// Moves `amount` of `resource` from an agent's inventory into its escrow.
  @inline(__always) public mutating func moveToEscrow(_ agent: Int, _ resource: Resource, _ amount: Double) {
    let i = agent * Resource.count + resource.rawValue
    inventory[i] -= amount
    escrow[i] += amount
  }

  /// Moves `amount` of `resource` from an agent's escrow back into its inventory.
  @inline(__always) public mutating func releaseEscrow(_ agent: Int, _ resource: Resource, _ amount: Double) {
    let i = agent * Resource.count + resource.rawValue
    escrow[i] -= amount
    inventory[i] += amount
  }

  /// The value of a registered per-agent state field.
  @inline(__always) public func state(_ agent: Int, _ field: StateField) -> Double {
    stateFields[agent * stateFieldNames.count + field.index]
  }

  /// Sets a registered per-agent state field.
  @inline(__always) public mutating func setState(_ agent: Int, _ field: StateField, _ v: Double) {
    stateFields[agent * stateFieldNames.count + field.index] = v
  }

  /// Registers a per-agent state field and returns its handle; registering a name twice returns
  /// the existing field.
  public mutating func registerStateField(_ name: String) -> StateField {
    if let i = stateFieldNames.firstIndex(of: name) { return StateField(index: i) }
    let old = stateFieldNames.count
    var values = [Double](repeating: 0, count: agentCount * (old + 1))
    for a in 0..<agentCount {
      for f in 0..<old { values[a * (old + 1) + f] = stateFields[a * old + f] }
    }
    stateFieldNames.append(name)
    stateFields = values
    return StateField(index: old)
  }

  /// The handle of a registered state field, or nil.
  public func stateField(named name: String) -> StateField? {
    stateFieldNames.firstIndex(of: name).map { StateField(index: $0) }
  }
}

/// A handle to a per-agent state field registered by a component (see
/// ``World/registerStateField(_:)``).
public struct StateField: Sendable, Hashable {
  /// Position of the field in ``World/stateFieldNames``.
  public let index: Int
}

/// What components created or destroyed this episode; the books balance when the world's totals
/// equal their values at reset plus these.
public struct Ledger: Sendable, Equatable {
  /// Coin created (build payments) minus coin destroyed.
  public var coinCreated: Double = 0
  /// Units of each resource created (regrowth, bonus collection) minus destroyed (builds),
  /// indexed by `Resource.rawValue`.
  public var resourceCreated: [Double] = [0, 0, 0]
}
