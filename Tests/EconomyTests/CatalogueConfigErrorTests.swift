import Basics
import Testing

@testable import Economy

/// Config errors of the split, multi-zone, quadrant and one-step-economy scenarios: one clear,
/// located message each (file, line, column, key path; what was expected and what was found),
/// and agreement with Foundation 1.7.1 on which configurations it rejects
/// (foundation-catalogue.json, `generators.errors`).
@Suite("Config errors of the catalogue scenarios")
struct CatalogueConfigErrorTests {
  /// A valid split layout on the 25×25 layout file.
  static let split = """
    scenario_name: split_layout/simple_wood_and_stone
    components:
      - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3}
      - ContinuousDoubleAuction: {}
      - Gather: {}
    env_layout_file: quadrant_25x25_20each_30clump.txt
    n_agents: 4
    world_size: [25, 25]
    """

  /// A valid one-step economy.
  static let oneStep = """
    scenario_name: one-step-economy
    components:
      - SimpleLabor: {}
      - PeriodicBracketTax: {period: 2, bracket_spacing: us-federal, usd_scaling: 1000, tax_model: model_wrapper}
    n_agents: 4
    world_size: [10, 10]
    episode_length: 2
    """

  /// `base` with `old` replaced by `new` (which must occur exactly once).
  static func replacing(
    _ base: String, _ old: String, with new: String, sourceLocation: SourceLocation = #_sourceLocation
  ) -> String {
    #expect(base.components(separatedBy: old).count == 2, "'\(old)' must occur once", sourceLocation: sourceLocation)
    return base.replacingOccurrences(of: old, with: new)
  }

  @Test func validConfigsBuild() {
    #expect(configErrorText(Self.split) == nil)
    #expect(configErrorText(Self.split + "\nwater_row: 8\nskill_rank_of_top_agents: [1, 0, 1]") == nil)
    #expect(configErrorText(Self.split + "\nskill_rank_of_top_agents: 2") == nil)
    #expect(configErrorText(Self.oneStep) == nil)
  }

