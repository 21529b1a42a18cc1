import Foundation

/// The resource-layout parameters of the `uniform/simple_wood_and_stone` scenario.
///
/// Each property carries Foundation's keyword name and default (ai-economist 1.7.1, class
/// `Uniform`). A coverage below 1 is a fraction of all tiles; a coverage of 1 or more is a
/// tile count, converted to a fraction of `height × width` when a layout is generated.
public struct UniformLayoutParameters: Sendable, Equatable {
  /// `starting_wood_coverage`: target wood-source coverage (fraction below 1, else a tile count).
  public var startingWoodCoverage: Double
  /// `starting_stone_coverage`: target stone-source coverage (fraction below 1, else a count).
  public var startingStoneCoverage: Double
  /// `wood_regen_halfwidth`: the wood regrowth kernel is `1 + 2 × halfwidth` tiles wide (0...3).
  public var woodRegenHalfwidth: Int
  /// `stone_regen_halfwidth`: the stone regrowth kernel is `1 + 2 × halfwidth` tiles wide (0...3).
  public var stoneRegenHalfwidth: Int
  /// `wood_regen_weight`: regrowth probability contributed per unit of health under the kernel.
  public var woodRegenWeight: Double
  /// `stone_regen_weight`: regrowth probability contributed per unit of health under the kernel.
  public var stoneRegenWeight: Double
  /// `wood_max_health`: the most wood units a wood source tile can hold (at least 1).
  public var woodMaxHealth: Int
  /// `stone_max_health`: the most stone units a stone source tile can hold (at least 1).
  public var stoneMaxHealth: Int
  /// `wood_clumpiness`: how strongly wood sources cluster, in [0, 1].
  public var woodClumpiness: Double
  /// `stone_clumpiness`: how strongly stone sources cluster, in [0, 1].
  public var stoneClumpiness: Double
  /// `gradient_steepness`: the exponent of the row gradient (at least 1); larger values push
  /// wood towards the bottom rows and stone towards the top rows.
  public var gradientSteepness: Double
  /// `checker_source_blocks`: keep only sources on tiles whose row + column is odd.
  public var checkerSourceBlocks: Bool

  /// Creates parameters; every default is Foundation's.
  public init(
    startingWoodCoverage: Double = 0.025,
    startingStoneCoverage: Double = 0.025,
    woodRegenHalfwidth: Int = 0,
    stoneRegenHalfwidth: Int = 0,
    woodRegenWeight: Double = 0.01,
    stoneRegenWeight: Double = 0.01,
    woodMaxHealth: Int = 1,
    stoneMaxHealth: Int = 1,
    woodClumpiness: Double = 0.35,
    stoneClumpiness: Double = 0.5,
    gradientSteepness: Double = 8,
    checkerSourceBlocks: Bool = false
  ) {
    self.startingWoodCoverage = startingWoodCoverage
    self.startingStoneCoverage = startingStoneCoverage
    self.woodRegenHalfwidth = woodRegenHalfwidth
    self.stoneRegenHalfwidth = stoneRegenHalfwidth
    self.woodRegenWeight = woodRegenWeight
    self.stoneRegenWeight = stoneRegenWeight
    self.woodMaxHealth = woodMaxHealth
    self.stoneMaxHealth = stoneMaxHealth
    self.woodClumpiness = woodClumpiness
    self.stoneClumpiness = stoneClumpiness
    self.gradientSteepness = gradientSteepness
    self.checkerSourceBlocks = checkerSourceBlocks
  }

  /// The coverage target the generator aims for before checkering: the coverage as a fraction
  /// of `tileCount`, doubled when ``checkerSourceBlocks`` is on (checkering removes about half).
  func coverageTarget(_ coverage: Double, tileCount: Int) -> Double {
    let fraction = coverage >= 1 ? coverage / Double(tileCount) : coverage
    return checkerSourceBlocks ? 2 * fraction : fraction
  }
}

// MARK: - Validation

