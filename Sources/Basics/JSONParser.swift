/// A fast, strict JSON reader for dense logs, with Python's `NaN`/`Infinity` extensions.
///
/// The parser reads UTF-8 bytes by recursive descent and accepts what Python's `json.loads`
/// accepts: RFC 8259 JSON plus the literals `NaN`, `Infinity` and `-Infinity`. (The one
/// exception: a `\u` escape of an unpaired surrogate is an error, as a Swift `String` cannot
/// hold one.)
/// Numbers without a fraction or exponent that fit in 64 bits become ``JSONValue/int(_:)``;
/// every other number becomes ``JSONValue/double(_:)``, correctly rounded, so the text written
/// by ``JSONWriter`` (or by Python) parses back to the identical value. Object keys keep their
/// order; a key repeated within one object is an error at the repeat (Python would silently
/// keep the last value, hiding a damaged or hand-edited file).
///
/// Errors carry the byte offset, line and column of the problem (see ``JSONParseError``).
/// Nesting deeper than ``maximumDepth`` is an error rather than a stack overflow.
public enum JSONParser {
  /// The deepest nesting of arrays and objects accepted.
  public static let maximumDepth = 512

  /// Parses a complete JSON document.
  ///
  /// - Parameter bytes: The document as UTF-8. Whitespace may surround the value; anything
  ///   else after it is an error.
  /// - Returns: The document's value.
  /// - Throws: ``JSONParseError`` naming the first problem and where it is.
  /// - Complexity: O(*n*) in the length of `bytes`.
  public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
    try bytes.withUnsafeBufferPointer { (input) throws(JSONParseError) -> JSONValue in
      var reader = JSONByteReader(input)
      return try reader.parseDocument()
    }
  }

  /// Parses a complete JSON document held in part of a byte array (one line of a file).
  ///
  /// - Throws: ``JSONParseError``; its offset counts from the start of `bytes`.
  public static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONParseError) -> JSONValue {
    try bytes.withUnsafeBufferPointer { (input) throws(JSONParseError) -> JSONValue in
      var reader = JSONByteReader(input)
      return try reader.parseDocument()
    }
  }

  /// Parses a complete JSON document held in a string.
  ///
  /// - Throws: ``JSONParseError``; its offset counts UTF-8 bytes.
  public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    try parse(Array(text.utf8))
  }
}

/// A JSON syntax error and where it was found.
///
/// `description` reads `line 3, column 14: expected ',' or ']' after array element, found 'x'`.
public struct JSONParseError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What is wrong, without the location.
  public var message: String
  /// The 0-based byte offset of the problem in the input.
  public var offset: Int
  /// The 1-based line of the problem.
  public var line: Int
  /// The 1-based column of the problem, counted in Unicode scalars.
  public var column: Int

  /// Creates an error with an explicit location.
  public init(message: String, offset: Int, line: Int, column: Int) {
    self.message = message
    self.offset = offset
    self.line = line
    self.column = column
  }

  /// `line L, column C: message`.
  public var description: String { "line \(line), column \(column): \(message)" }
}

// MARK: - Reader

/// The parser's cursor over the input bytes; lives only for one `withUnsafeBufferPointer`.
struct JSONByteReader {
  let input: UnsafeBufferPointer<UInt8>
  var position = 0
  var depth = 0
  /// Reused buffer for strings that contain escapes.
  var scratch: [UInt8] = []

  init(_ input: UnsafeBufferPointer<UInt8>) {
    self.input = input
  }

  mutating func parseDocument() throws(JSONParseError) -> JSONValue {
    let value = try parseValue()
    skipWhitespace()
    guard position == input.count else {
      throw expected("end of input after the JSON value")
    }
    return value
  }

  mutating func parseValue() throws(JSONParseError) -> JSONValue {
    skipWhitespace()
    switch peek() {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    default: return try parseScalar()
    }
  }

  /// Reads a string, a number, or one of `true`, `false`, `null`, `NaN`, `Infinity`.
  ///
  /// Kept apart from ``parseValue()`` (like every error path) so the frames of the recursive
  /// functions stay small: debug builds use about 1 KB of stack per nesting level, release
  /// builds far less.
  private mutating func parseScalar() throws(JSONParseError) -> JSONValue {
    guard let byte = peek() else { throw expected("a value") }
    switch byte {
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return .null
    case UInt8(ascii: "N"):
      try expectLiteral("NaN")
      return .double(.nan)
    case UInt8(ascii: "I"):
      try expectLiteral("Infinity")
      return .double(.infinity)
    default:
      throw expected("a value")
    }
  }

  // MARK: Containers

