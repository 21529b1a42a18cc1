import Foundation
import Testing

@testable import Economy

/// Traces re-simulate episodes exactly; masked actions act as NO-OP; bad traces give located
/// errors.
@Suite("Replay")
struct ReplayTests {
  /// Writes trace text to a temporary file and loads it.
  static func loadTrace(_ text: String) throws -> Trace {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let path = try writeFile(text, named: "trace.json", in: directory)
    return try Trace.load(path: path)
  }

  /// Writes trace text to a temporary file and returns the path and the error text that loading
  /// and replaying it gives (nil when it replays).
  static func replayError(_ text: String) throws -> (message: String?, path: String) {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let path = try writeFile(text, named: "trace.json", in: directory)
    do {
      _ = try Replay.run(Trace.load(path: path))
      return (nil, path)
    } catch {
      return (error.description, path)
    }
  }

  /// One step of a trace: the given agents' single-action indices, NO-OP for the others, and
  /// the planner's sub-actions.
  static func step(_ actions: [Int: Int] = [:], planner: [Int] = [0, 0, 0, 0, 0, 0, 0]) -> String {
    let mobile = (0..<4).map { "\"\($0)\": \(actions[$0] ?? 0)" }
    return "{" + (mobile + ["\"p\": \(planner)"]).joined(separator: ", ") + "}"
  }

  /// The single-action index of Gather's move `move` (1 left, 2 right, 3 up, 4 down) in the
  /// tutorial layout (Build, 4 × 11 market actions, then the 4 moves).
  static func move(_ move: Int) throws -> Int {
    let layout = try environment(smallEnvYAML()).actionLayout
    let gather = try #require(layout.mobile.firstIndex { $0.name == "Gather" })
    return ActionLayout.encode(subspace: gather, action: move, specs: layout.mobile)
  }

  // MARK: - Exact re-simulation

  @Test(arguments: [UInt64(5), 11])
  func recordedActionsReplayToTheSameLog(seed: UInt64) throws {
    var env = try environment(smallEnvYAML(episodeLength: 200, period: 50))
    let recording = try recordEpisode(&env, seed: seed)
    let steps = traceSteps(from: recording.denseLog, layout: env.actionLayout, agents: 4)
    #expect(steps.count == 200)
    let trace = try Self.loadTrace(traceJSON(envJSON: smallEnvJSON(seed: seed), steps: steps))
    #expect(trace.seed == seed)
    let (log, summary) = try Replay.run(trace)
    #expect(log.jsonBytes() == recording.jsonBytes())
    let replayed = try #require(summary)
    let original = try #require(env.lastEpisode)
    #expect(replayed.metrics.map(\.key) == original.metrics.map(\.key))
    for (a, b) in zip(replayed.metrics, original.metrics) {
      expectClose(a.value, b.value, tolerance: 0, a.key)
    }
  }