extension UniformLayoutParameters {
  /// The problems Foundation's constructor would reject, as readable messages; empty when valid.
  ///
  /// Checks that do not need the world size: positive coverages, a fractional coverage sum below
  /// 0.5, regrowth halfwidths in 0...3, regrowth weights in [0, 1], max healths of at least 1,
  /// clumpiness in [0, 1] and a gradient steepness of at least 1. Tile-count coverages (1 or
  /// more) are only fully checked by ``validate(height:width:)``.
  public func validate() -> [String] {
    problems(tileCount: nil)
  }

  /// The problems Foundation's constructor would reject for a `height × width` world.
  ///
  /// Adds the checks that need the world size: tile-count coverages are converted to fractions
  /// before the coverage sum must stay below 0.5, and each coverage (doubled under
  /// `checker_source_blocks`) must stay below 1.
  public func validate(height: Int, width: Int) -> [String] {
    guard height > 0, width > 0 else {
      return ["world size must be positive, got \(height)×\(width)"] + problems(tileCount: nil)
    }
    return problems(tileCount: height * width)
  }

  private func problems(tileCount: Int?) -> [String] {
    var found = coverageProblems(tileCount: tileCount)
    for (resource, halfwidth) in [("wood", woodRegenHalfwidth), ("stone", stoneRegenHalfwidth)]
    where !(0...3).contains(halfwidth) {
      found.append("\(resource)_regen_halfwidth must be in 0...3, got \(halfwidth)")
    }
    for (resource, weight) in [("wood", woodRegenWeight), ("stone", stoneRegenWeight)]
    where !(weight >= 0 && weight <= 1) {
      found.append("\(resource)_regen_weight must be in [0, 1], got \(weight)")
    }
    for (resource, health) in [("wood", woodMaxHealth), ("stone", stoneMaxHealth)]
    where health < 1 {
      found.append("\(resource)_max_health must be at least 1, got \(health)")
    }
    for (resource, clump) in [("wood", woodClumpiness), ("stone", stoneClumpiness)]
    where !(clump >= 0 && clump <= 1) {
      found.append("\(resource)_clumpiness must be in [0, 1], got \(clump)")
    }
    if !(gradientSteepness >= 1) {
      found.append("gradient_steepness must be at least 1, got \(gradientSteepness)")
    }
    return found
  }

  private func coverageProblems(tileCount: Int?) -> [String] {
    var found: [String] = []
    var fractions: [Double] = []
    let coverages = [("wood", startingWoodCoverage), ("stone", startingStoneCoverage)]
    for (resource, coverage) in coverages {
      let name = "starting_\(resource)_coverage"
      guard coverage > 0 else {
        found.append(
          "\(name) must be positive (a fraction below 1 or a tile count), got \(coverage)")
        continue
      }
      // A tile count can only be turned into a fraction once the world size is known.
      guard coverage < 1 || tileCount != nil else { continue }
      let fraction = coverage >= 1 ? coverage / Double(tileCount ?? 1) : coverage
      fractions.append(fraction)
      if checkerSourceBlocks && fraction >= 0.5 {
        found.append(
          "\(name) must cover less than half of the tiles with checker_source_blocks, "
            + "got \(fraction)")
      } else if fraction >= 1 {
        found.append(
          "\(name) must be fewer tiles than the world holds (\(tileCount ?? 0)), got \(coverage)")
      }
    }
    if fractions.count == 2, !(fractions[0] + fractions[1] < 0.5) {
      found.append(
        "starting_wood_coverage + starting_stone_coverage must cover less than half of the tiles, "
          + "got \(fractions[0] + fractions[1])")
    }
    return found
  }
}

// MARK: - Source generation