  private mutating func parseArray() throws(JSONParseError) -> JSONValue {
    try enterContainer()
    defer { depth -= 1 }
    var elements: [JSONValue] = []
    if isClosed(by: UInt8(ascii: "]")) { return .array(elements) }
    repeat {
      elements.append(try parseValue())
    } while try continuesContainer(closedBy: UInt8(ascii: "]"))
    return .array(elements)
  }

  private mutating func parseObject() throws(JSONParseError) -> JSONValue {
    try enterContainer()
    defer { depth -= 1 }
    var object = JSONObject()
    if isClosed(by: UInt8(ascii: "}")) { return .object(object) }
    var keys: Set<String> = []
    repeat {
      let keyOffset = position
      let key = try parseMemberKey(isFirst: object.isEmpty)
      try checkUnique(key, at: keyOffset, in: object, seen: &keys)
      object.append(key, try parseValue())
    } while try continuesContainer(closedBy: UInt8(ascii: "}"))
    return .object(object)
  }

  /// Throws when `key` already names a member of `object`.
  ///
  /// Small objects (the members of a log record) are scanned; from 16 members on, `seen`
  /// holds the keys so that a hostile object of many keys stays linear.
  private func checkUnique(
    _ key: String, at offset: Int, in object: JSONObject, seen: inout Set<String>
  ) throws(JSONParseError) {
    let duplicate: Bool
    if object.count < 16 {
      duplicate = object.entries.contains { $0.key == key }
    } else {
      if seen.isEmpty { seen = Set(object.keys) }
      duplicate = !seen.insert(key).inserted
    }
    if duplicate { throw error("duplicate key '\(key)'", at: offset) }
  }

  /// Steps over an opening bracket, enforcing ``JSONParser/maximumDepth``.
  private mutating func enterContainer() throws(JSONParseError) {
    guard depth < JSONParser.maximumDepth else { throw tooDeep() }
    depth += 1
    position += 1
  }

  /// Steps over `closing` if it is the next non-blank byte (an empty container).
  private mutating func isClosed(by closing: UInt8) -> Bool {
    skipWhitespace()
    guard peek() == closing else { return false }
    position += 1
    return true
  }

  /// After an element: steps over `,` and returns `true`, or over `closing` and returns `false`.
  private mutating func continuesContainer(closedBy closing: UInt8) throws(JSONParseError) -> Bool {
    skipWhitespace()
    switch peek() {
    case UInt8(ascii: ","):
      position += 1
      skipWhitespace()
      if peek() == closing {
        throw error("trailing comma before '\(Character(Unicode.Scalar(closing)))'")
      }
      return true
    case closing:
      position += 1
      return false
    default:
      throw expected(
        closing == UInt8(ascii: "]")
          ? "',' or ']' after array element" : "',' or '}' after object member")
    }
  }

  /// Reads a member's key and the `:` after it.
  private mutating func parseMemberKey(isFirst: Bool) throws(JSONParseError) -> String {
    guard peek() == UInt8(ascii: "\"") else {
      throw expected(isFirst ? "a string key or '}' after '{'" : "a string key after ','")
    }
    let key = try parseString()
    skipWhitespace()
    guard peek() == UInt8(ascii: ":") else { throw expected("':' after object key") }
    position += 1
    return key
  }

  // MARK: Literals

  private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
    let count = literal.utf8CodeUnitCount
    let matches = literal.withUTF8Buffer { expected in
      input.count - position >= count
        && expected.indices.allSatisfy { input[position + $0] == expected[$0] }
    }
    guard matches else { throw error("invalid literal, expected '\(literal)'") }
    position += count
  }

  // MARK: Cursor

  @inline(__always)
  func peek() -> UInt8? {
    position < input.count ? input[position] : nil
  }

  @inline(__always)
  mutating func skipWhitespace() {
    while position < input.count {
      switch input[position] {
      case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
        position += 1
      default:
        return
      }
    }
  }
}

// MARK: - Errors

extension JSONByteReader {
  /// `expected <what>, found <the input at the cursor>`.
  @inline(never)
  func expected(_ what: String) -> JSONParseError {
    error("expected \(what), found \(found())")
  }

  @inline(never)
  func tooDeep() -> JSONParseError {
    error("nesting too deep: more than \(JSONParser.maximumDepth) arrays and objects")
  }

  /// An error at `offset` (the cursor by default), with its line and column.
  @inline(never)
  func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
    let offset = min(offset ?? position, input.count)
    var line = 1
    var column = 1
    for byte in UnsafeBufferPointer(rebasing: input[0..<offset]) {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {  // count scalars, not UTF-8 continuation bytes
        column += 1
      }
    }
    return JSONParseError(message: message, offset: offset, line: line, column: column)
  }

  /// The input at `offset` (the cursor by default) for a message: `'x'` or `end of input`.
  func found(at offset: Int? = nil) -> String {
    let offset = offset ?? position
    guard offset < input.count else { return "end of input" }
    let byte = input[offset]
    switch byte {
    case UInt8(ascii: "\n"): return "'\\n'"
    case UInt8(ascii: "\r"): return "'\\r'"
    case UInt8(ascii: "\t"): return "'\\t'"
    case 0x20...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
    case 0xC0...0xF7:
      let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
      let end = min(offset + length, input.count)
      let slice = UnsafeBufferPointer(rebasing: input[offset..<end])
      if let text = String(validating: slice, as: UTF8.self) { return "'\(text)'" }
    default: break
    }
    let hex = String(byte, radix: 16, uppercase: true)
    return "byte 0x\(byte < 0x10 ? "0" : "")\(hex)"
  }
}

