import Testing

@testable import Basics

private func text(_ value: JSONValue) -> String {
  String(decoding: JSONWriter.serialize(value), as: UTF8.self)
}

private func expectRoundTrip(
  _ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation
) {
  let bytes = JSONWriter.serialize(value)
  do {
    let parsed = try JSONParser.parse(bytes)
    #expect(parsed == value, sourceLocation: sourceLocation)
    #expect(JSONWriter.serialize(parsed) == bytes, sourceLocation: sourceLocation)
  } catch {
    Issue.record(
      "\(error) in \(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
  }
}

private func expectParseError(
  _ input: [UInt8], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  do {
    let value = try JSONParser.parse(input)
    Issue.record("expected an error, parsed \(value)", sourceLocation: sourceLocation)
  } catch {
    #expect(error.description == expected, sourceLocation: sourceLocation)
  }
}

private func expectParseError(
  _ input: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  expectParseError(Array(input.utf8), expected, sourceLocation: sourceLocation)
}

@Suite struct JSONWriterTests {
  @Test func writesPythonDumpsLayout() {
    let value: JSONValue = ["a": [1, 2.5, nil, true], "b": "x\"y"]
    #expect(text(value) == #"{"a": [1, 2.5, null, true], "b": "x\"y"}"#)
    #expect(text([]) == "[]")
    #expect(text(["empty": [:], "list": [[], [1]]]) == #"{"empty": {}, "list": [[], [1]]}"#)
  }

  /// Expected strings are Python 3.11's `repr(float)` (and `json.dumps`) for the same value.
  @Test(arguments: [
    (10.0, "10.0"), (-0.0, "-0.0"), (0.0, "0.0"), (0.1, "0.1"), (1e-05, "1e-05"),
    (0.0001, "0.0001"), (0.00011, "0.00011"), (123.5, "123.5"), (1e15, "1000000000000000.0"),
    (9_007_199_254_740_993.0, "9007199254740992.0"), (1e16, "1e+16"), (1.5e300, "1.5e+300"),
    (.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    (0.48999999999999994, "0.48999999999999994"), (13.267112338979295, "13.267112338979295"),
    (-2.5e-07, "-2.5e-07"), (Double.nan, "NaN"), (Double.infinity, "Infinity"),
    (-Double.infinity, "-Infinity"),
  ])
  func writesDoublesLikePythonRepr(value: Double, expected: String) {
    #expect(text(.double(value)) == expected)
  }

  @Test func writesIntegers() {
    #expect(
      text([0, -7, .int(.max), .int(.min)]) == "[0, -7, 9223372036854775807, -9223372036854775808]")
  }

  @Test func escapesStringsLikePythonWithoutEnsureASCII() {
    let value: JSONValue = .string("q\" b\\ /\n\r\t\u{8}\u{C}\u{1}\u{1F}\u{7F} é 🙂")
    #expect(text(value) == #""q\" b\\ /\n\r\t\b\f\u0001\u001f"# + "\u{7F} é 🙂\"")
    #expect(text(["k\"ey": 1]) == #"{"k\"ey": 1}"#)
  }

  @Test func streamingMatchesSerialize() {
    var writer = JSONWriter(reservingCapacity: 64)
    writer.beginObject()
    writer.key("a")
    writer.beginArray()
    writer.value(1)
    writer.value(2.5)
    writer.null()
    writer.value(true)
    writer.endArray()
    writer.key("b")
    writer.value("x\"y")
    writer.key("c")
    writer.value(["nested": [1.0]] as JSONValue)
    #expect(!writer.isComplete)
    writer.endObject()
    #expect(writer.isComplete)
    let tree: JSONValue = ["a": [1, 2.5, nil, true], "b": "x\"y", "c": ["nested": [1.0]]]
    #expect(writer.bytes == JSONWriter.serialize(tree))
  }
}

@Suite struct JSONRoundTripTests {
  @Test(arguments: [
    JSONValue.null, true, false, 0, -1, .int(.max), .int(.min), 0.0, -0.0, 3.0, 0.1, 1e-300,
    1e300, .double(.leastNonzeroMagnitude), .double(.greatestFiniteMagnitude), .double(.nan),
    .double(.infinity),
    .double(-.infinity), "", "plain", "é🙂\u{0}\u{1F}\"\\/", ["a": ["b": ["c": [[[]]]]]],
    ["b": 1, "c": 2, "z": [:], "a": []],
  ])
  func roundTrips(value: JSONValue) {
    expectRoundTrip(value)
  }

  @Test(arguments: [1, 2, 3])
  func roundTripsRandomDoubles(seed: UInt64) throws {
    var rng = Xoshiro256(seed: seed)
    var values: [JSONValue] = []
    for i in 0..<5_000 {
      let bits = Double(bitPattern: rng.next())
      let uniform = Double.random(in: -1e6...1e6, using: &rng)
      values.append(.double(i.isMultiple(of: 2) ? bits : uniform))
      values.append(.int(Int64(bitPattern: rng.next()) >> (rng.next() % 64)))
    }
    let parsed = try JSONParser.parse(JSONWriter.serialize(.array(values)))
    let array = try #require(parsed.arrayValue)
    #expect(array.count == values.count)
    for (a, b) in zip(array, values) {
      if case .double(let x) = a, case .double(let y) = b, !x.isNaN {
        #expect(x.bitPattern == y.bitPattern, "\(x) vs \(y)")
      } else {
        #expect(a == b)
      }
    }
  }

  @Test func roundTripsRandomStrings() throws {
    var rng = Xoshiro256(seed: 42)
    let pool: [Unicode.Scalar] = [
      "a", "\"", "\\", "\n", "\u{0}", "\u{1F}", "é", "€", "😀", "𝄞", "\u{7F}",
    ]
    for _ in 0..<200 {
      var s = String.UnicodeScalarView()
      for _ in 0..<Int.random(in: 0...20, using: &rng) {
        s.append(pool[Int.random(in: 0..<pool.count, using: &rng)])
      }
      expectRoundTrip(["key " + String(s): .string(String(s))])
    }
  }
}

@Suite struct JSONParserTests {
  @Test func parsesNumbersIntoIntOrDouble() throws {
    #expect(try JSONParser.parse("3") == .int(3))
    #expect(try JSONParser.parse("3.0") == .double(3))
    #expect(try JSONParser.parse("3") != .double(3))
    #expect(try JSONParser.parse("-0") == .int(0))
    #expect(try JSONParser.parse("-0.0").doubleValue?.sign == .minus)
    #expect(try JSONParser.parse("1E2") == .double(100))
    #expect(try JSONParser.parse("0.001") == .double(0.001))
    #expect(try JSONParser.parse("2.5e-3") == .double(0.0025))
    #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
    #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
    #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
    #expect(
      try JSONParser.parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
    #expect(try JSONParser.parse("0.30000000000000004") == .double(0.30000000000000004))
    #expect(try JSONParser.parse("1e400") == .double(.infinity))
    #expect(try JSONParser.parse("1e-400") == .double(0))
  }

  @Test func parsesPythonExtensionsAndWhitespace() throws {
    let value = try JSONParser.parse(" \n\t{\"a\" : [NaN , Infinity,-Infinity ] }\r\n ")
    let array = try #require(value["a"]?.arrayValue)
    let numbers = array.compactMap { $0.doubleValue }
    #expect(numbers.count == 3)
    #expect(numbers[0].isNaN)
    #expect(numbers[1] == .infinity && numbers[2] == -.infinity)
  }

  @Test func decodesEscapes() throws {
    let value = try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00x""#)
    #expect(value == .string("\"\\/\u{8}\u{C}\n\r\té€😀x"))
    #expect(try JSONParser.parse(Array("\"é🙂\"".utf8)) == "é🙂")
  }

  @Test func keepsKeyOrder() throws {
    let value = try JSONParser.parse(#"{"b": 1, "a": 2, "c": 3}"#)
    let object = try #require(value.objectValue)
    #expect(object.keys == ["b", "a", "c"])
    #expect(object["b"] == 1)
    #expect(value != ["a": 2, "b": 1, "c": 3] as JSONValue)
  }

  @Test func rejectsDuplicateKeysAtTheRepeat() {
    expectParseError(#"{"b": 1, "a": 2, "b": 3}"#, "line 1, column 18: duplicate key 'b'")
    expectParseError("{\n  \"x\": {\"k\": 1,\n    \"k\": 2}}", "line 3, column 5: duplicate key 'k'")
    // Large objects switch to a set of keys; the error is the same.
    let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
    expectParseError("{" + many + ", \"k7\": 0}", "line 1, column \(many.count + 4): duplicate key 'k7'")
    // Equal keys in different objects are not duplicates.
    #expect((try? JSONParser.parse(#"[{"a": 1}, {"a": 2}]"#)) != nil)
  }

  @Test func acceptsMaximumDepth() throws {
    let depth = JSONParser.maximumDepth
    let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    var value = try JSONParser.parse(text)
    var levels = 0
    while let inner = value.arrayValue {
      levels += 1
      value = inner.first ?? .null
    }
    #expect(levels == depth)
  }

  @Test func reportsErrorsWithLineAndColumn() {
    expectParseError("", "line 1, column 1: expected a value, found end of input")
    expectParseError(
      "[1, 2", "line 1, column 6: expected ',' or ']' after array element, found end of input")
    expectParseError(
      "{\n  \"a\": [1, 2 x]\n}",
      "line 2, column 14: expected ',' or ']' after array element, found 'x'")
    expectParseError("[1, 2,]", "line 1, column 7: trailing comma before ']'")
    expectParseError(#"{"a": 1,}"#, "line 1, column 9: trailing comma before '}'")
    expectParseError(#"{"a" 1}"#, "line 1, column 6: expected ':' after object key, found '1'")
    expectParseError(
      "{1: 2}", "line 1, column 2: expected a string key or '}' after '{', found '1'")
    expectParseError(
      #"{"a": 1, 2}"#, "line 1, column 10: expected a string key after ',', found '2'")
    expectParseError(
      #"{"a": 1 "b": 2}"#, "line 1, column 9: expected ',' or '}' after object member, found '\"'")
    expectParseError(#"["\q"]"#, "line 1, column 3: invalid escape 'q' after '\\' in string")
    expectParseError(
      #""\u12G4""#, "line 1, column 6: expected 4 hex digits in \\u escape, found 'G'")
    expectParseError(#""\ud800x""#, "line 1, column 2: unpaired high surrogate in \\u escape")
    expectParseError(#""\udc00""#, "line 1, column 2: unpaired low surrogate in \\u escape")
    expectParseError("\"ab\ncd\"", "line 1, column 4: unescaped control character U+000A in string")
    expectParseError("[\"abc", "line 1, column 2: unterminated string")
    expectParseError([0x22, 0xFF, 0x22], "line 1, column 1: invalid UTF-8 in string")
    expectParseError("[tru]", "line 1, column 2: invalid literal, expected 'true'")
    expectParseError("nan", "line 1, column 1: invalid literal, expected 'null'")
    expectParseError("[é]", "line 1, column 2: expected a value, found 'é'")
    expectParseError("01", "line 1, column 1: leading zeros are not allowed in numbers")
    expectParseError("-", "line 1, column 2: expected a digit after '-', found end of input")
    expectParseError("[1.]", "line 1, column 4: expected a digit after '.', found ']'")
    expectParseError("1e+", "line 1, column 4: expected a digit in exponent, found end of input")
    expectParseError(
      "[1] x", "line 1, column 5: expected end of input after the JSON value, found 'x'")
    expectParseError([0x5B, 0x01], "line 1, column 2: expected a value, found byte 0x01")
  }

  @Test func rejectsNestingBeyondTheLimit() {
    let depth = JSONParser.maximumDepth + 1
    expectParseError(
      String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
      "line 1, column \(depth): nesting too deep: more than 512 arrays and objects")
    expectParseError(
      String(repeating: #"{"a": "#, count: 100_000),
      "line 1, column 3073: nesting too deep: more than 512 arrays and objects")
  }

  @Test func errorCarriesFields() {
    do {
      _ = try JSONParser.parse("{\n\"a\": ?}")
      Issue.record("expected an error")
    } catch {
      #expect(
        error
          == JSONParseError(message: "expected a value, found '?'", offset: 7, line: 2, column: 6))
    }
  }
}

@Suite struct JSONValueTests {
  @Test func accessors() {
    let value: JSONValue = ["i": 3, "d": 2.5, "s": "x", "b": false, "a": [1, nil], "o": ["k": 1]]
    #expect(value["i"]?.intValue == 3)
    #expect(value["i"]?.doubleValue == 3)
    #expect(value["d"]?.doubleValue == 2.5)
    #expect(value["d"]?.intValue == nil)
    #expect(value["s"]?.stringValue == "x")
    #expect(value["b"]?.boolValue == false)
    #expect(value["a"]?[1]?.isNull == true)
    #expect(value["a"]?[2] == nil)
    #expect(value["a"]?[-1] == nil)
    #expect(value["o"]?.objectValue?.keys == ["k"])
    #expect(value["missing"] == nil)
    #expect(value[0] == nil)
    #expect(JSONValue.string("x")["k"] == nil)
  }

  @Test func equality() {
    #expect(JSONValue.int(3) != .double(3))
    #expect(JSONValue.double(.nan) == .double(.nan))
    #expect(JSONValue.double(.nan) != .double(1))
    #expect(JSONValue.array([.double(.nan)]) == .array([.double(.nan)]))
    #expect(["a": 1, "b": 2] as JSONValue != ["b": 2, "a": 1] as JSONValue)
  }

  @Test func objectEditing() {
    var object = JSONObject()
    object.append("a", 1)
    object["b"] = "x"
    object["a"] = 2
    #expect(object.keys == ["a", "b"])
    #expect(object["a"] == 2)
    object["a"] = nil
    #expect(object.keys == ["b"])
    #expect(object.count == 1 && !object.isEmpty)
  }
}