/// Procedural source maps and stochastic regrowth for the `uniform/simple_wood_and_stone`
/// scenario (Foundation's `Uniform.reset_starting_layout` and `Uniform.scenario_step`).
///
/// Grids are flat and row-major: the tile at row `r`, column `c` is index `r * width + c`, and
/// row 0 is the top of the map.
public enum UniformLayout {
  /// How many whole layouts are tried before the last one is accepted regardless of coverage.
  static let resetAttempts = 100
  /// How often the seeding thresholds may grow by 1/0.9 (Foundation stops after 201 shrinks).
  static let maxThresholdShrinks = 200
  /// A layout is accepted when each coverage is within a factor 1.4 of its target.
  static let coverageTolerance = 0.4
  /// A safety cap on growth rounds per resource; Foundation's loop has none.
  static let maxGrowthRounds = 10_000

  /// Generates the stone and wood source maps of a fresh episode.
  ///
  /// Follows Foundation's algorithm:
  /// 1. A row gradient `g(r) = r^steepness / mean` is scaled by each resource's coverage
  ///    target; wood uses it as is (favouring the bottom rows), stone upside down (favouring the
  ///    top rows). Row 0 can never seed wood and the last row can never seed stone.
  /// 2. For wood, then stone, every tile draws a uniform `u`; tiles with
  ///    `u < g × 0.1 × clump` (with `clump = 1 − min(clumpiness, 0.99)`) become seeds. While the
  ///    seeds cover less than `target × clump`, all draws shrink by 0.9 (at most 201 times).
  /// 3. While coverage is below the target, a growth round draws a random 7 × 7 binary kernel
  ///    (each cell on with probability 1/2) and convolves `source + 0.2 N(0, 1) − 0.25` with it
  ///    (zero padding); tiles with a positive result join the sources. Stone may only use tiles
  ///    that are not wood sources.
  /// 4. The whole layout is redrawn (up to 100 times) unless both coverages lie within
  ///    [target / 1.4, target × 1.4].
  /// 5. With `checker_source_blocks`, only tiles whose row + column is odd keep their source
  ///    (the targets were doubled to compensate).
  ///
  /// Foundation scales the stone probability map by the *wood* coverage; we use the stone
  /// coverage, so `starting_stone_coverage` controls stone seeding as documented. The random
  /// kernel cells use `uniform() < 0.5`, the same distribution as numpy's `randn() > 0`, and the
  /// growth loop stops after ``maxGrowthRounds`` rounds so that it always terminates.
  ///
  /// The caller sets one unit of resource on every source tile (Foundation sets the resource
  /// map equal to the source map, whatever the max health).
  ///
  /// - Parameters:
  ///   - height: Rows of the world.
  ///   - width: Columns of the world.
  ///   - parameters: Layout parameters; they must pass
  ///     ``UniformLayoutParameters/validate(height:width:)``.
  ///   - rng: The random stream; every draw comes from it.
  /// - Returns: Row-major `height × width` maps, 1 on source tiles and 0 elsewhere. No tile is
  ///   both a stone and a wood source.
  /// - Complexity: O(attempts × (shrinks + 49 × growth rounds) × height × width).
  public static func generateSources(
    height: Int, width: Int, parameters: UniformLayoutParameters, rng: inout EconomyRNG
  ) -> (stoneSource: [UInt8], woodSource: [UInt8]) {
    let tileCount = height * width
    let woodTarget = parameters.coverageTarget(parameters.startingWoodCoverage, tileCount: tileCount)
    let stoneTarget = parameters.coverageTarget(parameters.startingStoneCoverage, tileCount: tileCount)
    let gradient = rowGradient(height: height, steepness: parameters.gradientSteepness)
    var wood = [Double](repeating: 0, count: tileCount)
    var stone = wood
    for t in 0..<tileCount {
      wood[t] = gradient[t / width] * woodTarget
      stone[t] = gradient[height - 1 - t / width] * stoneTarget
    }
    return generateSources(
      height: height, width: width, parameters: parameters, woodProbability: wood, stoneProbability: stone, rng: &rng)
  }

