extension World {
  /// Whether `agent` may stand on `(r, c)`: inside the world, not water, not another agent's
  /// house, and not occupied by another agent.
  @inline(__always)
  public func canOccupy(_ r: Int, _ c: Int, agent: Int) -> Bool {
    guard isInside(r, c) else { return false }
    let t = r * width + c
    if layers[MapLayer.water.rawValue * tileCount + t] > 0 { return false }
    let owner = houseOwner[t]
    if owner >= 0 && Int(owner) != agent { return false }
    let occ = occupant[t]
    return occ < 0 || Int(occ) == agent
  }

  /// Whether `agent` could stand on `(r, c)` ignoring other agents (terrain and houses only).
  @inline(__always)
  public func isAccessible(_ r: Int, _ c: Int, agent: Int) -> Bool {
    guard isInside(r, c) else { return false }
    let t = r * width + c
    if layers[MapLayer.water.rawValue * tileCount + t] > 0 { return false }
    let owner = houseOwner[t]
    return owner < 0 || Int(owner) == agent
  }

  /// Moves `agent` to `(r, c)` if it may stand there; returns whether it moved.
  ///
  /// - Complexity: O(1).
  @discardableResult
  public mutating func moveAgent(_ agent: Int, toRow r: Int, col c: Int) -> Bool {
    guard canOccupy(r, c, agent: agent) else { return false }
    let oldR = Int(row[agent])
    let oldC = Int(col[agent])
    if oldR >= 0 {
      let old = oldR * width + oldC
      occupant[old] = -1
      indexMaps[tileCount + old] = 0
    }
    let t = r * width + c
    occupant[t] = Int16(agent)
    indexMaps[tileCount + t] = Int16(agent + 2)
    row[agent] = Int32(r)
    col[agent] = Int32(c)
    return true
  }

  /// Takes `agent` off the map (its location becomes `(-1, -1)`), to be placed again.
  public mutating func liftAgent(_ agent: Int) {
    guard row[agent] >= 0 else { return }
    let t = Int(row[agent]) * width + Int(col[agent])
    occupant[t] = -1
    indexMaps[tileCount + t] = 0
    row[agent] = -1
    col[agent] = -1
  }

  /// Removes every agent from the map (Foundation's `clear_agent_locs`).
  public mutating func clearAgentLocations() {
    for a in 0..<agentCount where row[a] >= 0 {
      let t = Int(row[a]) * width + Int(col[a])
      occupant[t] = -1
      indexMaps[tileCount + t] = 0
      row[a] = -1
      col[a] = -1
    }
  }

  /// Places a house owned by `owner` on `(r, c)` with health 1.
  public mutating func placeHouse(_ r: Int, _ c: Int, owner: Int) {
    let t = r * width + c
    layers[MapLayer.house.rawValue * tileCount + t] = 1
    houseOwner[t] = Int16(owner)
    indexMaps[t] = Int16(owner + 2)
  }

  /// Whether the tile holds any resource (health > 0).
  @inline(__always)
  public func hasResource(_ r: Int, _ c: Int) -> Bool {
    let t = r * width + c
    return layers[MapLayer.stone.rawValue * tileCount + t] > 0
      || layers[MapLayer.wood.rawValue * tileCount + t] > 0
  }

  /// Whether the tile holds any landmark: a house, water, or a source block (even an empty one).
  @inline(__always)
  public func hasLandmark(_ r: Int, _ c: Int) -> Bool {
    let t = r * width + c
    let n = tileCount
    return layers[MapLayer.house.rawValue * n + t] > 0 || layers[MapLayer.water.rawValue * n + t] > 0
      || layers[MapLayer.stoneSource.rawValue * n + t] > 0
      || layers[MapLayer.woodSource.rawValue * n + t] > 0
  }

  /// Resets the map to the given layers (houses removed, agents removed).
  mutating func resetMap(layers newLayers: [Float]) {
    precondition(newLayers.count == layers.count, "layer slab size mismatch")
    // Copy in place: assigning would share `newLayers`' storage and copy it on the next write.
    for i in layers.indices { layers[i] = newLayers[i] }
    for t in 0..<tileCount {
      houseOwner[t] = -1
      occupant[t] = -1
    }
    for i in 0..<indexMaps.count { indexMaps[i] = 0 }
    for a in 0..<agentCount {
      row[a] = -1
      col[a] = -1
    }
  }
}
