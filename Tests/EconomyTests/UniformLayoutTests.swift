import Testing

@testable import Economy

@Suite("Uniform layout")
struct UniformLayoutTests {
  static let seeds: [UInt64] = Array(1...40)

  private func sources(
    _ parameters: UniformLayoutParameters = .init(), height: Int = 25, width: Int = 25,
    seed: UInt64
  ) -> (stoneSource: [UInt8], woodSource: [UInt8]) {
    var rng = EconomyRNG(seed: seed)
    return UniformLayout.generateSources(
      height: height, width: width, parameters: parameters, rng: &rng)
  }

  private func count(_ map: [UInt8]) -> Int { map.reduce(0) { $0 + Int($1) } }

  /// Mean row index of the source tiles of `map` (row 0 is the top).
  private func meanRow(_ map: [UInt8], width: Int) -> Double {
    let rows = map.indices.filter { map[$0] == 1 }.map { Double($0 / width) }
    return rows.reduce(0, +) / Double(rows.count)
  }

  // MARK: - Generation

  @Test func sameSeedGivesSameLayout() {
    let first = sources(seed: 7)
    let second = sources(seed: 7)
    #expect(first.stoneSource == second.stoneSource)
    #expect(first.woodSource == second.woodSource)
    let other = sources(seed: 8)
    #expect(other.stoneSource != first.stoneSource || other.woodSource != first.woodSource)
  }

  @Test func mapsAreBinaryAndDisjoint() {
    for seed in Self.seeds {
      let (stone, wood) = sources(seed: seed)
      #expect(stone.count == 625 && wood.count == 625)
      #expect(stone.allSatisfy { $0 <= 1 } && wood.allSatisfy { $0 <= 1 })
      #expect(zip(stone, wood).allSatisfy { $0 == 0 || $1 == 0 })
    }
  }

  /// Growth stops as soon as the target is reached and a layout is only kept within a factor
  /// 1.4 of it, so a tile count `k` yields between `k` and `1.4 k` sources.
  @Test(arguments: seeds)
  func tileCountCoverageStaysWithinAcceptanceBand(seed: UInt64) {
    let parameters = UniformLayoutParameters(startingWoodCoverage: 20, startingStoneCoverage: 30)
    let (stone, wood) = sources(parameters, seed: seed)
    #expect((20...28).contains(count(wood)))
    #expect((30...42).contains(count(stone)))
  }

  @Test func tileCountEqualsTheSameFraction() {
    let byCount = UniformLayoutParameters(startingWoodCoverage: 20, startingStoneCoverage: 30)
    let byFraction = UniformLayoutParameters(
      startingWoodCoverage: 20.0 / 625, startingStoneCoverage: 30.0 / 625)
    for seed in Self.seeds.prefix(5) {
      let a = sources(byCount, seed: seed)
      let b = sources(byFraction, seed: seed)
      #expect(a.stoneSource == b.stoneSource && a.woodSource == b.woodSource)
    }
  }

  @Test func defaultFractionCoverage() {
    // 0.025 of 40 × 40 = 40 tiles; accepted layouts hold 40...56 of each.
    for seed in Self.seeds.prefix(10) {
      let (stone, wood) = sources(height: 40, width: 40, seed: seed)
      #expect((40...56).contains(count(wood)))
      #expect((40...56).contains(count(stone)))
    }
  }

  @Test func woodSitsLowerThanStone() {
    var woodRows = 0.0
    var stoneRows = 0.0
    for seed in Self.seeds {
      let (stone, wood) = sources(seed: seed)
      woodRows += meanRow(wood, width: 25)
      stoneRows += meanRow(stone, width: 25)
    }
    let n = Double(Self.seeds.count)
    #expect(woodRows / n > 12 + 3, "wood should favour the bottom, mean row \(woodRows / n)")
    #expect(stoneRows / n < 12 - 3, "stone should favour the top, mean row \(stoneRows / n)")
  }