  /// Generates source maps from per-tile seeding probabilities (steps 2 to 5 of
  /// ``generateSources(height:width:parameters:rng:)``; the multi-zone and quadrant scenarios
  /// bring their own probability maps).
  ///
  /// - Parameters:
  ///   - height: Rows of the world.
  ///   - width: Columns of the world.
  ///   - parameters: Layout parameters; they must pass
  ///     ``UniformLayoutParameters/validate(height:width:)``.
  ///   - woodProbability: Row-major seeding probability of each tile for wood, before the
  ///     `0.1 × clump` factor.
  ///   - stoneProbability: The same for stone.
  ///   - rng: The random stream; every draw comes from it.
  /// - Returns: Row-major `height × width` maps, 1 on source tiles and 0 elsewhere. No tile is
  ///   both a stone and a wood source.
  public static func generateSources(
    height: Int, width: Int, parameters: UniformLayoutParameters, woodProbability: [Double],
    stoneProbability: [Double], rng: inout EconomyRNG
  ) -> (stoneSource: [UInt8], woodSource: [UInt8]) {
    let problems = parameters.validate(height: height, width: width)
    precondition(problems.isEmpty, "Invalid Uniform layout: \(problems.joined(separator: "; "))")
    let tileCount = height * width
    precondition(
      woodProbability.count == tileCount && stoneProbability.count == tileCount,
      "generateSources needs \(height)×\(width) probability maps")
    let woodTarget = parameters.coverageTarget(
      parameters.startingWoodCoverage, tileCount: tileCount)
    let stoneTarget = parameters.coverageTarget(
      parameters.startingStoneCoverage, tileCount: tileCount)

    var grower = SourceGrower(height: height, width: width)
    var wood = [UInt8](repeating: 0, count: tileCount)
    var stone = wood
    let everywhere = [Bool](repeating: true, count: tileCount)
    var notWood = everywhere
    for _ in 0..<resetAttempts {
      grower.grow(
        &wood, probability: woodProbability, target: woodTarget,
        clumpiness: parameters.woodClumpiness, allowed: everywhere, rng: &rng)
      for i in 0..<tileCount { notWood[i] = wood[i] == 0 }
      grower.grow(
        &stone, probability: stoneProbability, target: stoneTarget,
        clumpiness: parameters.stoneClumpiness, allowed: notWood, rng: &rng)
      if isNearTarget(wood, woodTarget) && isNearTarget(stone, stoneTarget) { break }
    }
    if parameters.checkerSourceBlocks {
      applyChecker(&wood, width: width)
      applyChecker(&stone, width: width)
    }
    return (stoneSource: stone, woodSource: wood)
  }

  /// `r^steepness` per row, divided by its mean; all zeros for a one-row world (whose mean is 0).
  static func rowGradient(height: Int, steepness: Double) -> [Double] {
    let raw = (0..<height).map { pow(Double($0), steepness) }
    let mean = raw.reduce(0, +) / Double(height)
    return mean > 0 ? raw.map { $0 / mean } : raw.map { _ in 0 }
  }

  /// Whether `map`'s coverage is within a factor `1 + coverageTolerance` of `target`.
  static func isNearTarget(_ map: [UInt8], _ target: Double) -> Bool {
    let quotient = fraction(ofSources: map) / target
    return quotient >= 1 / (1 + coverageTolerance) && quotient <= 1 + coverageTolerance
  }

  /// The share of tiles that are sources.
  static func fraction(ofSources map: [UInt8]) -> Double {
    Double(map.reduce(0) { $0 + Int($1) }) / Double(map.count)
  }

  /// Clears every tile whose row + column is even.
  static func applyChecker(_ map: inout [UInt8], width: Int) {
    for i in map.indices where (i / width + i % width) % 2 == 0 { map[i] = 0 }
  }
}

// MARK: - Seeding and growth

/// The seeding-and-growth stage for one resource, with its buffers sized once per layout.
private struct SourceGrower {
  let height: Int
  let width: Int
  /// One uniform draw per tile, shrunk in place while seeding.
  var draws: [Double]
  /// The noisy source map convolved during a growth round.
  var noise: [Double]
  /// The random 7 × 7 growth kernel, row-major.
  var kernel: [Bool]
  static let kernelSide = 7

