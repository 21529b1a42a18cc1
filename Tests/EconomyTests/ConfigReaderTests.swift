import Testing

@testable import Economy

// MARK: - Helpers

private let file = "scenarios/x.yaml"

/// Parses `yaml` as `scenarios/x.yaml`, failing the test on a parse error.
private func load(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws
  -> ConfigNode
{
  do {
    return try ConfigNode.load(yaml: yaml, file: file)
  } catch {
    Issue.record("unexpected parse error: \(error)", sourceLocation: sourceLocation)
    throw error
  }
}

/// The value node at `path` (mapping keys and list indices) below `node`.
private func child(_ node: ConfigNode, _ path: [Any]) throws -> ConfigNode {
  var current = node
  for step in path {
    if let index = step as? Int {
      current = try current.sequence()[index]
    } else if let key = step as? String {
      guard let entry = try current.mapping().first(where: { $0.key == key }) else {
        throw ConfigIssue(location: current.location, message: "test: no key \(key)")
      }
      current = entry.node
    }
  }
  return current
}

/// Reads `yaml` with `read`, finishes with `context`, and expects exactly `expected` issue lines.
private func expectIssues(
  _ yaml: String, context: String = "Build", _ expected: [String],
  sourceLocation: SourceLocation = #_sourceLocation,
  read: (inout ParameterReader) -> Void
) throws {
  var reader = ParameterReader(try load(yaml, sourceLocation: sourceLocation))
  read(&reader)
  reader.finish(context: context)
  #expect(reader.issues.map(\.description) == expected, sourceLocation: sourceLocation)
}

/// The message of the issue `body` throws, or `nil` if it does not throw.
private func thrownIssue<T>(_ body: () throws(ConfigIssue) -> T) -> String? {
  do throws(ConfigIssue) {
    _ = try body()
    return nil
  } catch {
    return error.description
  }
}

private let components = """
  env:
    n_agents: 4
    components:
      - Build:
          payment: ten
          skill_dist: pareto
      - Gather:
          move_labor: 1.5
          collect_labor: -1
  """

// MARK: - Messages

@Suite("Config reader messages")
struct ConfigReaderMessageTests {
  @Test("wrong type names file, line, column and key path")
  func wrongType() throws {
    let build = try child(load(components), ["env", "components", 0, "Build"])
    var reader = ParameterReader(build)
    let value1 = reader.double("payment", default: 10)
    #expect(value1 == 10)
    #expect(
      reader.issues.map(\.description) == [
        "scenarios/x.yaml:5:18: env.components[0].Build.payment: expected a number, found 'ten'"
      ])
    #expect(reader.issues.first?.location.keyPath == "env.components[0].Build.payment")
    #expect(reader.issues.first?.location.line == 5)
    #expect(reader.issues.first?.location.column == 18)
  }

  @Test("nested key paths through lists and mappings")
  func nestedKeyPaths() throws {
    let gather = try child(load(components), ["env", "components", 1, "Gather"])
    #expect(gather.keyPath == "env.components[1].Gather")
    var reader = ParameterReader(gather)
    let value2 = reader.double("move_labor", default: 1, range: 0...1)
    #expect(value2 == 1)
    let value3 = reader.double(
      "collect_labor", default: 1, range: 0...Double.greatestFiniteMagnitude)
    #expect(value3 == 1)
    #expect(
      reader.issues.map(\.description) == [
        "scenarios/x.yaml:8:21: env.components[1].Gather.move_labor: "
          + "expected a value in 0...1, found 1.5",
        "scenarios/x.yaml:9:24: env.components[1].Gather.collect_labor: "
          + "expected a value >= 0, found -1",
      ])
  }

  @Test("out of range")
  func outOfRange() throws {
    try expectIssues(
      "rate: 1.5\ncount: 12\n",
      [
        "scenarios/x.yaml:1:7: rate: expected a value in 0...1, found 1.5",
        "scenarios/x.yaml:2:8: count: expected a value in 1...10, found 12",
      ]
    ) { reader in
      let value4 = reader.double("rate", default: 0.5, range: 0...1)
      #expect(value4 == 0.5)
      let value5 = reader.int("count", default: 3, range: 1...10)
      #expect(value5 == 3)
    }
  }

  @Test("unknown key with a suggestion")
  func unknownKeySuggestion() throws {
    try expectIssues(
      "paymnet: 12\n",
      [
        "scenarios/x.yaml:1:1: paymnet: unknown parameter 'paymnet' for Build (did you mean 'payment'?)"
      ]
    ) { reader in
      _ = reader.double("payment", default: 10)
      _ = reader.double("payment_max_skill_multiplier", default: 1)
    }
  }

  @Test("unknown key without a suggestion lists the valid keys")
  func unknownKeyWithoutSuggestion() throws {
    try expectIssues(
      "payment: 12\ncolour: red\n",
      [
        "scenarios/x.yaml:2:1: colour: unknown parameter 'colour' for Build; "
          + "valid parameters are 'payment', 'skill_dist', 'build_labor'"
      ]
    ) { reader in
      let value6 = reader.double("payment", default: 10)
      #expect(value6 == 12)
      _ = reader.string("skill_dist", default: "none")
      _ = reader.double("build_labor", default: 10)
    }
    try expectIssues(
      "x: 1\n", context: "NoOp",
      ["scenarios/x.yaml:1:1: x: unknown parameter 'x' for NoOp; it takes no parameters"]
    ) { _ in }
  }

  @Test("bad choice with a suggestion, and without")
  func badChoice() throws {
    try expectIssues(
      "skill_dist: Pareto\ntax_model: model_wrapper\nmode: 3\n",
      [
        "scenarios/x.yaml:1:13: skill_dist: expected one of 'none', 'pareto', 'lognormal', "
          + "found 'Pareto' (did you mean 'pareto'?)",
        "scenarios/x.yaml:2:12: tax_model: expected one of 'fixed-bracket-rates', "
          + "'us-federal-single-filer-2018-scaled', 'saez', found 'model_wrapper'",
        "scenarios/x.yaml:3:7: mode: expected one of 'a', 'b', found 3",
      ]
    ) { reader in
      let skill = reader.choice(
        "skill_dist", default: "none", from: ["none", "pareto", "lognormal"])
      #expect(skill == "none")
      let models = ["fixed-bracket-rates", "us-federal-single-filer-2018-scaled", "saez"]
      _ = reader.choice("tax_model", default: "saez", from: models)
      _ = reader.choice("mode", default: "a", from: ["a", "b"])
    }
  }

  @Test("YAML syntax errors carry line and column")
  func syntaxError() {
    let cases: [(String, String)] = [
      (
        "env:\n  n_agents: 4\n   world_size: [25, 25]\n",
        "scenarios/x.yaml:3:14: invalid YAML: mapping values are not allowed in this context"
      ),
      (
        "env:\n  world_size: [25, 25\n",
        "scenarios/x.yaml:3:1: invalid YAML: did not find expected ',' or ']' "
          + "(while parsing a flow sequence at line 2, column 15)"
      ),
      (
        "env: 1\n---\nenv: 2\n",
        "scenarios/x.yaml:2:1: invalid YAML: found a second document; a config is a single document"
      ),
      ("a: *missing\n", "scenarios/x.yaml:1:4: invalid YAML: found undefined alias"),
    ]
    for (yaml, expected) in cases {
      #expect {
        _ = try ConfigNode.load(yaml: yaml, file: file)
      } throws: { error in
        (error as? ConfigError)?.description == expected
      }
    }
  }

  @Test("duplicate keys are reported at the repeat, with key path, alongside other issues")
  func duplicateKey() throws {
    let yaml = """
      env:
        payment: 10
        payment: 12
        rate: 2
        flags: {a: 1, b: 2, a: 3}
      """
    let env = try child(load(yaml), ["env"])
    var reader = ParameterReader(env)
    let value7 = reader.double("payment", default: 0)
    #expect(value7 == 10)
    _ = reader.double("rate", default: 0, range: 0...1)
    let flagsNode = reader.node("flags")
    var flags = ParameterReader(try #require(flagsNode))
    _ = flags.int("a", default: 0)
    _ = flags.int("b", default: 0)
    #expect(
      reader.issues.map(\.description) == [
        "scenarios/x.yaml:3:3: env.payment: duplicate key 'payment' (first defined on line 2)",
        "scenarios/x.yaml:4:9: env.rate: expected a value in 0...1, found 2",
      ])
    #expect(
      flags.issues.map(\.description) == [
        "scenarios/x.yaml:5:23: env.flags.a: duplicate key 'a' (first defined on line 5)"
      ])
    #expect(
      thrownIssue { () throws(ConfigIssue) in try env.mapping() }
        == "scenarios/x.yaml:3:3: env.payment: duplicate key 'payment' (first defined on line 2)")
  }

  @Test("duplicates in flow mappings keep true columns, also for later syntax errors")
  func duplicateColumns() throws {
    let root = try load("v: [{'a': 1, 'a': 2}, {\"b\": 1, \"b\": 3}]\n")
    let messages = try child(root, ["v"]).sequence().flatMap { item in
      var reader = ParameterReader(item)
      _ = reader.int("a", default: 0)
      _ = reader.int("b", default: 0)
      return reader.issues.map(\.description)
    }
    #expect(
      messages == [
        "scenarios/x.yaml:1:14: v[0].a: duplicate key 'a' (first defined on line 1)",
        "scenarios/x.yaml:1:32: v[1].b: duplicate key 'b' (first defined on line 1)",
      ])
    #expect {
      _ = try ConfigNode.load(yaml: "v: [{a: 1, a: 2}, }]\n", file: file)
    } throws: { error in
      (error as? ConfigError)?.description
        == "scenarios/x.yaml:1:19: invalid YAML: did not find expected node content "
        + "(while parsing a flow node at line 1, column 19)"
    }
  }

  @Test("keys that are not identifiers are bracketed in key paths")
  func unusualKeys() throws {
    let root = try load("\"my key\": {x.y: 1}\n")
    let inner = try child(root, ["my key", "x.y"])
    #expect(inner.keyPath == "[\"my key\"][\"x.y\"]")
    let sendable: any Sendable = inner
    #expect(sendable is ConfigNode)
  }

  @Test("all problems are reported at once")
  func aggregated() throws {
    let yaml = """
      payment: ten
      skill_dist: pareto
      build_labr: 10
      payment_max_skill_multiplier: -1
      """
    var reader = ParameterReader(try load(yaml))
    _ = reader.double("payment", default: 10)
    _ = reader.choice("skill_dist", default: "none", from: ["none", "pareto"])
    _ = reader.double("build_labor", default: 10)
    _ = reader.double("payment_max_skill_multiplier", default: 1, range: 1...Double.infinity)
    reader.finish(context: "Build")
    let error = ConfigError(issues: reader.issues)
    #expect(error.issues.count == 3)
    #expect(
      error.description == """
        3 problems in scenarios/x.yaml:
        - scenarios/x.yaml:1:10: payment: expected a number, found 'ten'
        - scenarios/x.yaml:3:1: build_labr: unknown parameter 'build_labr' for Build \
        (did you mean 'build_labor'?)
        - scenarios/x.yaml:4:31: payment_max_skill_multiplier: expected a value >= 1, found -1
        """)
  }

  @Test("issues are sorted by position; a single issue prints as one line")
  func errorFormatting() {
    let late = ConfigIssue(location: .init(file: "a.yaml", keyPath: "x", line: 9), message: "late")
    let early = ConfigIssue(
      location: .init(file: "a.yaml", keyPath: "y", line: 2, column: 3), message: "early")
    let nowhere = ConfigIssue(location: .init(file: "a.yaml"), message: "somewhere")
    let error = ConfigError(issues: [nowhere, late, early])
    #expect(error.issues == [early, late, nowhere])
    #expect(
      error.description == """
        3 problems in a.yaml:
        - a.yaml:2:3: y: early
        - a.yaml:9: x: late
        - a.yaml: somewhere
        """)
    #expect(ConfigError(issues: [early]).description == "a.yaml:2:3: y: early")
    #expect(ConfigLocation(keyPath: "env", line: 4, column: 1).description == "<input>:4:1: env")
    #expect(ConfigLocation(keyPath: "env").description == "env")
    let mixed = ConfigError(issues: [
      early, ConfigIssue(location: .init(file: "b.yaml"), message: "m"),
    ])
    #expect(mixed.description.hasPrefix("2 problems:\n"))
  }
}

