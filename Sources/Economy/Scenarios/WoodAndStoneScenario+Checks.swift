// The scenario's own checks: its map (a layout file or the uniform generator's parameters), the
// agents' room on it, and the settings it reads from the components' declarations.

extension WoodAndStoneScenario {
  /// The layout the scenario plays on (nil for the uniform generator) and every problem of the
  /// settings that depend on the map or on the components.
  ///
  /// - `layout_from_file`: the layout file is read; it must be `world_size`.
  /// - `uniform`: the generator's parameters must fit the map.
  /// - The agents must fit on the tiles that are not water.
  /// - `fixed_four_skill_and_loc` needs a component that declared Pareto skills (Build with
  ///   `skill_dist: pareto`), and start tiles on land.
  /// - A clipped view (`full_observability: false`) needs a non-negative range.
  ///
  /// - Parameters:
  ///   - config: The environment's config; issues point at its keys.
  ///   - setup: The components' declarations.
  ///   - world: The world as the components left it (its size and agents).
  /// - Returns: The layout (nil for the uniform generator or when it could not be used) and the
  ///   issues, empty when the settings fit.
  static func checkedLayout(config: EnvironmentConfig, setup: ComponentSetup, world: World)
    -> (layout: LayoutFile?, issues: [ConfigIssue])
  {
    var issues: [ConfigIssue] = []
    func issue(_ key: String, _ message: String) { issues.append(config.issue(key, message)) }
    let p = config.parameters
    var layout: LayoutFile?
    if config.scenario.usesLayoutFile {
      do {
        let l = try LayoutFile.load(p.envLayoutFile, configDirectory: config.directory)
        let sized = (try? config.envNode.mapping().contains { $0.key == "world_size" }) ?? false
        if sized && (l.height != config.height || l.width != config.width) {
          issue(
            "world_size",
            "layout '\(p.envLayoutFile)' is \(l.height)×\(l.width) but world_size is [\(config.height), \(config.width)]"
          )
        } else {
          layout = l
        }
      } catch {
        // A file's problems name the file; a missing layout's origin is the name itself.
        issue("env_layout_file", error.origin == p.envLayoutFile ? error.message : error.description)
      }
    } else {
      let written = (try? config.envNode.mapping().map(\.key)) ?? []
      for problem in p.uniform.validate(height: config.height, width: config.width) {
        // Each problem starts with the parameter it is about; point at it when it is written.
        let key = String(problem.prefix { $0.isLetter || $0 == "_" })
        issue(written.contains(key) ? key : "scenario_name", "\(config.scenario.rawValue) layout: \(problem)")
      }
    }
    if config.scenario == .splitLayout {
      layout = checkSplit(config: config, setup: setup, layout: layout, issue: issue)
    }
    if config.scenario == .quadrant {
      // Foundation puts the water column at index height / 2 and the water row at width / 2.
      if config.height / 2 >= config.width || config.width / 2 >= config.height {
        issue(
          "world_size",
          "quadrant/simple_wood_and_stone puts its water column at height / 2 = \(config.height / 2) and its water row at "
            + "width / 2 = \(config.width / 2), which must lie inside the \(config.height)×\(config.width) map")
      } else {
        let water = UniformLayout.quadrantWater(height: config.height, width: config.width)
        let free = water.filter { $0 == 0 }.count
        if free < config.agentCount {
          issue("n_agents", "\(config.agentCount) agents do not fit on the \(free) tiles of the map that are not water")
        }
      }
    }
    if p.fixedFourSkillAndLoc && setup.skills?.distribution != .pareto {
      let found = setup.skills.map { "skill_dist '\($0.distribution.rawValue)'" } ?? "no Build component"
      issue(
        "fixed_four_skill_and_loc",
        "fixed_four_skill_and_loc needs the Build component with skill_dist 'pareto', found \(found)")
    }
    if let layout {
      let free = (0..<(layout.height * layout.width)).filter { layout.water[$0] == 0 }.count
      if free < config.agentCount {
        issue(
          "n_agents", "\(config.agentCount) agents do not fit on the \(free) tiles of the layout that are not water")
      }
      if p.fixedFourSkillAndLoc {
        for loc in fixedFourLocations(params: p, world: world)
        where !(0..<layout.height).contains(loc.row) || !(0..<layout.width).contains(loc.col)
          || layout.water[loc.row * layout.width + loc.col] != 0
        {
          issue(
            "fixed_four_skill_and_loc",
            "start tile (\(loc.row), \(loc.col)) of fixed_four_skill_and_loc is water or outside the map")
        }
      }
    } else if (config.scenario == .uniform || config.scenario == .multiZone)
      && config.agentCount > config.height * config.width
    {
      issue("n_agents", "\(config.agentCount) agents do not fit on a \(config.height)×\(config.width) map")
    }
    if !p.fullObservability && p.mobileAgentObservationRange < 0 {
      issue("mobile_agent_observation_range", "expected a non-negative range")
    }
    return (layout, issues)
  }
}