  init(height: Int, width: Int) {
    self.height = height
    self.width = width
    draws = [Double](repeating: 0, count: height * width)
    noise = draws
    kernel = [Bool](repeating: false, count: SourceGrower.kernelSide * SourceGrower.kernelSide)
  }

  /// Replaces `map` with a fresh source map for one resource (steps 2 and 3 of the algorithm).
  mutating func grow(
    _ map: inout [UInt8], probability: [Double], target: Double, clumpiness: Double,
    allowed: [Bool], rng: inout EconomyRNG
  ) {
    let clump = 1 - min(max(clumpiness, 0), 0.99)
    let thresholds = probability.map { $0 * 0.1 * clump }
    let tileCount = Double(map.count)
    for i in draws.indices { draws[i] = rng.uniform() }
    var count = seed(&map, thresholds: thresholds, allowed: allowed)
    var shrinks = 0
    while Double(count) / tileCount < target * clump {
      draws.withUnsafeMutableBufferPointer { draws in
        for i in 0..<draws.count { draws[i] *= 0.9 }
      }
      count = seed(&map, thresholds: thresholds, allowed: allowed)
      shrinks += 1
      if shrinks > UniformLayout.maxThresholdShrinks { break }
    }
    var rounds = 0
    while Double(count) / tileCount < target && rounds < UniformLayout.maxGrowthRounds {
      count = spread(&map, allowed: allowed, rng: &rng)
      rounds += 1
    }
  }

  /// Marks allowed tiles whose draw is below their threshold; returns the source count.
  ///
  /// Runs up to 201 times per resource and layout, so it works on raw buffers (debug builds
  /// would otherwise spend most of a reset in bounds and uniqueness checks).
  private func seed(_ map: inout [UInt8], thresholds: [Double], allowed: [Bool]) -> Int {
    var count = 0
    draws.withUnsafeBufferPointer { draws in
      thresholds.withUnsafeBufferPointer { thresholds in
        allowed.withUnsafeBufferPointer { allowed in
          map.withUnsafeMutableBufferPointer { map in
            for i in 0..<map.count {
              let isSource = allowed[i] && draws[i] < thresholds[i]
              map[i] = isSource ? 1 : 0
              count += isSource ? 1 : 0
            }
          }
        }
      }
    }
    return count
  }

  /// Runs one growth round and returns the new source count.
  ///
  /// The noisy map is convolved with a fresh random kernel; allowed tiles with a positive
  /// result become sources. The convolution visits the kernel's cells that are on in row-major
  /// order (the 'same'-size, zero-padded convolution of ``noise`` with ``kernel``, summed in
  /// the same order as a plain double loop, so results are bit-identical).
  private mutating func spread(
    _ map: inout [UInt8], allowed: [Bool], rng: inout EconomyRNG
  ) -> Int {
    for k in kernel.indices { kernel[k] = rng.uniform() < 0.5 }
    for i in map.indices { noise[i] = Double(map[i]) + 0.2 * rng.normal() - 0.25 }
    let side = SourceGrower.kernelSide
    let center = side / 2
    // Offsets (row, column) from the tile to the noise cell each "on" kernel cell reads.
    var offsets: [(Int, Int)] = []
    offsets.reserveCapacity(side * side)
    for kr in 0..<side {
      for kc in 0..<side where kernel[kr * side + kc] { offsets.append((center - kr, center - kc)) }
    }
    let (height, width) = (self.height, self.width)
    var count = 0
    noise.withUnsafeBufferPointer { noise in
      offsets.withUnsafeBufferPointer { offsets in
        allowed.withUnsafeBufferPointer { allowed in
          map.withUnsafeMutableBufferPointer { map in
            for r in 0..<height {
              for c in 0..<width {
                let i = r * width + c
                if map[i] == 0 && allowed[i] {
                  var sum = 0.0
                  for (dr, dc) in offsets {
                    let rr = r + dr
                    let cc = c + dc
                    if rr >= 0 && rr < height && cc >= 0 && cc < width { sum += noise[rr * width + cc] }
                  }
                  if sum > 0 { map[i] = 1 }
                }
                count += Int(map[i])
              }
            }
          }
        }
      }
    }
    return count
  }
}