// MARK: - Values

@Suite("Config reader values")
struct ConfigReaderValueTests {
  @Test("int accepts 5 and 5.0 but rejects 5.5")
  func integers() throws {
    try expectIssues(
      "a: 5\nb: 5.0\nc: 5.5\nd: '5'\ne: 99999999999999999999\n",
      [
        "scenarios/x.yaml:3:4: c: expected an integer, found 5.5",
        "scenarios/x.yaml:4:4: d: expected an integer, found '5'",
        "scenarios/x.yaml:5:4: e: expected an integer, found 99999999999999999999, which is too large",
      ]
    ) { reader in
      let value8 = reader.int("a", default: 0)
      #expect(value8 == 5)
      let value9 = reader.int("b", default: 0)
      #expect(value9 == 5)
      let value10 = reader.int("c", default: 0)
      #expect(value10 == 0)
      let value11 = reader.int("d", default: 0)
      #expect(value11 == 0)
      let value12 = reader.int("e", default: 0)
      #expect(value12 == 0)
    }
  }

  @Test(
    "bools in every PyYAML spelling",
    arguments: [
      ("true", true), ("True", true), ("TRUE", true), ("yes", true), ("Yes", true),
      ("YES", true), ("on", true), ("On", true), ("ON", true),
      ("false", false), ("False", false), ("FALSE", false), ("no", false), ("No", false),
      ("NO", false), ("off", false), ("Off", false), ("OFF", false),
    ])
  func bools(spelling: String, value: Bool) throws {
    let node = try child(load("flag: \(spelling)\n"), ["flag"])
    #expect(try node.bool() == value)
    #expect(node.describeValue == "boolean \(spelling)")
  }

