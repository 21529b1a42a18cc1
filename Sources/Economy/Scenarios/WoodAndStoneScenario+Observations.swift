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
    for r in Resource.allCases {
      out.setPlanner(fields.plannerInventory[r.rawValue], world.plannerInventory[r.rawValue] * scale)
    }
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
      obs.plannerMap.withUnsafeMutableBufferPointer { dstBuffer in
        world.layers.withUnsafeBufferPointer { srcBuffer in
          guard let dst = dstBuffer.baseAddress, let src = srcBuffer.baseAddress else { return }
          for (ci, layer) in channels.enumerated() {
            (dst + ci * n).update(from: src + layer.rawValue * n, count: n)
          }
        }
      }
      obs.plannerIndex.withUnsafeMutableBufferPointer { dstBuffer in
        world.indexMaps.withUnsafeBufferPointer { srcBuffer in
          guard let dst = dstBuffer.baseAddress, let src = srcBuffer.baseAddress else { return }
          dst.update(from: src, count: 2 * n)
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
    obs.mobileMap.withUnsafeMutableBufferPointer { dstBuffer in
      world.layers.withUnsafeBufferPointer { srcBuffer in
        guard let dst = dstBuffer.baseAddress, let src = srcBuffer.baseAddress else { return }
        for a in 0..<agentCount {
          let r0 = Int(world.row[a]) - w
          let c0 = Int(world.col[a]) - w
          // Columns of the window inside the world: j in jLo..<jHi.
          let jLo = max(0, -c0)
          let jHi = min(side, wd - c0)
          let base = dst + a * mapSize
          for i in 0..<side {
            let rr = r0 + i
            let inside = rr >= 0 && rr < h && jLo < jHi
            for ci in 0...channels.count {
              let row = base + ci * area + i * side
              guard inside else {
                row.update(repeating: 0, count: side)
                continue
              }
              if jLo > 0 { row.update(repeating: 0, count: jLo) }
              if jHi < side { (row + jHi).update(repeating: 0, count: side - jHi) }
              if ci == channels.count {
                (row + jLo).update(repeating: 1, count: jHi - jLo)
              } else {
                (row + jLo).update(from: src + channels[ci].rawValue * n + rr * wd + c0 + jLo, count: jHi - jLo)
              }
            }
          }
        }
      }
    }
    obs.mobileIndex.withUnsafeMutableBufferPointer { dstBuffer in
      world.indexMaps.withUnsafeBufferPointer { srcBuffer in
        guard let dst = dstBuffer.baseAddress, let src = srcBuffer.baseAddress else { return }
        for a in 0..<agentCount {
          let r0 = Int(world.row[a]) - w
          let c0 = Int(world.col[a]) - w
          let jLo = max(0, -c0)
          let jHi = min(side, wd - c0)
          let me = Int16(a + 2)
          let base = dst + a * indexSize
          for ch in 0..<2 {
            for i in 0..<side {
              let rr = r0 + i
              let row = base + ch * area + i * side
              guard rr >= 0 && rr < h && jLo < jHi else {
                row.update(repeating: 0, count: side)
                continue
              }
              if jLo > 0 { row.update(repeating: 0, count: jLo) }
              if jHi < side { (row + jHi).update(repeating: 0, count: side - jHi) }
              let from = src + ch * n + rr * wd + c0
              for j in jLo..<jHi {
                let v = from[j]
                row[j] = v == me ? 1 : v
              }
            }
          }
        }
      }
    }
  }
}
