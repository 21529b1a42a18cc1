import Foundation
import Testing

@testable import Economy

/// Bad configs give one clear, located message each (file, line, column, key path; what was
/// expected and what was found), aggregated into one ``ConfigError``; good configs load.
@Suite("Config errors")
struct ConfigErrorTests {
  /// A valid env section on a 25×25 map; tests replace single lines to break it.
  static let valid = """
    scenario_name: layout_from_file/simple_wood_and_stone
    components:
      - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3}
      - ContinuousDoubleAuction: {max_num_orders: 5}
      - Gather: {move_labor: 1}
      - PeriodicBracketTax: {period: 100}
    env_layout_file: quadrant_25x25_20each_30clump.txt
    n_agents: 4
    world_size: [25, 25]
    episode_length: 1000
    """

  /// `valid` with `old` replaced by `new` (which must occur exactly once).
  static func replacing(
    _ old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation
  )
    -> String
  {
    #expect(
      valid.components(separatedBy: old).count == 2, "'\(old)' must occur once",
      sourceLocation: sourceLocation)
    return valid.replacingOccurrences(of: old, with: new)
  }

  @Test func validConfigBuilds() {
    #expect(configErrorText(Self.valid) == nil)
  }

  // MARK: - Names

  @Test func unknownScenarioSuggestsTheClosest() {
    let yaml = Self.replacing(
      "layout_from_file/simple_wood_and_stone", with: "uniform/simple_wood_and_ston")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:1:16: scenario_name: expected one of 'layout_from_file/simple_wood_and_stone', 'split_layout/simple_wood_and_stone', 'uniform/simple_wood_and_stone', 'multi_zone/simple_wood_and_stone', 'quadrant/simple_wood_and_stone', 'one-step-economy', found 'uniform/simple_wood_and_ston' (did you mean 'uniform/simple_wood_and_stone'?)"
    )
  }

  @Test func unknownComponentSuggestsTheClosest() {
    let yaml = Self.replacing("- Build:", with: "- Bulid:")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:3:12: components[0].Bulid: Unknown component 'Bulid'. Did you mean 'Build'?"
    )
  }

  @Test func unknownComponentWithoutCloseNameListsTheKnownOnes() {
    let yaml = Self.replacing("- Gather: {move_labor: 1}", with: "- Teleport: {}")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:5:15: components[2].Teleport: Unknown component 'Teleport'. Known components: Build, ContinuousDoubleAuction, Gather, PeriodicBracketTax, SimpleLabor, WealthRedistribution"
    )
  }

  @Test func unknownComponentParameterSuggestsTheClosest() {
    let yaml = Self.replacing("{move_labor: 1}", with: "{move_labour: 1}")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:5:14: components[2].Gather.move_labour: unknown parameter 'move_labour' for Gather (did you mean 'move_labor'?)"
    )
  }

  @Test func unknownEnvParameterSuggestsTheClosest() {
    let yaml = Self.valid + "\nstarting_agent_coins: 10"
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:11:1: starting_agent_coins: unknown parameter 'starting_agent_coins' for the env section (layout_from_file/simple_wood_and_stone) (did you mean 'starting_agent_coin'?)"
    )
  }

  @Test func uniformParametersAreUnknownInLayoutFromFile() {
    let yaml = Self.valid + "\nwood_clumpiness: 0.5"
    let text = configErrorText(yaml)
    #expect(
      text?.hasPrefix(
        "scenarios/bad.yaml:11:1: wood_clumpiness: unknown parameter 'wood_clumpiness'") == true)
  }

  // MARK: - Types and ranges

  @Test func wrongTypeNamesExpectedAndFound() {
    let yaml = Self.replacing("n_agents: 4", with: "n_agents: four")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:8:11: n_agents: expected an integer, found 'four'")
  }

  @Test func fractionalIntegerIsAWrongType() {
    let yaml = Self.replacing("episode_length: 1000", with: "episode_length: 10.5")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:10:17: episode_length: expected an integer, found 10.5")
  }

  @Test func wrongTypeInsideAComponent() {
    let yaml = Self.replacing("{period: 100}", with: "{period: monthly}")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:6:34: components[3].PeriodicBracketTax.period: expected an integer, found 'monthly'"
    )
  }

  @Test func outOfRangeNamesTheRange() {
    let yaml = Self.valid + "\nisoelastic_eta: 1.5"
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:11:17: isoelastic_eta: expected a value in 0...1, found 1.5")
  }

  @Test func negativeComponentParameterIsOutOfRange() {
    let yaml = Self.replacing("{move_labor: 1}", with: "{move_labor: -1}")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:5:26: components[2].Gather.move_labor: expected a value in 0...1000000, found -1"
    )
  }

  @Test func badChoiceListsTheOptions() {
    let yaml = Self.replacing("skill_dist: pareto", with: "skill_dist: paretto")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:3:25: components[0].Build.skill_dist: expected one of 'none', 'pareto', 'lognormal', found 'paretto' (did you mean 'pareto'?)"
    )
  }

  @Test func tooFewAgents() {
    let yaml = Self.replacing("n_agents: 4", with: "n_agents: 1")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:8:11: n_agents: expected a value in 2...1000, found 1")
  }

  @Test func worldSizeNeedsTwoPositiveIntegers() {
    let yaml = Self.replacing("world_size: [25, 25]", with: "world_size: [25]")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:9:13: world_size: expected [height, width] with two positive integers, found [25]"
    )
  }

  // MARK: - Missing keys

  @Test func missingNAgents() {
    let yaml = Self.replacing("n_agents: 4\n", with: "")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:1:1: missing 'n_agents' (number of mobile agents, at least 2)")
  }

  @Test func missingWorldSize() {
    let yaml = Self.replacing("world_size: [25, 25]\n", with: "")
    #expect(
      configErrorText(yaml) == "scenarios/bad.yaml:1:1: missing 'world_size' ([height, width])")
  }

  @Test func missingScenarioName() {
    let yaml = Self.replacing("scenario_name: layout_from_file/simple_wood_and_stone\n", with: "")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:1:1: missing 'scenario_name'; expected one of 'layout_from_file/simple_wood_and_stone', 'split_layout/simple_wood_and_stone', 'uniform/simple_wood_and_stone', 'multi_zone/simple_wood_and_stone', 'quadrant/simple_wood_and_stone', 'one-step-economy'"
    )
  }

  @Test func missingKeysInARunConfigNameTheEnvSection() {
    let yaml = """
      env:
        scenario_name: layout_from_file/simple_wood_and_stone
        world_size: [25, 25]
      general:
        episodes: 10
      """
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:2:3: env: missing 'n_agents' (number of mobile agents, at least 2)")
  }

  // MARK: - Layouts

  @Test func missingLayoutSuggestsTheClosestBuiltIn() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let yaml = Self.replacing(
      "quadrant_25x25_20each_30clump.txt", with: "quadrant_25x25_20each_30clumps.txt")
    let path = try writeFile(yaml, named: "config.yaml", in: directory)
    let name = "quadrant_25x25_20each_30clumps.txt"
    let searched =
      "\(directory)/\(name), \(name), \(directory)/layouts/\(name), \(directory)/../layouts/\(name), layouts/\(name)"
    #expect(
      configFileErrorText(path)
        == "\(path):7:18: env_layout_file: layout file '\(name)' not found (looked in: \(searched) and the built-in layouts); did you mean 'quadrant_25x25_20each_30clump.txt'?"
    )
  }

  /// Writes `layout` as `map.txt` beside a 3×4 config with 2 agents and returns the error text.
  func layoutError(_ layout: String, worldSize: String = "[3, 4]", agents: Int = 2) throws -> (
    String?, String
  ) {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let layoutPath = try writeFile(layout, named: "map.txt", in: directory)
    let yaml = """
      scenario_name: layout_from_file/simple_wood_and_stone
      components:
        - Gather: {}
      env_layout_file: map.txt
      n_agents: \(agents)
      world_size: \(worldSize)
      """
    let path = try writeFile(yaml, named: "config.yaml", in: directory)
    return (configFileErrorText(path), "\(path):4:18: env_layout_file: \(layoutPath)")
  }

  @Test func layoutNextToTheConfigLoads() throws {
    let (text, _) = try layoutError("W  S;    ; @@ ;")
    #expect(text == nil)
  }

  @Test func raggedLayoutRows() throws {
    let (text, prefix) = try layoutError("W  S;   ; @@ ;")
    #expect(
      text
        == "\(prefix): row 2 has 3 columns, expected 4 like row 1 (rows must all have the same length)"
    )
  }

  @Test func unknownLayoutCharacterNamesRowAndColumn() throws {
    let (text, prefix) = try layoutError("W  S;  w ; @@ ;")
    #expect(
      text
        == "\(prefix): row 2, column 3: unknown character 'w'; expected 'W' (wood source), 'S' (stone source), '@' (water) or ' ' (empty) (did you mean 'W'?)"
    )
  }

  @Test func layoutColumnsCountCharactersNotBytes() throws {
    let (text, prefix) = try layoutError("W  S;  é ; @@ ;")
    #expect(
      text
        == "\(prefix): row 2, column 3: unknown character 'é'; expected 'W' (wood source), 'S' (stone source), '@' (water) or ' ' (empty)"
    )
    let (newline, newlinePrefix) = try layoutError("W  S;\n   ; @@ ;")
    #expect(
      newline
        == "\(newlinePrefix): row 2, column 1: unknown character '\\n'; expected 'W' (wood source), 'S' (stone source), '@' (water) or ' ' (empty)"
    )
  }

  @Test func layoutSizeMustMatchWorldSize() throws {
    let (text, _) = try layoutError("W  S;    ; @@ ;", worldSize: "[4, 4]")
    let directory = try #require(text?.components(separatedBy: "/config.yaml").first)
    #expect(
      text
        == "\(directory)/config.yaml:6:13: world_size: layout 'map.txt' is 3×4 but world_size is [4, 4]"
    )
  }

  @Test func emptyLayout() throws {
    let (text, prefix) = try layoutError(";")
    #expect(text == "\(prefix): the layout is empty: expected rows separated by ';'")
  }

  @Test func moreAgentsThanFreeTiles() throws {
    let (text, _) = try layoutError("@@@@;@@ @;@@@ ;", agents: 3)
    let directory = try #require(text?.components(separatedBy: "/config.yaml").first)
    #expect(
      text
        == "\(directory)/config.yaml:5:11: n_agents: 3 agents do not fit on the 2 tiles of the layout that are not water"
    )
  }

  // MARK: - Consistency

  @Test(
    "numbers that would break an episode: non-finite, unbounded sums, huge action spaces, unused but wrong",
    arguments: [
      (
        "PeriodicBracketTax: {period: 100, tax_annealing_schedule: [.nan, 0.001]}",
        "scenarios/bad.yaml:6:64: components[3].PeriodicBracketTax.tax_annealing_schedule[0]: expected a finite number, found .nan"
      ),
      (
        "PeriodicBracketTax: {period: 100, rate_disc: 1e-9}",
        "scenarios/bad.yaml:6:50: components[3].PeriodicBracketTax.rate_disc: expected rate_disc to give at most 1001 rates in 0.0...1.0 (rate_disc >= 0.001), found 1e-09 (1000000000 rates)"
      ),
      (
        "PeriodicBracketTax: {period: 100, fixed_bracket_rates: [2, 0.1]}",
        "scenarios/bad.yaml:6:60: components[3].PeriodicBracketTax.fixed_bracket_rates: expected 7 rates (one per bracket), found 2"
      ),
      (
        "Build: {skill_dist: pareto, payment_max_skill_multiplier: 3, payment: 1e308}",
        "scenarios/bad.yaml:3:75: components[0].Build.payment: expected a value in 0...1000000000, found 1e308"
      ),
      (
        "Gather: {move_labor: .inf}",
        "scenarios/bad.yaml:5:26: components[2].Gather.move_labor: expected a finite number, found .inf"
      ),
    ])
  func numbersThatWouldBreakAnEpisode(replacement: String, expected: String) {
    let old = ["PeriodicBracketTax", "Build", "Gather"].first { replacement.hasPrefix($0) }!
    let line = Self.valid.split(separator: "\n").first { $0.contains("- \(old):") }!
    let yaml = Self.replacing(String(line.dropFirst(4)), with: replacement)
    #expect(configErrorText(yaml) == expected)
    let coin = Self.valid + "\nstarting_agent_coin: 1e308"
    #expect(
      configErrorText(coin)
        == "scenarios/bad.yaml:11:22: starting_agent_coin: expected a value in 0...1000000000, found 1e308")
  }

  @Test func periodicBracketTaxMustBeLast() {
    let yaml = Self.replacing(
      "  - Gather: {move_labor: 1}\n  - PeriodicBracketTax: {period: 100}",
      with: "  - PeriodicBracketTax: {period: 100}\n  - Gather: {move_labor: 1}")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:5:25: components[2].PeriodicBracketTax: PeriodicBracketTax must be the last component (found 'Gather' after it)"
    )
  }

  @Test func fixedFourNeedsParetoBuildSkills() {
    let yaml =
      Self.replacing("skill_dist: pareto", with: "skill_dist: lognormal")
      + "\nfixed_four_skill_and_loc: true"
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:11:27: fixed_four_skill_and_loc: fixed_four_skill_and_loc needs the Build component with skill_dist 'pareto', found skill_dist 'lognormal'"
    )
  }

  @Test func fixedFourNeedsABuildComponent() {
    let yaml =
      Self.replacing(
        "  - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3}\n", with: "")
      + "\nfixed_four_skill_and_loc: true"
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:10:27: fixed_four_skill_and_loc: fixed_four_skill_and_loc needs the Build component with skill_dist 'pareto', found no Build component"
    )
  }

  @Test func uniformLayoutProblemsPointAtTheirParameter() {
    let yaml = """
      scenario_name: uniform/simple_wood_and_stone
      n_agents: 4
      world_size: [10, 10]
      starting_wood_coverage: 0.3
      starting_stone_coverage: 0.3
      """
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:4:25: starting_wood_coverage: uniform/simple_wood_and_stone layout: starting_wood_coverage + starting_stone_coverage must cover less than half of the tiles, got 0.6"
    )
  }

  @Test func moreAgentsThanTilesOnAUniformMap() {
    let yaml = """
      scenario_name: uniform/simple_wood_and_stone
      n_agents: 10
      world_size: [3, 3]
      starting_wood_coverage: 1
      starting_stone_coverage: 1
      """
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:2:11: n_agents: 10 agents do not fit on a 3×3 map")
  }

  @Test func componentListedTwice() {
    let yaml = Self.replacing(
      "  - Gather: {move_labor: 1}\n", with: "  - Gather: {move_labor: 1}\n  - Gather: {}\n")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:6:13: components[3].Gather: component 'Gather' is listed twice")
  }

  @Test func componentEntryMustBeASingleKeyMap() {
    let yaml = Self.replacing("- Gather: {move_labor: 1}", with: "- {Gather: {}, Build: {}}")
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:5:5: components[2]: expected a single-key map like '- Build: {payment: 10}', found a map with 2 keys"
    )
  }

  @Test func unknownRunConfigSection() {
    let yaml = """
      env:
        n_agents: 4
      trainer:
        num_workers: 2
      agent_polcy:
        lr: 0.001
      """
    #expect(
      configErrorText(yaml) == """
        3 problems in scenarios/bad.yaml:
        - scenarios/bad.yaml:2:3: env: missing 'scenario_name'; expected one of 'layout_from_file/simple_wood_and_stone', 'split_layout/simple_wood_and_stone', 'uniform/simple_wood_and_stone', 'multi_zone/simple_wood_and_stone', 'quadrant/simple_wood_and_stone', 'one-step-economy'
        - scenarios/bad.yaml:2:3: env: missing 'world_size' ([height, width])
        - scenarios/bad.yaml:5:1: agent_polcy: unknown section 'agent_polcy' in a run config; expected env, general, agent_policy, planner_policy, trainer (did you mean 'agent_policy'?)
        """)
  }

  @Test func invalidYAMLNamesLineAndColumn() {
    let text = configErrorText("n_agents: 4\nworld_size: [25, 25\nepisode_length: 10\n")
    #expect(text?.hasPrefix("scenarios/bad.yaml:") == true)
    #expect(text?.contains("invalid YAML") == true, "\(text ?? "no error")")
  }

  @Test func emptyConfig() {
    #expect(configErrorText("") == "scenarios/bad.yaml: expected a mapping, found null")
    #expect(
      configErrorText("- 1\n- 2") == "scenarios/bad.yaml:1:1: expected a mapping, found a list")
  }

  @Test func manyProblemsAreListedUpToTwentyThenCountedByKind() throws {
    let unknown = (0..<25).map { "extra_\($0): 1" }.joined(separator: "\n")
    let text = try #require(
      configErrorText(
        Self.replacing("n_agents: 4", with: "n_agents: 1").replacingOccurrences(
          of: "episode_length: 1000", with: "episode_length: 0") + "\n" + unknown))
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.first == "27 problems in scenarios/bad.yaml:")
    #expect(lines.count == 1 + 20 + 1)
    #expect(lines[1] == "- scenarios/bad.yaml:8:11: n_agents: expected a value in 2...1000, found 1")
    #expect(lines.last == "- and 7 more: 7 × unknown parameter")
  }

  @Test func aFileThatIsNotAConfigGetsOneErrorNotSpuriousOnes() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    func text(_ content: String, _ name: String) throws -> String? {
      configFileErrorText(try writeFile(content, named: name, in: directory))
    }
    // Without a mapping or a world_size, no layout-size complaint follows.
    #expect(try text("", "empty.yaml") == "\(directory)/empty.yaml: expected a mapping, found null")
    #expect(try text("- 1\n- 2\n", "list.yaml") == "\(directory)/list.yaml:1:1: expected a mapping, found a list")
    #expect(
      try text("scenario_name: layout_from_file/simple_wood_and_stone\nn_agents: 4\n", "nosize.yaml")
        == "\(directory)/nosize.yaml:1:1: missing 'world_size' ([height, width])")
    // A byte-order mark before the first key is not part of it.
    #expect(try text("\u{FEFF}" + Self.valid, "bom.yaml") == nil)
  }

  @Test func missingConfigFile() {
    #expect(
      configFileErrorText("/nonexistent/config.yaml") == "/nonexistent/config.yaml: no such file")
  }

  // MARK: - Aggregation

  @Test func severalProblemsAreReportedTogetherInFileOrder() {
    let yaml = """
      scenario_name: layout_from_file/simple_wood_and_stone
      n_agents: 1
      world_size: [25, 25]
      episode_length: -5
      isoelastic_eta: high
      enrgy_cost: 0.2
      """
    #expect(
      configErrorText(yaml) == """
        4 problems in scenarios/bad.yaml:
        - scenarios/bad.yaml:2:11: n_agents: expected a value in 2...1000, found 1
        - scenarios/bad.yaml:4:17: episode_length: expected a value in 1...2147483647, found -5
        - scenarios/bad.yaml:5:17: isoelastic_eta: expected a number, found 'high'
        - scenarios/bad.yaml:6:1: enrgy_cost: unknown parameter 'enrgy_cost' for the env section (layout_from_file/simple_wood_and_stone) (did you mean 'energy_cost'?)
        """)
  }

  @Test func componentProblemsAreReportedTogether() {
    let yaml = Self.replacing(
      "- Build: {skill_dist: pareto, payment_max_skill_multiplier: 3}", with: "- Bulid: {}"
    )
    .replacingOccurrences(of: "{move_labor: 1}", with: "{move_labor: x, colect_labor: 1}")
    #expect(
      configErrorText(yaml) == """
        3 problems in scenarios/bad.yaml:
        - scenarios/bad.yaml:3:12: components[0].Bulid: Unknown component 'Bulid'. Did you mean 'Build'?
        - scenarios/bad.yaml:5:26: components[2].Gather.move_labor: expected a number, found 'x'
        - scenarios/bad.yaml:5:29: components[2].Gather.colect_labor: unknown parameter 'colect_labor' for Gather (did you mean 'collect_labor'?)
        """)
  }

  @Test func configFileProblemsOfEveryKindAreReportedTogether() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let yaml = """
      env:
        scenario_name: layout_from_file/simple_wood_and_stone
        components:
          - Bulid: {}
          - Gather: {move_labor: -2}
        env_layout_file: no_such_layout.txt
        n_agents: 4
        world_size: [25, 25]
        episode_lenght: 100
      """
    let path = try writeFile(yaml, named: "run.yaml", in: directory)
    let text = try #require(configFileErrorText(path))
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 5, "\(text)")
    #expect(lines.first == "4 problems in \(path):")
    #expect(
      lines.dropFirst().map { $0.components(separatedBy: ": ").dropFirst().first ?? "" } == [
        "env.components[0].Bulid", "env.components[1].Gather.move_labor", "env.env_layout_file",
        "env.episode_lenght",
      ])
    #expect(
      lines[1]
        == "- \(path):4:14: env.components[0].Bulid: Unknown component 'Bulid'. Did you mean 'Build'?"
    )
    #expect(
      lines[2]
        == "- \(path):5:28: env.components[1].Gather.move_labor: expected a value in 0...1000000, found -2")
    #expect(
      lines[4]
        == "- \(path):9:3: env.episode_lenght: unknown parameter 'episode_lenght' for the env section (layout_from_file/simple_wood_and_stone) (did you mean 'episode_length'?)"
    )
  }

  // MARK: - Configs that load

  @Test(arguments: ["foundation-phase1-config.yaml", "foundation-phase2-config.yaml"])
  func foundationRunConfigsLoadUnchanged(name: String) throws {
    let config = try EnvironmentConfig.load(path: fixturePath(name))
    #expect(
      config.components.map(\.name) == [
        "Build", "ContinuousDoubleAuction", "Gather", "PeriodicBracketTax",
      ])
    #expect(
      config.otherSections.map(\.name) == ["general", "agent_policy", "planner_policy", "trainer"])
    #expect(
      config.agentCount == 4 && config.height == 25 && config.width == 25
        && config.episodeLength == 1000)
    #expect(config.denseLogFrequency == 20)
    var env = try Environment(config: config)
    env.reset(seed: 1)
    env.step()
    #expect(
      env.componentNames == ["Build", "ContinuousDoubleAuction", "Gather", "PeriodicBracketTax"])
    #expect(env.actionLayout.mobileActionCount == 50)
    // Phase 1 disables taxes: the planner has only its placeholder action.
    #expect(env.actionLayout.planner.count == (name.contains("phase1") ? 0 : 7))
  }

  @Test func tutorialScenarioLoads() throws {
    let config = try tutorialConfig()
    #expect(config.scenario == .layoutFromFile)
    #expect(config.parameters.fixedFourSkillAndLoc)
    #expect(config.otherSections.isEmpty)
    let env = try Environment(config: config)
    #expect(env.actionLayout.mobileActionCount == 50)
    #expect(env.actionLayout.planner.count == 7)
  }

  @Test func envSectionAloneLoadsLikeARunConfig() throws {
    let alone = try EnvironmentConfig.parse(yaml: Self.valid, file: "a.yaml")
    let indented = Self.valid.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    let wrapped = try EnvironmentConfig.parse(
      yaml: "env:\n" + indented + "\ngeneral: {episodes: 1}", file: "b.yaml")
    #expect(alone.components.map(\.name) == wrapped.components.map(\.name))
    #expect(alone.parameters == wrapped.parameters)
    #expect(alone.agentCount == wrapped.agentCount && alone.episodeLength == wrapped.episodeLength)
    #expect(wrapped.otherSections.map(\.name) == ["general"])
    #expect(configErrorText(Self.valid) == nil)
  }

  @Test func extremeButValidSettingsBuildAndStep() throws {
    // Storage reserved up front is bounded: the longest episode with a dense log, and orders
    // that never expire (max_num_orders defaults to order_duration), must not exhaust memory.
    let components = """
        - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3}
        - ContinuousDoubleAuction: {order_duration: 2147483647}
        - Gather: {}
      """
    var env = try environment(smallEnvYAML(episodeLength: Int(Int32.max), components: components))
    env.reset(seed: 1, forceDenseLog: true)
    var policy = RandomActions(seed: 1)
    for _ in 0..<20 {
      policy.fill(&env)
      env.step()
    }
    #expect(env.denseLogSoFar().steps == 20)
    #expect(env.invariantViolation() == nil)
  }

  @Test func plannerRewardTypeAcceptsTheSpellingWithoutS() throws {
    for spelling in ["inv_income_weighted_coin_endowment", "inv_income_weighted_coin_endowments"] {
      let config = try EnvironmentConfig.parse(
        yaml: Self.valid + "\nplanner_reward_type: \(spelling)", file: nil)
      #expect(config.parameters.plannerRewardType == .invIncomeWeightedCoinEndowments)
    }
    let text = configErrorText(Self.valid + "\nplanner_reward_type: inv_income_weighted_coin")
    #expect(
      text?.contains("planner_reward_type: expected one of 'coin_eq_times_productivity'") == true)
  }
}