// MARK: - Strings

extension JSONByteReader {
  /// Reads a string starting at its opening quote; the cursor ends after the closing quote.
  mutating func parseString() throws(JSONParseError) -> String {
    let quote = position
    position += 1
    let start = position
    var isASCII = true
    while position < input.count {
      let byte = input[position]
      if byte == UInt8(ascii: "\"") {
        let raw = UnsafeBufferPointer(rebasing: input[start..<position])
        position += 1
        if isASCII { return String(decoding: raw, as: UTF8.self) }
        return try validated(raw, quote: quote)
      }
      if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start, quote: quote) }
      if byte < 0x20 { throw controlCharacterError(byte) }
      isASCII = isASCII && byte < 0x80
      position += 1
    }
    throw error("unterminated string", at: quote)
  }

  /// Finishes a string that contains escapes, decoding it into ``scratch``.
  private mutating func parseEscapedString(
    from start: Int, quote: Int
  ) throws(JSONParseError) -> String {
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<position]))
    while position < input.count {
      let byte = input[position]
      switch byte {
      case UInt8(ascii: "\""):
        position += 1
        return try scratch.withUnsafeBufferPointer { (text) throws(JSONParseError) in
          try validated(text, quote: quote)
        }
      case UInt8(ascii: "\\"):
        try decodeEscape()
      case 0..<0x20:
        throw controlCharacterError(byte)
      default:
        scratch.append(byte)
        position += 1
      }
    }
    throw error("unterminated string", at: quote)
  }

  /// Decodes one escape sequence at the cursor (a backslash) into ``scratch``.
  private mutating func decodeEscape() throws(JSONParseError) {
    let backslash = position
    position += 1
    guard let code = peek() else { throw error("unterminated string") }
    position += 1
    let simple: UInt8
    switch code {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = code
    case UInt8(ascii: "b"): simple = 0x08
    case UInt8(ascii: "f"): simple = 0x0C
    case UInt8(ascii: "n"): simple = 0x0A
    case UInt8(ascii: "r"): simple = 0x0D
    case UInt8(ascii: "t"): simple = 0x09
    case UInt8(ascii: "u"):
      appendScalar(try decodeUnicodeEscape(startingAt: backslash))
      return
    default:
      throw error("invalid escape \(found(at: backslash + 1)) after '\\' in string", at: backslash)
    }
    scratch.append(simple)
  }

  /// Decodes `\uXXXX`, or a surrogate pair `\uD83D\uDE00`; the cursor is after the `u`.
  private mutating func decodeUnicodeEscape(
    startingAt backslash: Int
  ) throws(JSONParseError) -> Unicode.Scalar {
    let first = try readHex4(escapeAt: backslash)
    if (0xDC00...0xDFFF).contains(first) {
      throw error("unpaired low surrogate in \\u escape", at: backslash)
    }
    guard (0xD800...0xDBFF).contains(first) else {
      return Unicode.Scalar(first) ?? "\u{FFFD}"  // never nil outside the surrogate range
    }
    let next = position
    guard input.count - next >= 2, input[next] == UInt8(ascii: "\\"),
      input[next + 1] == UInt8(ascii: "u")
    else { throw error("unpaired high surrogate in \\u escape", at: backslash) }
    position += 2
    let second = try readHex4(escapeAt: next)
    guard (0xDC00...0xDFFF).contains(second) else {
      throw error("unpaired high surrogate in \\u escape", at: backslash)
    }
    let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
    return Unicode.Scalar(combined) ?? "\u{FFFD}"  // always valid: 0x10000...0x10FFFF
  }

  private mutating func readHex4(escapeAt backslash: Int) throws(JSONParseError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      let digit: UInt32
      switch peek() {
      case let c? where c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"):
        digit = UInt32(c - UInt8(ascii: "0"))
      case let c? where c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"):
        digit = UInt32(c - UInt8(ascii: "a") + 10)
      case let c? where c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"):
        digit = UInt32(c - UInt8(ascii: "A") + 10)
      default:
        throw expected("4 hex digits in \\u escape")
      }
      value = value << 4 | digit
      position += 1
    }
    return value
  }

  private mutating func appendScalar(_ scalar: Unicode.Scalar) {
    UTF8.encode(scalar) { scratch.append($0) }
  }

  private func validated(
    _ text: UnsafeBufferPointer<UInt8>, quote: Int
  ) throws(JSONParseError) -> String {
    guard let string = String(validating: text, as: UTF8.self) else {
      throw error("invalid UTF-8 in string", at: quote)
    }
    return string
  }

  private func controlCharacterError(_ byte: UInt8) -> JSONParseError {
    let hex = String(byte, radix: 16, uppercase: true)
    let code = String(repeating: "0", count: 4 - hex.count) + hex
    return error("unescaped control character U+\(code) in string")
  }
}