  @Test("non-bools are rejected")
  func notBools() throws {
    try expectIssues(
      "a: 1\nb: 'yes'\nc: y\nd: tRUE\n",
      [
        "scenarios/x.yaml:1:4: a: expected true or false, found 1",
        "scenarios/x.yaml:2:4: b: expected true or false, found 'yes'",
        "scenarios/x.yaml:3:4: c: expected true or false, found 'y'",
        "scenarios/x.yaml:4:4: d: expected true or false, found 'tRUE'",
      ]
    ) { reader in
      for key in ["a", "b", "c", "d"] {
        let value = reader.bool(key, default: true)
        #expect(value)
      }
    }
  }

  @Test("numbers: ints, floats, exponents, infinities, octal and hex as in PyYAML")
  func numbers() throws {
    let cases: [(String, Double)] = [
      ("3", 3), ("-2", -2), ("+7", 7), ("0.5", 0.5), ("1.", 1), (".5", 0.5), ("1e-4", 1e-4),
      ("2.5E+3", 2500), ("1_000", 1000), ("010", 8), ("0x1F", 31), ("0b101", 5),
      (".inf", .infinity), ("-.Inf", -.infinity),
    ]
    for (text, value) in cases {
      #expect(try child(load("v: \(text)\n"), ["v"]).double() == value, "\(text)")
    }
    #expect(try child(load("v: .nan\n"), ["v"]).double().isNaN)
    for text in ["'10'", "\"1.5\"", "ten", "1e", "inf", "08", "1.2.3", "~", "[1]", "{a: 1}"] {
      #expect(throws: ConfigIssue.self, "\(text)") {
        try child(load("v: \(text)\n"), ["v"]).double()
      }
    }
  }

  @Test("strings: quoted scalars are strings, plain numbers and bools are not")
  func strings() throws {
    try expectIssues(
      "a: '10'\nb: plain text\nc: 10\nd: no\ne: |\n  block\n",
      [
        "scenarios/x.yaml:3:4: c: expected a string, found 10 (write '10' in quotes for text)",
        "scenarios/x.yaml:4:4: d: expected a string, found boolean no (write 'no' in quotes for text)",
      ]
    ) { reader in
      let value13 = reader.string("a", default: "")
      #expect(value13 == "10")
      let value14 = reader.string("b", default: "")
      #expect(value14 == "plain text")
      let value15 = reader.string("c", default: "x")
      #expect(value15 == "x")
      let value16 = reader.string("d", default: "x")
      #expect(value16 == "x")
      let value17 = reader.string("e", default: "")
      #expect(value17 == "block\n")
    }
  }

  @Test("null: optional getters give nil, required ones report it, a null mapping is empty")
  func nulls() throws {
    try expectIssues(
      "a: ~\nb: null\nc:\nd: NULL\ne: [~]\n",
      [
        "scenarios/x.yaml:2:4: b: expected a number, found null",
        "scenarios/x.yaml:5:5: e[0]: expected a number, found null",
      ]
    ) { reader in
      let value18 = reader.optionalDouble("a")
      #expect(value18 == nil)
      let value19 = reader.double("b", default: 3)
      #expect(value19 == 3)
      let value20 = reader.optionalDoubleList("c")
      #expect(value20 == nil)
      let value21 = reader.optionalString("d")
      #expect(value21 == nil)
      let value22 = reader.optionalDouble("missing")
      #expect(value22 == nil)
      let value23 = reader.doubleList("e", default: [1])
      #expect(value23 == [1])
    }
    let root = try load("Build:\nGather: ~\n")
    for entry in try root.mapping() {
      #expect(entry.node.isNull)
      var reader = ParameterReader(entry.node)
      let value24 = reader.double("payment", default: 10)
      #expect(value24 == 10)
      reader.finish(context: entry.key)
      #expect(reader.issues.isEmpty)
    }
    #expect(try load("").isNull)
    var notMapping = ParameterReader(try child(load("Build: [1, 2]\n"), ["Build"]))
    notMapping.finish(context: "Build")
    #expect(
      notMapping.issues.map(\.description) == [
        "scenarios/x.yaml:1:8: Build: expected a mapping, found a list"
      ])
  }

  @Test("lists of numbers, with every bad item reported")
  func lists() throws {
    try expectIssues(
      "rates: [0.1, 0.2, 1e-1]\ncutoffs:\n  - 0\n  - 9700\n  - x\n  - 2.5\nsizes: [3, 4]\nbad: 5\n",
      [
        "scenarios/x.yaml:5:5: cutoffs[2]: expected an integer, found 'x'",
        "scenarios/x.yaml:6:5: cutoffs[3]: expected an integer, found 2.5",
        "scenarios/x.yaml:8:6: bad: expected a list, found 5",
      ]
    ) { reader in
      let value25 = reader.doubleList("rates", default: [])
      #expect(value25 == [0.1, 0.2, 0.1])
      let value26 = reader.intList("cutoffs", default: [0])
      #expect(value26 == [0])
      let value27 = reader.intList("sizes", default: [])
      #expect(value27 == [3, 4])
      let value28 = reader.optionalDoubleList("bad")
      #expect(value28 == nil)
    }
  }

  @Test("mapping keeps document order; merge keys expand; ignored keys are accepted")
  func mappingOrderMergeAndIgnore() throws {
    let root = try load("z: 1\na: 2\nm: 3\n")
    #expect(try root.mapping().map(\.key) == ["z", "a", "m"])

    let yaml = """
      defaults: &defaults {payment: 5, build_labor: 2}
      Build:
        <<: *defaults
        payment: 12
        legacy: true
      """
    var reader = ParameterReader(try child(load(yaml), ["Build"]))
    let value29 = reader.double("payment", default: 0)
    #expect(value29 == 12)
    let value30 = reader.double("build_labor", default: 0)
    #expect(value30 == 2)
    reader.ignore(["legacy"])
    reader.finish(context: "Build")
    #expect(reader.issues.isEmpty)
  }

  @Test("describeValue and custom issues")
  func describe() throws {
    let root = try load("a: ten\nb: [1]\nc: {x: 1}\nd: ~\ne: 1.50\nf: yes\n")
    let described = try root.mapping().map(\.node.describeValue)
    #expect(described == ["'ten'", "a list", "a mapping", "null", "1.50", "boolean yes"])
    var reader = ParameterReader(root)
    reader.report("a", "must exceed b")
    reader.report(nil, "missing 'g'")
    reader.report("absent", "needs 'absent'")
    #expect(
      reader.issues.map(\.description) == [
        "scenarios/x.yaml:1:4: a: must exceed b",
        "scenarios/x.yaml:1:1: missing 'g'",
        "scenarios/x.yaml:1:1: needs 'absent'",
      ])
    let location = ConfigLocation(file: file, keyPath: "env.components[2]", line: 7, column: 5)
    var empty = ParameterReader.empty(at: location)
    let payment = empty.double("payment", default: 10)
    #expect(payment == 10)
    empty.report(nil, "needs a payment")
    empty.finish(context: "Build")
    #expect(
      empty.issues.map(\.description) == [
        "scenarios/x.yaml:7:5: env.components[2]: needs a payment"
      ])
    #expect(
      thrownIssue { () throws(ConfigIssue) in try root.sequence() }
        == "scenarios/x.yaml:1:1: expected a list, found a mapping")
  }

  @Test("missing or unreadable file")
  func unreadableFile() {
    #expect {
      _ = try ConfigNode.load(file: "/nonexistent/x.yaml")
    } throws: { error in
      (error as? ConfigError)?.description == "/nonexistent/x.yaml: no such file"
    }
    // A directory exists but cannot be read as a file.
    #expect {
      _ = try ConfigNode.load(file: "/")
    } throws: { error in
      (error as? ConfigError)?.description == "/: cannot read the file"
    }
  }
}

// MARK: - Suggestions

@Suite("Did you mean")
struct SuggestionTests {
  @Test func closeNames() {
    let components = ["Build", "ContinuousDoubleAuction", "Gather", "PeriodicBracketTax"]
    #expect(closestName(to: "Bulid", among: components) == "Build")
    #expect(
      closestName(to: "ContinuousDoubleAuctions", among: components) == "ContinuousDoubleAuction")
    #expect(closestName(to: "gather", among: components) == "Gather")
    #expect(closestName(to: "paymnet", among: ["payment", "skill_dist"]) == "payment")
    #expect(closestName(to: "Trade", among: components) == nil)
    #expect(closestName(to: "e", among: ["a", "b"]) == nil)
    #expect(closestName(to: "ab", among: ["xb", "ay"]) == "xb")
    #expect(closestName(to: "abcd", among: ["wxyz"], maxDistance: 4) == "wxyz")
  }
}