  /// Foundation scales the stone probability map by the wood coverage; ours uses stone's own.
  @Test func stoneCoverageDrivesStone() {
    let parameters = UniformLayoutParameters(startingWoodCoverage: 0.01, startingStoneCoverage: 0.1)
    var ratios = 0.0
    for seed in Self.seeds.prefix(10) {
      let (stone, wood) = sources(parameters, height: 40, width: 40, seed: seed)
      // Targets: 16 wood tiles and 160 stone tiles.
      #expect((16...22).contains(count(wood)))
      #expect((160...224).contains(count(stone)))
      ratios += Double(count(stone)) / Double(count(wood))
    }
    let meanRatio = ratios / 10
    #expect(meanRatio > 7 && meanRatio < 14, "stone/wood ratio \(meanRatio)")
  }

  @Test func checkerKeepsOddTilesNearTarget() {
    let parameters = UniformLayoutParameters(
      startingWoodCoverage: 40, startingStoneCoverage: 40, checkerSourceBlocks: true)
    var total = 0
    for seed in Self.seeds.prefix(10) {
      let (stone, wood) = sources(parameters, height: 40, width: 40, seed: seed)
      for i in 0..<1600 where stone[i] == 1 || wood[i] == 1 {
        #expect((i / 40 + i % 40) % 2 == 1)
      }
      total += count(stone) + count(wood)
    }
    // Targets doubled to 80 before checkering, which keeps about half: ~40 of each.
    let mean = Double(total) / 20
    #expect(mean > 30 && mean < 60, "mean sources per resource \(mean)")
  }

  @Test func gradientIsNormalizedAndOneRowWorldsDoNotTrap() {
    let gradient = UniformLayout.rowGradient(height: 5, steepness: 2)
    #expect(gradient[0] == 0)
    #expect(abs(gradient.reduce(0, +) / 5 - 1) < 1e-12)
    #expect(UniformLayout.rowGradient(height: 1, steepness: 8) == [0])
    let (stone, wood) = sources(height: 1, width: 30, seed: 3)
    #expect(stone.count == 30 && wood.count == 30)
  }

  // MARK: - Regrowth

  @Test func halfwidthZeroIsTheSimpleRule() {
    let n = 50 * 50
    var setup = EconomyRNG(seed: 11)
    let source = (0..<n).map { _ in UInt8(setup.uniform() < 0.3 ? 1 : 0) }
    var health = source.map { $0 == 1 && setup.uniform() < 0.5 ? 1.0 : 0.0 }
    var expected = health
    var rng = EconomyRNG(seed: 99)
    var reference = rng
    var scratch = [Double](repeating: 0, count: n)
    for _ in 0..<20 {
      UniformLayout.regenerate(
        health: &health, source: source, height: 50, width: 50, halfwidth: 0, weight: 0.2,
        maxHealth: 1, rng: &rng, scratch: &scratch)
      for i in 0..<n {
        let draw = reference.uniform()
        if source[i] == 1 && expected[i] == 0 && draw < 0.2 { expected[i] = 1 }
      }
    }
    #expect(health == expected)
    #expect(rng == reference)
    #expect(scratch.count == n)
  }

  @Test func halfwidthZeroRegrowthRateMatchesWeight() {
    let n = 100 * 100
    let source = [UInt8](repeating: 1, count: n)
    var health = [Double](repeating: 0, count: n)
    var rng = EconomyRNG(seed: 5)
    var scratch: [Double] = []
    UniformLayout.regenerate(
      health: &health, source: source, height: 100, width: 100, halfwidth: 0, weight: 0.1,
      maxHealth: 1, rng: &rng, scratch: &scratch)
    let rate = health.reduce(0, +) / Double(n)
    // Binomial(10000, 0.1): standard deviation 0.003.
    #expect(abs(rate - 0.1) < 0.015, "regrowth rate \(rate)")
  }

  @Test(arguments: [0, 1, 2])
  func neverExceedsMaxHealthNorGrowsOffSource(halfwidth: Int) {
    let n = 20 * 20
    var setup = EconomyRNG(seed: 2)
    let source = (0..<n).map { _ in UInt8(setup.uniform() < 0.5 ? 1 : 0) }
    var health = [Double](repeating: 0, count: n)
    var rng = EconomyRNG(seed: 3)
    var scratch = [Double](repeating: 0, count: n)
    for _ in 0..<200 {
      UniformLayout.regenerate(
        health: &health, source: source, height: 20, width: 20, halfwidth: halfwidth,
        weight: 0.5, maxHealth: 3, rng: &rng, scratch: &scratch)
      #expect(health.allSatisfy { $0 <= 3 })
    }
    #expect(zip(source, health).allSatisfy { $0 == 1 || $1 == 0 })
    #expect(zip(source, health).contains { $0 == 1 && $1 == 3 })
  }