  /// Foundation rejects exactly the configurations we reject (whatever its exception: most are
  /// bare assertions), and builds the others (water rows 1 and 23, 64 zones of 64, quadrant
  /// on 20×30 and 30×20).
  @Test func rejectsWhatFoundationRejects() throws {
    let cases = Catalogue.value("generators", "errors").objectValue?.entries ?? []
    #expect(cases.count == 12)
    for (name, c) in cases {
      let raised = try #require(c["raised"]?.boolValue)
      var message: String?
      do { _ = try Catalogue.environment(c["env"] ?? .null) } catch { message = "\(error)" }
      #expect(
        (message != nil) == raised, "\(name): Foundation \(raised ? "raised" : "built"), we \(message ?? "built")")
    }
  }

  /// Where Foundation builds a split layout with water row 1 or 23, the water is the layout's
  /// plus that whole row.
  @Test(arguments: ["split_layout_water_row_1", "split_layout_water_row_23"])
  func extremeWaterRowsMatchFoundation(_ name: String) throws {
    let c = Catalogue.value("generators", "errors", name)
    var env = try Catalogue.environment(c["env"] ?? .null)
    env.reset(seed: 1)
    var rows: [(key: String, value: JSONValue)] = []
    for r in 0..<env.world.height {
      let n = (0..<env.world.width).filter { env.world.value(.water, r, $0) > 0 }.count
      if n > 0 { rows.append((String(r), .int(Int64(n)))) }
    }
    #expect(jsonDifference(.object(JSONObject(rows)), c["water_rows_full_or_partial"] ?? .null) == nil)
  }

  // MARK: - Split layout

  @Test func splitLayoutRejectsFixedFourSkillAndLoc() {
    #expect(
      configErrorText(Self.split + "\nfixed_four_skill_and_loc: true")
        == "scenarios/bad.yaml:9:27: fixed_four_skill_and_loc: split_layout/simple_wood_and_stone does not support fixed_four_skill_and_loc; set it to false"
    )
  }

  @Test func splitLayoutWaterRowMustLieStrictlyInside() {
    for row in [0, 24] {
      #expect(
        configErrorText(Self.split + "\nwater_row: \(row)")
          == "scenarios/bad.yaml:9:12: water_row: expected a water_row in 1...23 (strictly inside the 25-row map), found \(row)"
      )
    }
    #expect(
      configErrorText(Self.split + "\nwater_row: middle")
        == "scenarios/bad.yaml:9:12: water_row: expected an integer, found 'middle'")
  }

  @Test func splitLayoutDefaultWaterRowNeedsRoom() {
    // A 2-row world: no row lies strictly inside it (and the layout file does not fit it).
    let yaml = Self.replacing(Self.split, "world_size: [25, 25]", with: "world_size: [2, 25]")
    #expect(
      configErrorText(yaml) == """
        2 problems in scenarios/bad.yaml:
        - scenarios/bad.yaml:8:13: world_size: layout 'quadrant_25x25_20each_30clump.txt' is 25×25 but world_size is [2, 25]
        - scenarios/bad.yaml:8:13: world_size: expected a map of at least 3 rows (the water row must lie strictly inside it), found 2
        """)
  }

  @Test func splitLayoutSkillRanksMustBeRanksOfSomeAgents() {
    #expect(
      configErrorText(Self.split + "\nskill_rank_of_top_agents: [0, 7]")
        == "scenarios/bad.yaml:9:27: skill_rank_of_top_agents: expected skill ranks in 0...3 (0 = the best agent), found 7"
    )
    #expect(
      configErrorText(Self.split + "\nskill_rank_of_top_agents: -1")
        == "scenarios/bad.yaml:9:27: skill_rank_of_top_agents: expected skill ranks in 0...3 (0 = the best agent), found -1"
    )
    #expect(
      configErrorText(Self.split + "\nskill_rank_of_top_agents: [0, 1, 2, 3]")
        == "scenarios/bad.yaml:9:27: skill_rank_of_top_agents: expected between 1 and 3 skill ranks above the water (the other agents start below it), found 4: [0, 1, 2, 3]"
    )
    #expect(
      configErrorText(Self.split + "\nskill_rank_of_top_agents: []")
        == "scenarios/bad.yaml:9:27: skill_rank_of_top_agents: expected between 1 and 3 skill ranks above the water (the other agents start below it), found 0"
    )
    #expect(
      configErrorText(Self.split + "\nskill_rank_of_top_agents: best")
        == "scenarios/bad.yaml:9:27: skill_rank_of_top_agents: expected a skill rank or a list of skill ranks (0 = the best agent), found 'best'"
    )
    #expect(
      configErrorText(Self.split + "\nskill_rank_of_top_agents: [0, best]")
        == "scenarios/bad.yaml:9:31: skill_rank_of_top_agents[1]: expected an integer, found 'best'")
  }

  @Test func splitLayoutNeedsParetoBuildSkills() {
    let none = Self.replacing(
      Self.split, "{skill_dist: pareto, payment_max_skill_multiplier: 3}", with: "{skill_dist: none}")
    #expect(
      configErrorText(none)
        == "scenarios/bad.yaml:1:16: scenario_name: split_layout/simple_wood_and_stone needs the Build component with skill_dist 'pareto' (it ranks agents by build payment), found skill_dist 'none'"
    )
    let noBuild = Self.replacing(
      Self.split, "  - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3}\n", with: "")
    #expect(
      configErrorText(noBuild)
        == "scenarios/bad.yaml:1:16: scenario_name: split_layout/simple_wood_and_stone needs the Build component with skill_dist 'pareto' (it ranks agents by build payment), found no Build component"
    )
  }

  // MARK: - Multi-zone and quadrant

  @Test func multiZoneRejectsMoreZonesThanRegions() {
    let yaml = """
      scenario_name: multi_zone/simple_wood_and_stone
      components:
        - Build: {}
        - Gather: {}
      n_agents: 4
      world_size: [25, 25]
      num_wood_zones: 30
      num_stone_zones: 30
      num_wood_and_stone_zones: 5
      """
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:9:27: num_wood_and_stone_zones: expected at most num_partitions_row × num_partitions_col = 64 zones, found 30 wood + 30 stone + 5 wood-and-stone"
    )
    #expect(configErrorText(yaml.replacingOccurrences(of: "zones: 5", with: "zones: 4")) == nil)
  }

  @Test func quadrantWaterLinesMustFallInsideTheMap() {
    let yaml = """
      scenario_name: quadrant/simple_wood_and_stone
      components:
        - Build: {}
        - Gather: {}
      n_agents: 4
      world_size: [10, 30]
      """
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:6:13: world_size: quadrant/simple_wood_and_stone puts its water column at height / 2 = 5 and its water row at width / 2 = 15, which must lie inside the 10×30 map"
    )
    #expect(configErrorText(yaml.replacingOccurrences(of: "[10, 30]", with: "[20, 30]")) == nil)
  }

  // MARK: - One-step economy

  @Test func oneStepEconomyNeedsSimpleLabor() {
    #expect(
      configErrorText(Self.replacing(Self.oneStep, "  - SimpleLabor: {}\n", with: ""))
        == "scenarios/bad.yaml:3:3: components: one-step-economy needs the SimpleLabor component (agents choose their hours through it), found PeriodicBracketTax"
    )
  }

  @Test func oneStepEconomyLaborExponentAboveOne() {
    #expect(
      configErrorText(Self.oneStep + "\nlabor_exponent: 1")
        == "scenarios/bad.yaml:8:17: labor_exponent: expected a labor_exponent above 1 for coin_minus_labor_cost, found 1.0"
    )
    // The isoelastic utility does not use the exponent.
    #expect(
      configErrorText(Self.oneStep + "\nlabor_exponent: 1\nagent_reward_type: isoelastic_coin_minus_labor") == nil)
  }

  @Test func oneStepEconomyUnknownRewardTypeSuggestsTheClosest() {
    #expect(
      configErrorText(Self.oneStep + "\nagent_reward_type: coin_minus_labour_cost")
        == "scenarios/bad.yaml:8:20: agent_reward_type: expected one of 'coin_minus_labor_cost', 'isoelastic_coin_minus_labor', found 'coin_minus_labour_cost' (did you mean 'coin_minus_labor_cost'?)"
    )
  }

  @Test func oneStepEconomyRejectsTheMapScenariosKeys() {
    #expect(
      configErrorText(Self.oneStep + "\nenergy_cost: 0.2")
        == "scenarios/bad.yaml:8:1: energy_cost: unknown parameter 'energy_cost' for the env section (one-step-economy); valid parameters are 'scenario_name', 'components', 'n_agents', 'world_size', 'episode_length', 'multi_action_mode_agents', 'multi_action_mode_planner', 'flatten_observations', 'flatten_masks', 'allow_observation_scaling', 'dense_log_frequency', 'world_dense_log_frequency', 'collate_agent_step_and_reset_data', 'seed', 'agent_reward_type', 'isoelastic_eta', 'labor_exponent', 'labor_cost', 'planner_reward_type', 'mixing_weight_gini_vs_coin'"
    )
  }
}
