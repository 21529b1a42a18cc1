import Testing

@testable import Economy

@Suite("Map and index-map observations match Foundation's")
struct SpatialParityTests {
  static let views = Facts.value("spatial_obs", "example_agent_views_at_reset_seed7")

  /// Channel 6 of the 11×11 window is 1 inside the world and 0 in the padding.
  @Test(arguments: 0..<4)
  func windowBoundsChannel(agent: Int) throws {
    let env = try pinnedSeed7Environment()
    let view = Self.views[String(agent)]
    let loc = jsonNumbers(view?["loc"]).map(Int.init)
    #expect([Int(env.world.row[agent]), Int(env.world.col[agent])] == loc)
    let expected = (view?["channel6_(extra)"]?.arrayValue ?? []).map(jsonNumbers)
    #expect(expected.count == 11)
    #expect(env.mobileMapChannel(agent, 6) == expected)
  }

  /// Channel 1 of the index map is the agent-location map; the observer sees itself as 1.
  @Test(arguments: 0..<4)
  func locationIndexChannel(agent: Int) throws {
    let env = try pinnedSeed7Environment()
    let expected = (Self.views[String(agent)]?["idx_map_ch1(loc map)"]?.arrayValue ?? []).map {
      jsonNumbers($0).map(Int.init)
    }
    #expect(expected.count == 11)
    #expect(env.mobileIndexChannel(agent, 1) == expected)
  }

  /// Channels 0–5 of each window are the world's layers around the agent, zero outside, and
  /// channel 6 marks the inside (here for agents near an edge, a corner and the middle).
  @Test(arguments: 0..<4)
  func windowChannelsAreTheWorldLayers(agent: Int) throws {
    var env = try pinnedSeed7Environment()
    try env.place([(3, 2), (12, 5), (20, 11), (24, 23)])
    env.world.placeHouse(21, 11, owner: 2)
    env.refreshObservations()
    let channels: [MapLayer] = [.stone, .wood, .house, .water, .stoneSource, .woodSource]
    let r0 = Int(env.world.row[agent]) - 5
    let c0 = Int(env.world.col[agent]) - 5
    for (ci, layer) in channels.enumerated() {
      let window = env.mobileMapChannel(agent, ci)
      for i in 0..<11 {
        for j in 0..<11 {
          let (r, c) = (r0 + i, c0 + j)
          let expected = env.world.isInside(r, c) ? Double(env.world.value(layer, r, c)) : 0
          #expect(window[i][j] == expected, "agent \(agent) \(layer.name) at window (\(i), \(j))")
        }
      }
    }
    let bounds = env.mobileMapChannel(agent, 6)
    for i in 0..<11 {
      for j in 0..<11 {
        #expect(bounds[i][j] == (env.world.isInside(r0 + i, c0 + j) ? 1 : 0), "agent \(agent) bounds at (\(i), \(j))")
      }
    }
  }

  /// The planner's map is the world's layers in Foundation's channel order.
  @Test func plannerMapChannelsAreTheWorldLayers() throws {
    let env = try pinnedSeed7Environment()
    let names = Facts.value("spatial_obs", "planner_world-map_channels").arrayValue?.compactMap(\.stringValue)
    #expect(env.observationLayout.channelNames == names)
    let n = env.world.tileCount
    for (ci, name) in env.observationLayout.channelNames.enumerated() {
      let layer = try #require(MapLayer.allCases.first { $0.name == name })
      let mine = Array(env.observations.plannerMap[(ci * n)..<((ci + 1) * n)])
      #expect(mine == Array(env.world.layers[(layer.rawValue * n)..<((layer.rawValue + 1) * n)]), "\(name)")
    }
    // The layout's counts: 20 stone and 20 wood sources (all holding a resource at reset), 33 water.
    let count = { (ci: Int) in env.observations.plannerMap[(ci * n)..<((ci + 1) * n)].filter { $0 > 0 }.count }
    #expect([count(0), count(1), count(2), count(3), count(4), count(5)] == [20, 20, 0, 33, 20, 20])
  }

  /// Index maps: 0 for nothing, k + 2 for agent k, and 1 for the observer itself (in both the
  /// house-owner and the location channel); the planner's map has no "self".
  @Test func indexMapValues() throws {
    var env = try pinnedSeed7Environment()
    try env.place([(7, 7), (7, 8), (8, 7), (20, 20)])
    env.world.placeHouse(6, 7, owner: 0)
    env.world.placeHouse(6, 8, owner: 1)
    env.refreshObservations()

    // Agent 0 at the window centre (5, 5).
    var loc0 = [[Int]](repeating: [Int](repeating: 0, count: 11), count: 11)
    loc0[5][5] = 1
    loc0[5][6] = 3
    loc0[6][5] = 4
    #expect(env.mobileIndexChannel(0, 1) == loc0)
    var owner0 = [[Int]](repeating: [Int](repeating: 0, count: 11), count: 11)
    owner0[4][5] = 1
    owner0[4][6] = 3
    #expect(env.mobileIndexChannel(0, 0) == owner0)

    // Agent 1 one column to the right.
    var loc1 = [[Int]](repeating: [Int](repeating: 0, count: 11), count: 11)
    loc1[5][5] = 1
    loc1[5][4] = 2
    loc1[6][4] = 4
    #expect(env.mobileIndexChannel(1, 1) == loc1)
    var owner1 = [[Int]](repeating: [Int](repeating: 0, count: 11), count: 11)
    owner1[4][4] = 2
    owner1[4][5] = 1
    #expect(env.mobileIndexChannel(1, 0) == owner1)

    // The house channel (2) shows both houses.
    #expect(env.mobileMapChannel(0, 2)[4][5] == 1 && env.mobileMapChannel(0, 2)[4][6] == 1)

    // The planner: k + 2 everywhere, 0 elsewhere.
    #expect(env.plannerIndex(1, 7, 7) == 2)
    #expect(env.plannerIndex(1, 7, 8) == 3)
    #expect(env.plannerIndex(1, 8, 7) == 4)
    #expect(env.plannerIndex(1, 20, 20) == 5)
    #expect(env.plannerIndex(0, 6, 7) == 2)
    #expect(env.plannerIndex(0, 6, 8) == 3)
    let nonzero = env.observations.plannerIndex.filter { $0 != 0 }.count
    #expect(nonzero == 6)
  }
}