// MARK: - Numbers

extension JSONByteReader {
  /// Reads a number, or `-Infinity`, starting at its first byte.
  mutating func parseNumber() throws(JSONParseError) -> JSONValue {
    let start = position
    let negative = input[position] == UInt8(ascii: "-")
    if negative {
      position += 1
      if peek() == UInt8(ascii: "I") {
        try expectLiteral("Infinity")
        return .double(-.infinity)
      }
    }
    guard let first = peek(), isDigit(first) else {
      throw expected("a digit after '-'")
    }
    var mantissa: UInt64 = 0
    var significantDigits = 0
    if first == UInt8(ascii: "0") {
      position += 1
      if let next = peek(), isDigit(next) {
        throw error("leading zeros are not allowed in numbers", at: start)
      }
    } else {
      scanDigits(into: &mantissa, count: &significantDigits)
    }
    var isInteger = true
    var fractionDigits = 0
    if peek() == UInt8(ascii: ".") {
      isInteger = false
      position += 1
      try expectDigit("after '.'")
      let fractionStart = position
      scanDigits(into: &mantissa, count: &significantDigits)
      fractionDigits = position - fractionStart
    }
    var exponent = 0
    if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      isInteger = false
      position += 1
      exponent = try scanExponent()
    }
    let text = UnsafeBufferPointer(rebasing: input[start..<position])
    if isInteger, significantDigits <= 19, let value = Self.int64(mantissa, negative: negative) {
      return .int(value)
    }
    if significantDigits <= 19,
      let fast = Self.exactDouble(mantissa, power: exponent - fractionDigits, negative: negative)
    {
      return .double(fast)
    }
    guard let slow = Double(String(decoding: text, as: UTF8.self)) else {
      throw error("number out of range", at: start)
    }
    return .double(slow)
  }

  @inline(__always)
  private func isDigit(_ byte: UInt8) -> Bool {
    byte &- UInt8(ascii: "0") < 10
  }

  /// Reads a run of digits, accumulating them into `mantissa` while they fit (19 digits).
  ///
  /// `count` counts significant digits: zeros before the first nonzero digit (as in `0.001`)
  /// add nothing to the mantissa and are not counted.
  private mutating func scanDigits(into mantissa: inout UInt64, count: inout Int) {
    while let byte = peek(), isDigit(byte) {
      if count > 0 || byte != UInt8(ascii: "0") {
        if count < 19 { mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0")) }
        count += 1
      }
      position += 1
    }
  }

  private mutating func expectDigit(_ context: String) throws(JSONParseError) {
    guard let byte = peek(), isDigit(byte) else {
      throw expected("a digit \(context)")
    }
  }

  /// Reads an exponent's optional sign and digits; the cursor is after the `e`.
  private mutating func scanExponent() throws(JSONParseError) -> Int {
    var sign = 1
    if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") {
      sign = s == UInt8(ascii: "-") ? -1 : 1
      position += 1
    }
    try expectDigit("in exponent")
    var magnitude = 0
    while let byte = peek(), isDigit(byte) {
      magnitude = min(magnitude * 10 + Int(byte &- UInt8(ascii: "0")), 1_000_000)
      position += 1
    }
    return sign * magnitude
  }

  private static func int64(_ magnitude: UInt64, negative: Bool) -> Int64? {
    if negative {
      guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
      return Int64(bitPattern: 0 &- magnitude)
    }
    return Int64(exactly: magnitude)
  }

  /// `mantissa × 10^power` when one correctly rounded operation gives it exactly (Clinger's
  /// fast path: the mantissa below 2⁵³ and |power| ≤ 22); `nil` otherwise.
  ///
  /// Reference: W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990.
  private static func exactDouble(_ mantissa: UInt64, power: Int, negative: Bool) -> Double? {
    guard mantissa <= 1 << 53, (-22...22).contains(power) else { return nil }
    let scale = powersOfTen[Int(power.magnitude)]
    let magnitude = power < 0 ? Double(mantissa) / scale : Double(mantissa) * scale
    return negative ? -magnitude : magnitude
  }

  /// 10⁰ through 10²², all exactly representable as `Double`.
  private static let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  ]
}