  @Test func replayCommandWritesTheSameLogAsTheLibrary() throws {
    var env = try environment(smallEnvYAML(episodeLength: 30))
    let recording = try recordEpisode(&env, seed: 2)
    let steps = traceSteps(from: recording.denseLog, layout: env.actionLayout, agents: 4)
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let trace = try writeFile(
      traceJSON(envJSON: smallEnvJSON(episodeLength: 30, seed: 2), steps: steps),
      named: "trace.json", in: directory)
    let out = joinPath(directory, "replayed.lz4")
    let result = try runEconomist(["replay", trace, "--dense-log", out])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "replayed 30 steps; dense log written to \(out)\n")
    #expect(try LZ4Frame.decompress(readBytes(out)) == recording.jsonBytes())
  }

  @Test func shortTraceEndsWithTheStateAfterTheLastAction() throws {
    var env = try environment(smallEnvYAML(episodeLength: 200))
    let recording = try recordEpisode(&env, seed: 9)
    let full = recording.denseLog
    let steps = traceSteps(from: full, layout: env.actionLayout, agents: 4)
    let trace = try Self.loadTrace(
      traceJSON(envJSON: smallEnvJSON(seed: 9), steps: Array(steps.prefix(3))))
    let (recorded, summary) = try Replay.run(trace)
    #expect(summary == nil)
    let log = recorded.denseLog
    #expect(log.steps == 3)
    #expect(log.list("states").count == 4 && log.list("world").count == 4)
    // states[3] is the state after the third action: the full episode's pre-step state of step 4.
    #expect(log.list("states") == Array(full.list("states").prefix(4)))
    #expect(log.list("actions") == Array(full.list("actions").prefix(3)))
    #expect(log.list("rewards") == Array(full.list("rewards").prefix(3)))
    #expect(log.list("Gather") == Array(full.list("Gather").prefix(3)))
    // The final map is snapshotted.
    #expect(log.snapshotIndices == [0, 3])
  }

  @Test func emptyTraceLogsTheStateAfterReset() throws {
    let (recorded, _) = try Replay.run(
      Self.loadTrace(traceJSON(envJSON: smallEnvJSON(), steps: [])))
    let log = recorded.denseLog
    #expect(log.steps == 0)
    #expect(log.list("states").count == 1 && log.snapshotIndices == [0])
  }

  // MARK: - Initial state

  @Test func initialStateIsAppliedRightAfterReset() throws {
    let initial = """
      {"0": {"loc": [7, 3], "build_payment": 12.5, "bonus_gather_prob": 0.75},
       "2": {"loc": [8, 10]},
       "3": {"build_payment": 30}}
      """
    let trace = try Self.loadTrace(
      traceJSON(envJSON: smallEnvJSON(), initialState: initial, steps: [Self.step()]))
    let (recorded, _) = try Replay.run(trace)
    let first = try #require(recorded.denseLog.list("states").first)
    #expect(first["0"]?["loc"] == [7, 3])
    #expect(first["0"]?["build_payment"] == 12.5)
    #expect(first["0"]?["bonus_gather_prob"] == 0.75)
    #expect(first["2"]?["loc"] == [8, 10])
    #expect(first["3"]?["build_payment"] == 30.0)
    // Agent 1 keeps its fixed-four corner.
    #expect(first["1"]?["loc"] != nil)
  }

  @Test func initialStateErrors() throws {
    let bad = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), initialState: #"{"1": {"locc": [1, 1]}}"#, steps: []))
    #expect(
      bad.message
        == "\(bad.path):3:33: initial_state.1.locc: unknown field 'locc'; expected loc, build_payment, bonus_gather_prob, build_skill, skill, production, inventory, escrow, endogenous (did you mean 'loc'?)"
    )
    let water = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), initialState: #"{"1": {"loc": [12, 0]}}"#, steps: []))
    #expect(
      water.message
        == "\(water.path):3:32: initial_state.1.loc: cannot place the agent at [12, 0] (outside the map, water, another agent's house, or occupied)"
    )
    let outside = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), initialState: #"{"7": {"loc": [1, 1]}}"#, steps: []))
    #expect(
      outside.message == "\(outside.path):3:24: initial_state.7: no such agent; expected '0' to '3'"
    )
    let notInt = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), initialState: #"{"0": {"loc": [1, "x"]}}"#, steps: []))
    #expect(
      notInt.message
        == "\(notInt.path):3:36: initial_state.0.loc[1]: expected an integer, found 'x'")
  }

  @Test func agentIdsAndInitialValuesAreCheckedAsWritten() throws {
    // "01" and "+1" would alias agent 1.
    let alias = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), initialState: #"{"01": {"loc": [1, 1]}}"#, steps: []))
    #expect(alias.message == "\(alias.path):3:25: initial_state.01: expected a mobile agent id like \"0\", found '01'")
    let plus = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), steps: [#"{"+1": 0, "p": [0, 0, 0, 0, 0, 0, 0]}"#]))
    #expect(plus.message == "\(plus.path):4:8: actions[0][\"+1\"]: unknown agent '+1'; expected '0' to '3' or 'p'")
    let payment = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), initialState: #"{"0": {"build_payment": -5}}"#, steps: []))
    #expect(
      payment.message
        == "\(payment.path):3:42: initial_state.0.build_payment: expected a payment in 0...1000000000, found -5")
    let probability = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), initialState: #"{"0": {"bonus_gather_prob": 2}}"#, steps: []))
    #expect(
      probability.message
        == "\(probability.path):3:46: initial_state.0.bonus_gather_prob: expected a probability in 0...1, found 2")
    // The planner acts in every subspace at once (multi_action_mode_planner: true): a number is not a list.
    let scalar = try Self.replayError(traceJSON(envJSON: smallEnvJSON(), steps: [#"{"0": 0, "p": 3}"#]))
    #expect(
      scalar.message
        == "\(scalar.path):4:15: actions[0].p: expected a list of 7 sub-actions, one per action subspace (multi_action_mode_planner is true), found 3 (0 means NO-OP in every subspace)"
    )
  }

  // MARK: - Masks and periods

  @Test func maskedActionActsAsNoOpAndCostsNoLabor() throws {
    // Row 7 of the quadrant map is empty; at column 0 a move left leaves the map (masked), a
    // build needs resources the agent does not have (masked), a move right is legal. Agent 3
    // stands on wood in the top-left corner: its masked move up acts as NO-OP, so it collects.
    let initial = #"""
      {"0": {"loc": [7, 0]}, "1": {"loc": [8, 0]}, "2": {"loc": [7, 5]},
       "3": {"loc": [0, 0], "bonus_gather_prob": 0}}
      """#
    let steps = [Self.step([0: try Self.move(1), 1: 1, 2: try Self.move(2), 3: try Self.move(3)])]
    let trace = try Self.loadTrace(
      traceJSON(envJSON: smallEnvJSON(), initialState: initial, steps: steps))
    var env = try Environment(config: trace.config)
    env.reset(seed: trace.seed, forceDenseLog: true)
    try env.applyInitialState(trace.initialState)
    try env.actions.setMobile(0, action: try Self.move(1))
    try env.actions.setMobile(1, action: 1)
    try env.actions.setMobile(2, action: try Self.move(2))
    try env.actions.setMobile(3, action: try Self.move(3))
    env.step()
    #expect(env.maskedActionCounts == [1, 1, 0, 1, 0])
    #expect(env.world.labor[0] == 0 && env.world.labor[1] == 0)
    #expect(env.world.labor[2] == 1)
    #expect(env.world.row[0] == 7 && env.world.col[0] == 0)
    #expect(env.world.col[2] == 6)
    #expect(env.world.labor[3] == 1 && env.world.inventory(3, .wood) == 1)

    // The replayed log shows the same: the attempted actions, and no labor for them.
    let (recorded, _) = try Replay.run(trace)
    let log = recorded.denseLog
    #expect(log.list("actions")[0]["0"] == ["Gather": 1])
    #expect(log.list("actions")[0]["1"] == ["Build": 1])
    let after = try #require(log.list("states").last)
    #expect(after["0"]?["endogenous"]?["Labor"] == 0.0)
    #expect(after["1"]?["endogenous"]?["Labor"] == 0.0)
    #expect(after["2"]?["endogenous"]?["Labor"] == 1.0)
    #expect(after["0"]?["loc"] == [7, 0] && after["2"]?["loc"] == [7, 6])
    #expect(log.list("Build")[0] == [])
    #expect(log.list("Gather")[0] == [["agent": 3, "resource": "Wood", "n": 1, "loc": [0, 0]]])
  }

  @Test func plannerTaxChoiceOutsideThePeriodStartIsIgnored() throws {
    // Period 5: step 1 and step 6 open a period. Choices: bracket rates 1..7 at step 1, other
    // choices at steps 2 and 5 (ignored), the period-start choice at step 6 counts.
    let first = [2, 3, 4, 5, 6, 7, 8]
    let ignored = [21, 21, 21, 21, 21, 21, 21]
    let second = [11, 10, 9, 8, 7, 6, 5]
    var steps = [String](repeating: Self.step(), count: 10)
    steps[0] = Self.step(planner: first)
    steps[1] = Self.step(planner: ignored)
    steps[4] = Self.step(planner: ignored)
    steps[5] = Self.step(planner: second)
    steps[6] = Self.step(planner: ignored)
    let trace = try Self.loadTrace(
      traceJSON(envJSON: smallEnvJSON(episodeLength: 10, period: 5), steps: steps))
    let (recorded, _) = try Replay.run(trace)
    let env = try Environment(config: trace.config)
    let rates = try #require(env.components.last as? PeriodicBracketTax).discreteRates
    #expect(rates.count == 21)
    let taxes = recorded.denseLog.list("PeriodicTax")
    #expect(
      taxes.enumerated().compactMap { $0.element.objectValue == nil ? nil : $0.offset } == [4, 9])
    let schedules = [4, 9].map {
      taxes[$0]["schedule"]?.arrayValue?.compactMap(\.doubleValue) ?? []
    }
    expectClose(schedules[0], first.map { rates[$0 - 1] }, tolerance: 0)
    expectClose(schedules[1], second.map { rates[$0 - 1] }, tolerance: 0)
  }

  // MARK: - Errors

  @Test func outOfRangeActionNamesAgentSpaceAndLocation() throws {
    var steps = [String](repeating: Self.step(), count: 3)
    steps[1] = #"{"0": 0, "1": 3, "2": 57, "3": 0, "p": [0, 0, 0, 0, 0, 0, 0]}"#
    let (message, path) = try Self.replayError(traceJSON(envJSON: smallEnvJSON(), steps: steps))
    #expect(
      message
        == "\(path):5:23: actions[1].2: agent '2': action 57 is outside its action space Discrete(50)"
    )
  }

  @Test func negativeAndPlannerActionsOutOfRange() throws {
    let negative = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), steps: [#"{"0": -1}"#]))
    #expect(
      negative.message
        == "\(negative.path):4:7: actions[0].0: agent '0': action -1 is outside its action space Discrete(50)"
    )
    let planner = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), steps: [#"{"p": [0, 0, 22, 0, 0, 0, 0]}"#]))
    #expect(
      planner.message
        == "\(planner.path):4:7: actions[0].p: agent 'p': action [0, 0, 22, 0, 0, 0, 0] is outside its action space MultiDiscrete([22, 22, 22, 22, 22, 22, 22])"
    )
    let short = try Self.replayError(traceJSON(envJSON: smallEnvJSON(), steps: [#"{"p": [0]}"#]))
    #expect(
      short.message
        == "\(short.path):4:7: actions[0].p: agent 'p': action [0] is outside its action space MultiDiscrete([22, 22, 22, 22, 22, 22, 22])"
    )
    let text = try Self.replayError(traceJSON(envJSON: smallEnvJSON(), steps: [#"{"1": "left"}"#]))
    #expect(text.message == "\(text.path):4:7: actions[0].1: expected an integer, found 'left'")
  }

  @Test func subActionListsOnlyInMultiActionMode() throws {
    // In single-action mode an agent takes one action a step: a list could build and move at once.
    let single = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), steps: [#"{"0": [1, 0, 0, 0, 0, 2]}"#]))
    #expect(
      single.message
        == "\(single.path):4:7: actions[0].0: expected an action index in 0...49 (multi_action_mode_agents is false), found a list"
    )
    let env = smallEnvJSON().replacingOccurrences(
      of: "\"seed\": 5}", with: "\"seed\": 5, \"multi_action_mode_agents\": true}")
    let trace = try Self.loadTrace(
      traceJSON(envJSON: env, steps: [#"{"0": [0, 0, 0, 0, 0, 2], "1": 0}"#]))
    let (recorded, _) = try Replay.run(trace)
    #expect(recorded.denseLog.list("actions")[0]["0"] == ["Gather": 2])
    let wrongLength = try Self.replayError(traceJSON(envJSON: env, steps: [#"{"0": [1, 2]}"#]))
    #expect(
      wrongLength.message
        == "\(wrongLength.path):4:7: actions[0].0: agent '0': action [1, 2] is outside its action space MultiDiscrete([2, 12, 12, 12, 12, 5])"
    )
  }

  @Test func unknownAgentId() throws {
    let (message, path) = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(), steps: [#"{"0": 1, "4": 2}"#]))
    #expect(message == "\(path):4:15: actions[0].4: unknown agent '4'; expected '0' to '3' or 'p'")
  }

  @Test func missingEnv() throws {
    let (message, path) = try Self.replayError(#"{"actions": []}"#)
    #expect(message == "\(path):1:1: missing key 'env' (the environment config)")
  }

  @Test func unknownTraceKey() throws {
    let (message, path) = try Self.replayError("{\"env\": \(smallEnvJSON()),\n\"action\": []}")
    #expect(
      message
        == "\(path):2:11: action: unknown key 'action' in a trace; expected env, initial_state, actions (did you mean 'actions'?)"
    )
  }

  @Test func badEnvInATrace() throws {
    let env = smallEnvJSON().replacingOccurrences(of: "\"n_agents\": 4", with: "\"n_agents\": 1")
    let (message, path) = try Self.replayError(traceJSON(envJSON: env, steps: []))
    // The env object is on line 2, after `"env": ` (7 characters).
    let valueOffset =
      try #require(env.range(of: "\"n_agents\": 1")).upperBound.utf16Offset(in: env) - 1
    #expect(
      message
        == "\(path):2:\(7 + valueOffset + 1): env.n_agents: expected a value in 2...1000, found 1"
    )
  }

  @Test func traceLongerThanTheEpisode() throws {
    let steps = [String](repeating: Self.step(), count: 4)
    let (message, path) = try Self.replayError(
      traceJSON(envJSON: smallEnvJSON(episodeLength: 3), steps: steps))
    #expect(message?.hasPrefix("\(path)") == true)
    #expect(
      message?.hasSuffix("actions: the trace has 4 steps but episode_length is 3") == true,
      "\(message ?? "")")
  }

  @Test func missingTraceFile() throws {
    #expect(throws: ConfigError.self) { try Trace.load(path: "/nonexistent/trace.json") }
    do {
      _ = try Trace.load(path: "/nonexistent/trace.json")
    } catch {
      #expect(error.description == "/nonexistent/trace.json: no such file")
    }
  }
}