extension WoodAndStoneScenario {
  /// The split layout's checks (Foundation's `SplitLayout` assertions, as config errors), and
  /// the layout with its row of water.
  ///
  /// - Build with `skill_dist: pareto` sets the ranked payments; `fixed_four_skill_and_loc` is
  ///   not supported.
  /// - `water_row` lies strictly inside the map (0 < row < height − 1).
  /// - `skill_rank_of_top_agents` lists ranks in `0..<n_agents`, at least one and fewer than all.
  /// - Each side of the water has room for its agents.
  static func checkSplit(
    config: EnvironmentConfig, setup: ComponentSetup, layout: LayoutFile?, issue: (String, String) -> Void
  ) -> LayoutFile? {
    let p = config.parameters
    let n = config.agentCount
    if p.fixedFourSkillAndLoc {
      issue(
        "fixed_four_skill_and_loc",
        "split_layout/simple_wood_and_stone does not support fixed_four_skill_and_loc; set it to false")
    }
    if setup.skills?.distribution != .pareto {
      let found = setup.skills.map { "skill_dist '\($0.distribution.rawValue)'" } ?? "no Build component"
      issue(
        "scenario_name",
        "split_layout/simple_wood_and_stone needs the Build component with skill_dist 'pareto' (it ranks agents by build "
          + "payment), found \(found)")
    }
    let row = p.split.waterRow ?? config.height / 2
    var rowOK = true
    if !(row > 0 && row < config.height - 1) {
      rowOK = false
      let what = p.split.waterRow == nil ? "the default water_row (height / 2)" : "a water_row"
      issue(
        p.split.waterRow == nil ? "world_size" : "water_row",
        config.height < 3
          ? "expected a map of at least 3 rows (the water row must lie strictly inside it), found \(config.height)"
          : "expected \(what) in 1...\(config.height - 2) (strictly inside the \(config.height)-row map), found \(row)")
    }
    let ranks = p.split.skillRankOfTopAgents
    for rank in ranks where !(0..<n).contains(rank) {
      issue("skill_rank_of_top_agents", "expected skill ranks in 0...\(n - 1) (0 = the best agent), found \(rank)")
    }
    if ranks.isEmpty || ranks.count >= n {
      issue(
        "skill_rank_of_top_agents",
        "expected between 1 and \(n - 1) skill ranks above the water (the other agents start below it), found "
          + "\(ranks.count)\(ranks.isEmpty ? "" : ": \(ranks)")")
    }
    guard let layout, rowOK else { return layout }
    let split = layout.withWaterRow(row)
    func land(_ rows: Range<Int>) -> Int {
      rows.reduce(0) { total, r in total + (0..<split.width).filter { split.water[r * split.width + $0] == 0 }.count }
    }
    let top = ranks.filter { (0..<n).contains($0) }.count
    if land(0..<row) < top {
      issue(
        "water_row", "\(top) agents start above the water row \(row), but only \(land(0..<row)) tiles there are land")
    }
    if land((row + 1)..<split.height) < n - top {
      issue(
        "water_row",
        "\(n - top) agents start below the water row \(row), but only \(land((row + 1)..<split.height)) tiles there are land"
      )
    }
    return split
  }
}

extension EnvironmentConfig {
  /// An issue about the env key `key`: located at the key where the config writes it, else at
  /// the env section.
  func issue(_ key: String, _ message: String) -> ConfigIssue {
    var location = envNode.location
    location.keyPath = location.keyPath.isEmpty ? key : "\(location.keyPath).\(key)"
    if let node = try? envNode.mapping().first(where: { $0.key == key })?.node {
      location = node.location
    }
    return ConfigIssue(location: location, message: message)
  }
}
