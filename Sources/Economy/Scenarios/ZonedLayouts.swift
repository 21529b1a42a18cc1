import Foundation

// The seeding probabilities of the multi-zone and quadrant scenarios (Foundation's `MultiZone`
// and `Quadrant`): both then grow sources like the uniform scenario.

extension UniformLayout {
  /// Foundation's `MultiZone` probability maps, drawn afresh at every reset.
  ///
  /// The map is cut into a `num_partitions_row × num_partitions_col` grid of zones, each
  /// `ceil(height / rows) × ceil(width / cols)` tiles (the last ones cropped by the map's edge).
  /// `num_wood_zones` zones get wood, `num_stone_zones` stone, `num_wood_and_stone_zones` both,
  /// the rest nothing, in a random arrangement. Each resource's probability is 1 inside its
  /// zones and 0 elsewhere, divided by its mean over the map and multiplied by its coverage
  /// target. (Foundation multiplies the stone map by the wood coverage; we use the stone
  /// coverage, as the uniform scenario does. A resource whose zones all fall outside the map
  /// gets an all-zero map, where Foundation's division by a zero mean gives NaN.)
  ///
  /// - Returns: Row-major wood and stone seeding probabilities.
  public static func multiZoneProbabilities(
    height: Int, width: Int, zones: MultiZoneParameters, parameters: UniformLayoutParameters,
    rng: inout EconomyRNG
  ) -> (wood: [Double], stone: [Double]) {
    let regions = zones.partitionRows * zones.partitionColumns
    precondition(
      zones.woodZones + zones.stoneZones + zones.mixedZones <= regions,
      "multi_zone needs at most \(regions) zones")
    // Zone codes: 0 wood, 1 stone, 2 both, -1 none; shuffled over the grid.
    var codes = [Int](repeating: -1, count: regions)
    var k = 0
    for (code, count) in [(0, zones.woodZones), (1, zones.stoneZones), (2, zones.mixedZones)] {
      for _ in 0..<count {
        codes[k] = code
        k += 1
      }
    }
    for i in stride(from: regions - 1, to: 0, by: -1) { codes.swapAt(i, rng.int(below: i + 1)) }
    let rowSize = (height + zones.partitionRows - 1) / zones.partitionRows
    let colSize = (width + zones.partitionColumns - 1) / zones.partitionColumns
    let tileCount = height * width
    var wood = [Double](repeating: 0, count: tileCount)
    var stone = wood
    for r in 0..<height {
      for c in 0..<width {
        let code = codes[(r / rowSize) * zones.partitionColumns + c / colSize]
        wood[r * width + c] = code == 0 || code == 2 ? 1 : 0
        stone[r * width + c] = code == 1 || code == 2 ? 1 : 0
      }
    }
    let woodTarget = parameters.coverageTarget(parameters.startingWoodCoverage, tileCount: tileCount)
    let stoneTarget = parameters.coverageTarget(parameters.startingStoneCoverage, tileCount: tileCount)
    normalize(&wood, toMean: woodTarget)
    normalize(&stone, toMean: stoneTarget)
    return (wood, stone)
  }

  /// Scales `map` so that its mean is `mean` (leaves an all-zero map alone).
  static func normalize(_ map: inout [Double], toMean mean: Double) {
    let total = map.reduce(0, +)
    guard total > 0 else { return }
    let scale = mean * Double(map.count) / total
    for i in map.indices { map[i] *= scale }
  }

  /// Foundation's `Quadrant` water: column `height / 2` and row `width / 2`, each with two gaps.
  ///
  /// A tile at normalized position `x = (i + 0.5) / n` along the line is water unless
  /// `0.2 ≤ x ≤ 0.35` or `0.65 ≤ x ≤ 0.8`, so the four quadrants connect through four gaps.
  /// (Foundation indexes the column by the height and the row by the width; the config check
  /// rejects maps where that falls outside.)
  public static func quadrantWater(height: Int, width: Int) -> [UInt8] {
    func isWater(_ i: Int, _ n: Int) -> Bool {
      let x = (0.5 + Double(i)) / Double(n)
      return (x < 0.2 || x > 0.35) && (x < 0.65 || x > 0.8)
    }
    var water = [UInt8](repeating: 0, count: height * width)
    let column = height / 2
    let row = width / 2
    for r in 0..<height where isWater(r, height) { water[r * width + column] = 1 }
    for c in 0..<width where isWater(c, width) { water[row * width + c] = 1 }
    return water
  }

  /// Foundation's `Quadrant` seeding probabilities: wood favours the top rows and stone the
  /// left columns, both weighted by their sum, zero on water, each normalized to sum 1.
  ///
  /// With `g = gradient_steepness / 2`, `w(r) = (height − 1 − r)^g` and `s(c) = (width − 1 − c)^g`,
  /// wood is `(w + s) · w` and stone `(w + s) · s`.
  public static func quadrantProbabilities(
    height: Int, width: Int, steepness: Double, water: [UInt8]
  ) -> (wood: [Double], stone: [Double]) {
    let g = steepness / 2
    var wood = [Double](repeating: 0, count: height * width)
    var stone = wood
    for r in 0..<height {
      let w = pow(Double(height - 1 - r), g)
      for c in 0..<width {
        let s = pow(Double(width - 1 - c), g)
        let t = r * width + c
        let land = water[t] == 0 ? 1.0 : 0.0
        wood[t] = (w + s) * w * land
        stone[t] = (w + s) * s * land
      }
    }
    normalize(&wood, toMean: 1 / Double(wood.count))
    normalize(&stone, toMean: 1 / Double(stone.count))
    return (wood, stone)
  }

  /// Clears every source on Quadrant's water lines (the whole column `height / 2` and row
  /// `width / 2`, gaps included, as Foundation does).
  static func clearQuadrantLines(_ map: inout [UInt8], height: Int, width: Int) {
    let column = height / 2
    let row = width / 2
    for r in 0..<height { map[r * width + column] = 0 }
    for c in 0..<width { map[row * width + c] = 0 }
  }
}