  /// With halfwidth 1, a source tile counts the health of its 3 × 3 window: an isolated source
  /// regrows with probability `weight / 9`, the centre of a full block with `weight`.
  @Test func kernelCountsNeighbourHealth() {
    let (height, width) = (9, 9)
    var source = [UInt8](repeating: 0, count: height * width)
    for r in 0..<3 { for c in 0..<3 { source[r * width + c] = 1 } }  // full block
    source[6 * width + 6] = 1  // isolated tile
    var blockCentre = 0
    var isolated = 0
    var rng = EconomyRNG(seed: 21)
    var scratch = [Double](repeating: 0, count: height * width)
    let trials = 20_000
    for _ in 0..<trials {
      var health = [Double](repeating: 0, count: height * width)
      UniformLayout.regenerate(
        health: &health, source: source, height: height, width: width, halfwidth: 1,
        weight: 0.9, maxHealth: 1, rng: &rng, scratch: &scratch)
      blockCentre += Int(health[1 * width + 1])
      isolated += Int(health[6 * width + 6])
    }
    let centreRate = Double(blockCentre) / Double(trials)
    let isolatedRate = Double(isolated) / Double(trials)
    #expect(abs(centreRate - 0.9) < 0.015, "block centre rate \(centreRate)")
    #expect(abs(isolatedRate - 0.1) < 0.015, "isolated rate \(isolatedRate)")
  }

  // MARK: - Validation

  @Test func defaultsAreValid() {
    #expect(UniformLayoutParameters().validate().isEmpty)
    #expect(UniformLayoutParameters().validate(height: 25, width: 25).isEmpty)
  }

  @Test func validationListsEveryProblem() {
    let parameters = UniformLayoutParameters(
      startingWoodCoverage: -0.1, woodRegenHalfwidth: 4, stoneRegenWeight: 1.5,
      woodMaxHealth: 0, stoneClumpiness: 1.2, gradientSteepness: 0.5)
    #expect(
      parameters.validate() == [
        "starting_wood_coverage must be positive (a fraction below 1 or a tile count), got -0.1",
        "wood_regen_halfwidth must be in 0...3, got 4",
        "stone_regen_weight must be in [0, 1], got 1.5",
        "wood_max_health must be at least 1, got 0",
        "stone_clumpiness must be in [0, 1], got 1.2",
        "gradient_steepness must be at least 1, got 0.5",
      ])
  }

  @Test func coverageSumMustStayBelowHalf() {
    let fractions = UniformLayoutParameters(startingWoodCoverage: 0.3, startingStoneCoverage: 0.2)
    #expect(
      fractions.validate() == [
        "starting_wood_coverage + starting_stone_coverage must cover less than half of the "
          + "tiles, got 0.5"
      ])
    let counts = UniformLayoutParameters(startingWoodCoverage: 200, startingStoneCoverage: 120)
    #expect(counts.validate().isEmpty)
    #expect(counts.validate(height: 25, width: 25).count == 1)
    #expect(counts.validate(height: 40, width: 40).isEmpty)
  }

  @Test func countsAndCheckeringNeedRoom() {
    let tooMany = UniformLayoutParameters(startingWoodCoverage: 700)
    #expect(
      tooMany.validate(height: 25, width: 25).first
        == "starting_wood_coverage must be fewer tiles than the world holds (625), got 700.0")
    let checker = UniformLayoutParameters(
      startingWoodCoverage: 0.45, startingStoneCoverage: 0.01, checkerSourceBlocks: true)
    #expect(checker.validate().isEmpty)
    let crowded = UniformLayoutParameters(
      startingWoodCoverage: 0.6, startingStoneCoverage: 0.01, checkerSourceBlocks: true)
    #expect(
      crowded.validate().first
        == "starting_wood_coverage must cover less than half of the tiles with "
        + "checker_source_blocks, got 0.6")
    #expect(
      UniformLayoutParameters().validate(height: 0, width: 5)
        == ["world size must be positive, got 0×5"])
  }
}
