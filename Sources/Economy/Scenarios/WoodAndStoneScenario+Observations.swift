extension WoodAndStoneScenario {
  /// Writes the scenario's non-spatial fields: inventories (× `scale`), locations (÷ world
  /// size), and time.
  func writeObservations(world: World, time: Double, scale: Double, into out: inout ObservationWriter) {
    for a in 0..<agentCount {
      for r in Resource.allCases {
        let v = world.inventory(a, r) * scale
        out.set(fields.inventory[r.rawValue], agent: a, v)
        if !fields.perAgentInventory.isEmpty { out.setPerAgent(fields.perAgentInventory[r.rawValue], agent: a, v) }
      }
      let row = Double(world.row[a]) / Double(height)
      let col = Double(world.col[a]) / Double(width)
      if let f = fields.locRow { out.set(f, agent: a, row) }
      if let f = fields.locCol { out.set(f, agent: a, col) }
      if let f = fields.perAgentLocRow { out.setPerAgent(f, agent: a, row) }
      if let f = fields.perAgentLocCol { out.setPerAgent(f, agent: a, col) }
      out.set(fields.time, agent: a, time)
    }
    for r in Resource.allCases { out.setPlanner(fields.plannerInventory[r.rawValue], world.plannerInventory[r.rawValue] * scale) }
    out.setPlanner(fields.plannerTime, time)
  }

  /// Writes the map and index-map observations of the planner and the mobile agents.
  ///
  /// Mobile agents see a `(2w+1)²` window centred on themselves, with an extra channel that is 1
  /// inside the world and 0 in the padding (or the whole map with full observability). In their
  /// index maps their own id is replaced by 1.
  ///
  /// - Complexity: O(channels × window²) per agent, row copies, no allocation.
  func writeSpatial(world: World, into obs: inout ObservationBuffers, layout: ObservationLayout) {
    let n = world.tileCount
    let channels = self.channels
    if layout.plannerMapShape != nil {
      obs.plannerMap.withUnsafeMutableBufferPointer { dst in
        world.layers.withUnsafeBufferPointer { src in
          for (ci, layer) in channels.enumerated() {
            for t in 0..<n { dst[ci * n + t] = src[layer.rawValue * n + t] }
          }
        }
      }
      obs.plannerIndex.withUnsafeMutableBufferPointer { dst in
        world.indexMaps.withUnsafeBufferPointer { src in
          for i in 0..<(2 * n) { dst[i] = src[i] }
        }
      }
    }
    if params.fullObservability {
      writeFullView(world: world, into: &obs, layout: layout)
    } else {
      writeWindows(world: world, into: &obs, layout: layout)
    }
  }

  private func writeFullView(world: World, into obs: inout ObservationBuffers, layout: ObservationLayout) {
    let n = world.tileCount
    let mapSize = layout.mobileMapSize
    let indexSize = layout.mobileIndexSize
    let channels = self.channels
    obs.mobileMap.withUnsafeMutableBufferPointer { dst in
      world.layers.withUnsafeBufferPointer { src in
        for a in 0..<agentCount {
          for (ci, layer) in channels.enumerated() {
            for t in 0..<n { dst[a * mapSize + ci * n + t] = src[layer.rawValue * n + t] }
          }
        }
      }
    }
    obs.mobileIndex.withUnsafeMutableBufferPointer { dst in
      world.indexMaps.withUnsafeBufferPointer { src in
        for a in 0..<agentCount {
          let me = Int16(a + 2)
          for i in 0..<(2 * n) {
            let v = src[i]
            dst[a * indexSize + i] = v == me ? 1 : v
          }
        }
      }
    }
  }

  private func writeWindows(world: World, into obs: inout ObservationBuffers, layout: ObservationLayout) {
    let w = params.mobileAgentObservationRange
    let side = 2 * w + 1
    let area = side * side
    let n = world.tileCount
    let mapSize = layout.mobileMapSize
    let indexSize = layout.mobileIndexSize
    let channels = self.channels
    let h = height
    let wd = width
    obs.mobileMap.withUnsafeMutableBufferPointer { dst in
      world.layers.withUnsafeBufferPointer { src in
        for a in 0..<agentCount {
          let r0 = Int(world.row[a]) - w
          let c0 = Int(world.col[a]) - w
          let base = a * mapSize
          let bounds = base + channels.count * area
          for i in 0..<side {
            let rr = r0 + i
            let rowInside = rr >= 0 && rr < h
            for j in 0..<side {
              let cc = c0 + j
              let inside = rowInside && cc >= 0 && cc < wd
              let o = i * side + j
              if inside {
                let t = rr * wd + cc
                for (ci, layer) in channels.enumerated() { dst[base + ci * area + o] = src[layer.rawValue * n + t] }
                dst[bounds + o] = 1
              } else {
                for ci in 0..<channels.count { dst[base + ci * area + o] = 0 }
                dst[bounds + o] = 0
              }
            }
          }
        }
      }
    }
    obs.mobileIndex.withUnsafeMutableBufferPointer { dst in
      world.indexMaps.withUnsafeBufferPointer { src in
        for a in 0..<agentCount {
          let r0 = Int(world.row[a]) - w
          let c0 = Int(world.col[a]) - w
          let me = Int16(a + 2)
          let base = a * indexSize
          for i in 0..<side {
            let rr = r0 + i
            let rowInside = rr >= 0 && rr < h
            for j in 0..<side {
              let cc = c0 + j
              let o = i * side + j
              if rowInside && cc >= 0 && cc < wd {
                let t = rr * wd + cc
                let owner = src[t]
                let loc = src[n + t]
                dst[base + o] = owner == me ? 1 : owner
                dst[base + area + o] = loc == me ? 1 : loc
              } else {
                dst[base + o] = 0
                dst[base + area + o] = 0
              }
            }
          }
        }
      }
    }
  }
}