// MARK: - Regrowth

extension UniformLayout {
  /// Advances one resource's regrowth by one step (Foundation's `Uniform.scenario_step`).
  ///
  /// Let `h = max(health, source)` per tile: a source tile counts as at least one unit even when
  /// depleted. The spawn probability of a tile is `weight / d² × Σ h` over the `d × d` window
  /// around it, `d = 1 + 2 × halfwidth`, with tiles outside the map counting 0 (a zero-padded
  /// 'same' convolution with a uniform kernel that sums to `weight`). Every tile draws one
  /// uniform, row-major; a source tile whose draw is below its probability gains one unit.
  /// Every tile is then clipped at `maxHealth`. The probabilities come from the health before
  /// this step.
  ///
  /// With `halfwidth` 0 and `maxHealth` 1 this is the `layout_from_file` rule: each depleted
  /// source tile regrows one unit with probability `weight`.
  ///
  /// - Parameters:
  ///   - health: Row-major resource amounts, `height × width`; updated in place.
  ///   - source: Row-major source map, 1 on source tiles.
  ///   - height: Rows of the world.
  ///   - width: Columns of the world.
  ///   - halfwidth: `<resource>_regen_halfwidth`.
  ///   - weight: `<resource>_regen_weight`.
  ///   - maxHealth: `<resource>_max_health`.
  ///   - rng: The random stream; exactly `height × width` uniforms are drawn.
  ///   - scratch: A caller-owned buffer of at least `height × width` values, reused across calls;
  ///     it is grown (allocating once) if it is shorter.
  /// - Complexity: O(height × width × (1 + 2 × halfwidth)²), no allocation once `scratch` fits.
  public static func regenerate(
    health: inout [Double], source: [UInt8], height: Int, width: Int, halfwidth: Int,
    weight: Double, maxHealth: Double, rng: inout EconomyRNG, scratch: inout [Double]
  ) {
    let tileCount = height * width
    precondition(
      health.count == tileCount && source.count == tileCount,
      "regenerate needs \(height)×\(width) maps, got \(health.count) and \(source.count) tiles")
    precondition(halfwidth >= 0, "regenerate needs a non-negative halfwidth, got \(halfwidth)")
    if halfwidth == 0 {
      for i in 0..<tileCount {
        let spawns = rng.uniform() < weight * max(health[i], Double(source[i])) && source[i] != 0
        health[i] = min(health[i] + (spawns ? 1 : 0), maxHealth)
      }
      return
    }
    if scratch.count < tileCount { scratch = [Double](repeating: 0, count: tileCount) }
    for i in 0..<tileCount { scratch[i] = max(health[i], Double(source[i])) }
    let side = 1 + 2 * halfwidth
    let scale = weight / Double(side * side)
    for r in 0..<height {
      for c in 0..<width {
        let i = r * width + c
        let draw = rng.uniform()
        var spawns = false
        if source[i] != 0 {
          let total = windowSum(
            scratch, row: r, column: c, halfwidth: halfwidth, height: height, width: width)
          spawns = draw < total * scale
        }
        health[i] = min(health[i] + (spawns ? 1 : 0), maxHealth)
      }
    }
  }

  /// The sum of `grid` over the square window of `halfwidth` around a tile, clipped to the map.
  private static func windowSum(
    _ grid: [Double], row: Int, column: Int, halfwidth: Int, height: Int, width: Int
  ) -> Double {
    var total = 0.0
    for r in max(0, row - halfwidth)...min(height - 1, row + halfwidth) {
      for c in max(0, column - halfwidth)...min(width - 1, column + halfwidth) {
        total += grid[r * width + c]
      }
    }
    return total
  }
}
