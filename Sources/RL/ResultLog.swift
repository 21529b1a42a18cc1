// RLlib-style per-iteration results in a run directory: `result.json` (one JSON object per line)
// and `progress.csv` (the same records flattened with "/"-joined keys).

/// One training iteration's results: named values in insertion order, nested like RLlib's
/// result dict (`info/learner/a/policy_loss`).
///
/// Keys are unique within a record. A key should not contain `/`, which joins nested keys in
/// ``flattened`` and ``subscript(path:)``.
public struct ResultRecord: Sendable, Equatable, ExpressibleByDictionaryLiteral {
  /// A value in a record: a number, a string, `null` or a nested record.
  public enum Value: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral
  {
    /// An integer.
    case int(Int)
    /// A floating-point number; NaN and infinities are written as JSON `null`.
    case double(Double)
    /// A string.
    case string(String)
    /// No value.
    case null
    /// Nested results.
    case record(ResultRecord)

    /// Creates an `int` value.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// Creates a `double` value.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// Creates a `string` value.
    public init(stringLiteral value: String) { self = .string(value) }
  }

  /// The fields in insertion order.
  public var fields: [(key: String, value: Value)]

  /// Creates a record from fields in order.
  ///
  /// - Precondition: keys are unique.
  public init(_ fields: [(key: String, value: Value)] = []) {
    var seen = Set<String>()
    for (key, _) in fields {
      precondition(seen.insert(key).inserted, "duplicate result key '\(key)'")
    }
    self.fields = fields
  }

  /// Creates a record from a literal, keeping the literal's order.
  ///
  /// - Precondition: keys are unique.
  public init(dictionaryLiteral elements: (String, Value)...) {
    self.init(elements.map { (key: $0.0, value: $0.1) })
  }

  /// Sets `key` to `value`: in place when the key exists, appended last otherwise.
  public mutating func set(_ key: String, _ value: Value) {
    if let index = fields.firstIndex(where: { $0.key == key }) {
      fields[index].value = value
    } else {
      fields.append((key, value))
    }
  }

  /// The value at a "/"-separated path of keys (`"info/learner/a/policy_loss"`), or nil.
  ///
  /// A path naming a nested record returns `.record`.
  public subscript(path path: String) -> Value? {
    for (key, value) in fields {
      if key == path { return value }
      if case .record(let inner) = value, path.hasPrefix(key + "/") {
        if let found = inner[path: String(path.dropFirst(key.count + 1))] { return found }
      }
    }
    return nil
  }

  /// The leaf values with nested keys joined by "/", as RLlib's `progress.csv` columns.
  ///
  /// Leaves come depth first in field order; empty nested records contribute nothing.
  public var flattened: [(key: String, value: Value)] {
    var leaves: [(key: String, value: Value)] = []
    func walk(_ record: ResultRecord, _ prefix: String) {
      for (key, value) in record.fields {
        if case .record(let inner) = value {
          walk(inner, prefix + key + "/")
        } else {
          leaves.append((prefix + key, value))
        }
      }
    }
    walk(self, "")
    return leaves
  }

  /// The record as one line of JSON, without the newline: keys in order, `", "` and `": "`
  /// separators as Python's `json.dumps`, doubles in shortest round-trip form, NaN and
  /// infinities as `null`, non-ASCII text as UTF-8.
  public var json: String {
    var text = ""
    appendJSON(to: &text)
    return text
  }

  private func appendJSON(to text: inout String) {
    text += "{"
    for (index, (key, value)) in fields.enumerated() {
      text += (index == 0 ? "" : ", ") + jsonQuoted(key) + ": "
      switch value {
      case .int(let number): text += String(number)
      case .double(let number): text += number.isFinite ? number.description : "null"
      case .string(let string): text += jsonQuoted(string)
      case .null: text += "null"
      case .record(let inner): inner.appendJSON(to: &text)
      }
    }
    text += "}"
  }

  /// Whether two records have the same fields in the same order.
  public static func == (lhs: ResultRecord, rhs: ResultRecord) -> Bool {
    lhs.fields.count == rhs.fields.count
      && zip(lhs.fields, rhs.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
  }
}

/// Appends one record per training iteration to `result.json` and `progress.csv` in a run
/// directory, as RLlib's JSON and CSV loggers do.
///
/// `result.json` holds one JSON object per line (``ResultRecord/json``). `progress.csv` has a
/// header of the first record's ``ResultRecord/flattened`` keys; later records fill those
/// columns in that order, leaving missing values empty and ignoring keys the header lacks.
///
/// Each append writes each file's complete line with one `write(2)` and `fsync`s it, so a killed
/// process leaves at worst one incomplete last line, which readers and a resumed log drop.
///
/// Opening a log for a run that resumes after iteration *k* keeps exactly the records whose
/// `training_iteration` is at most *k* in both files (and drops an incomplete last line); the
/// kept prefix is rewritten atomically. Opening a fresh log replaces existing files.
public final class ResultLog {
  /// The name of the JSON-lines file in the run directory.
  public static let resultFileName = "result.json"
  /// The name of the CSV file in the run directory.
  public static let progressFileName = "progress.csv"

  private let resultPath: String
  private let progressPath: String
  private let results: POSIXFile
  private let progress: POSIXFile
  /// The CSV columns; nil until the header is written.
  private var columns: [String]?
  private var lastIteration: Int?

  /// Opens the log in `directory`, which must exist.
  ///
  /// - Parameters:
  ///   - directory: The run directory.
  ///   - resumeAfterIteration: For a resumed run, the last iteration whose records to keep;
  ///     missing files are then created empty. `nil` starts fresh, replacing existing files.
  /// - Throws: `CheckpointError` naming the file: it cannot be read or written, a complete line
  ///   of `result.json` is not a JSON object with an integer `training_iteration`, or
  ///   `progress.csv` has no `training_iteration` column.
  public init(directory: String, resumeAfterIteration: Int?) throws(CheckpointError) {
    resultPath = directory + "/" + Self.resultFileName
    progressPath = directory + "/" + Self.progressFileName
    var keptResults: [UInt8] = []
    var keptProgress: [UInt8] = []
    if let last = resumeAfterIteration {
      keptResults = try Self.resultsPrefix(resultPath, through: last)
      (keptProgress, columns) = try Self.progressPrefix(progressPath, through: last)
      lastIteration = last
    }
    try AtomicFile.write(keptResults, to: resultPath)
    try AtomicFile.write(keptProgress, to: progressPath)
    results = try Self.openForAppend(resultPath)
    do {
      progress = try Self.openForAppend(progressPath)
    } catch {
      _ = results.close()
      throw error
    }
  }

  deinit {
    _ = results.close()
    _ = progress.close()
  }

  /// Appends `record` as iteration `iteration` to both files and flushes them to disk.
  ///
  /// The record's `training_iteration` is set to `iteration` first. The first record appended
  /// to an empty `progress.csv` fixes its columns.
  ///
  /// - Precondition: `iteration` is greater than the previous one (and than the resume point).
  /// - Throws: `CheckpointError` naming the file that could not be written.
  public func append(_ record: ResultRecord, iteration: Int) throws(CheckpointError) {
    precondition(
      lastIteration.map { iteration > $0 } ?? true,
      "iteration \(iteration) does not follow \(lastIteration ?? 0)")
    var record = record
    record.set("training_iteration", .int(iteration))
    let leaves = record.flattened
    let header = columns ?? leaves.map(\.key)
    var csv = columns == nil ? header.map(csvField).joined(separator: ",") + "\n" : ""
    let values = Dictionary(
      leaves.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    csv += header.map { values[$0].map(csvCell) ?? "" }.joined(separator: ",") + "\n"
    try Self.appendLine(record.json + "\n", to: results, path: resultPath)
    try Self.appendLine(csv, to: progress, path: progressPath)
    columns = header
    lastIteration = iteration
  }

  // MARK: - Reading

  /// Reads the complete lines of a `result.json` as records.
  ///
  /// An incomplete last line is dropped. JSON integers become `.int`, other numbers `.double`.
  ///
  /// - Throws: `CheckpointError` naming `path`: unreadable, or a line that is not a JSON object
  ///   of numbers, strings, nulls and objects.
  public static func readResults(path: String) throws(CheckpointError) -> [ResultRecord] {
    let bytes = try readFile(path)
    var records: [ResultRecord] = []
    for (number, line) in completeLines(bytes).enumerated() {
      records.append(try parseResult(bytes[line], path: path, line: number + 1))
    }
    return records
  }

  /// Reads a CSV file such as `progress.csv`; the first record is the header.
  ///
  /// Quoted fields (which may hold commas, quotes and newlines) are unquoted; an incomplete last
  /// record (no final newline) is dropped.
  ///
  /// - Throws: `CheckpointError` naming `path`: unreadable, or a row whose field count differs
  ///   from the header's.
  public static func readCSV(path: String) throws(CheckpointError) -> (
    header: [String], rows: [[String]]
  ) {
    let records = parseCSV(try readFile(path))
    guard let header = records.first?.fields else { return ([], []) }
    for (index, record) in records.enumerated() where record.fields.count != header.count {
      throw CheckpointError(
        file: path,
        message: "row \(index) has \(record.fields.count) fields, the header has \(header.count)")
    }
    return (header, records.dropFirst().map(\.fields))
  }

  // MARK: - Files

  private static func openForAppend(_ path: String) throws(CheckpointError) -> POSIXFile {
    do {
      return try POSIXFile(appendingTo: path)
    } catch {
      throw CheckpointError(file: path, message: "cannot open for appending: \(error)")
    }
  }

  private static func appendLine(
    _ line: String, to file: POSIXFile, path: String
  ) throws(CheckpointError) {
    do {
      try file.writeAll(Array(line.utf8)[...])
      try file.sync()
    } catch {
      throw CheckpointError(file: path, message: "cannot append: \(error)")
    }
  }

  /// The complete lines of `result.json` whose `training_iteration` is at most `last`.
  private static func resultsPrefix(
    _ path: String, through last: Int
  ) throws(CheckpointError) -> [UInt8] {
    guard let bytes = try readFileIfPresent(path) else { return [] }
    var kept: [UInt8] = []
    for (number, line) in completeLines(bytes).enumerated() {
      let record = try parseResult(bytes[line], path: path, line: number + 1)
      guard case .int(let iteration) = record[path: "training_iteration"] else {
        throw CheckpointError(
          file: path, message: "line \(number + 1) has no integer 'training_iteration'")
      }
      if iteration <= last { kept += bytes[line.lowerBound...line.upperBound] }
    }
    return kept
  }

  /// The header and complete rows of `progress.csv` whose `training_iteration` is at most
  /// `last`, and the header's columns (nil when the file has no complete header).
  private static func progressPrefix(
    _ path: String, through last: Int
  ) throws(CheckpointError) -> ([UInt8], [String]?) {
    guard let bytes = try readFileIfPresent(path) else { return ([], nil) }
    let records = parseCSV(bytes)
    guard let header = records.first else { return ([], nil) }
    guard let column = header.fields.firstIndex(of: "training_iteration") else {
      throw CheckpointError(file: path, message: "the header has no 'training_iteration' column")
    }
    var kept = Array(bytes[..<header.end])
    var start = header.end
    for (index, record) in records.enumerated().dropFirst() {
      let iteration = column < record.fields.count ? Int(record.fields[column]) : nil
      guard let iteration else {
        throw CheckpointError(
          file: path, message: "row \(index) has no integer 'training_iteration'")
      }
      if iteration <= last { kept += bytes[start..<record.end] }
      start = record.end
    }
    return (kept, header.fields)
  }

  /// The ranges of the newline-terminated lines of `bytes`, without their newlines.
  private static func completeLines(_ bytes: [UInt8]) -> [Range<Int>] {
    var lines: [Range<Int>] = []
    var start = 0
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      lines.append(start..<index)
      start = index + 1
    }
    return lines
  }

  private static func parseResult(
    _ line: ArraySlice<UInt8>, path: String, line number: Int
  ) throws(CheckpointError) -> ResultRecord {
    func fail(_ message: String) -> CheckpointError {
      CheckpointError(file: path, message: "line \(number): \(message)")
    }
    let value: ParsedJSON
    do {
      value = try ParsedJSON.parse(line)
    } catch {
      throw fail("not valid JSON: \(error)")
    }
    guard case .record(let record) = try resultValue(value, key: nil, fail: fail) else {
      throw fail("not a JSON object")
    }
    return record
  }

  private static func resultValue(
    _ value: ParsedJSON, key: String?, fail: (String) -> CheckpointError
  ) throws(CheckpointError) -> ResultRecord.Value {
    switch value {
    case .null: return .null
    case .string(let text): return .string(text)
    case .number(let text):
      return Int(text).map(ResultRecord.Value.int) ?? .double(Double(text) ?? .nan)
    case .object(let pairs):
      var fields: [(key: String, value: ResultRecord.Value)] = []
      for (name, inner) in pairs {
        fields.append((name, try resultValue(inner, key: name, fail: fail)))
      }
      return .record(ResultRecord(fields))
    case .bool, .array:
      throw fail("'\(key ?? "")' holds a boolean or an array, which result records cannot")
    }
  }
}

// MARK: - CSV text

/// `text` as a CSV field: quoted, with quotes doubled, when it holds a comma, quote or line break.
private func csvField(_ text: String) -> String {
  guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
  var quoted = "\""
  for character in text {
    quoted += character == "\"" ? "\"\"" : String(character)
  }
  return quoted + "\""
}

/// A leaf value as a CSV field: numbers as in JSON but NaN and infinities as Python writes them
/// (`nan`, `inf`, `-inf`), `null` empty.
private func csvCell(_ value: ResultRecord.Value) -> String {
  switch value {
  case .int(let number): return String(number)
  case .double(let number):
    if number.isNaN { return "nan" }
    if number.isInfinite { return number < 0 ? "-inf" : "inf" }
    return number.description
  case .string(let text): return csvField(text)
  case .null, .record: return ""
  }
}

/// The newline-terminated records of CSV `bytes`, unquoted.
///
/// Each record comes with the offset just past its newline; an unterminated last record is
/// dropped. A `\r` before the newline is ignored.
private func parseCSV(_ bytes: [UInt8]) -> [(fields: [String], end: Int)] {
  var records: [(fields: [String], end: Int)] = []
  var fields: [String] = []
  var field: [UInt8] = []
  var quoted = false
  var index = 0
  while index < bytes.count {
    let byte = bytes[index]
    index += 1
    if quoted {
      if byte != UInt8(ascii: "\"") {
        field.append(byte)
      } else if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
        field.append(byte)
        index += 1
      } else {
        quoted = false
      }
      continue
    }
    switch byte {
    case UInt8(ascii: "\""): quoted = true
    case UInt8(ascii: ","):
      fields.append(String(decoding: field, as: UTF8.self))
      field = []
    case UInt8(ascii: "\n"):
      if field.last == UInt8(ascii: "\r") { field.removeLast() }
      fields.append(String(decoding: field, as: UTF8.self))
      records.append((fields, index))
      (fields, field) = ([], [])
    default: field.append(byte)
    }
  }
  return records
}

// MARK: - JSON text

/// `text` as a JSON string literal: quotes, backslashes and control characters escaped,
/// everything else as is.
func jsonQuoted(_ text: String) -> String {
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\n": result += "\\n"
    case "\r": result += "\\r"
    case "\t": result += "\\t"
    case "\u{8}": result += "\\b"
    case "\u{c}": result += "\\f"
    case "\u{0}"..."\u{1f}":
      let hex = String(scalar.value, radix: 16)
      result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}

/// A parsed JSON value: object keys in document order, numbers as their text.
enum ParsedJSON {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number's text, as written.
  case number(String)
  /// A string.
  case string(String)
  /// An array.
  case array([ParsedJSON])
  /// An object; keys are unique.
  case object([(key: String, value: ParsedJSON)])

  /// Parses one JSON value surrounded by optional whitespace (RFC 8259; duplicate object keys
  /// and nesting deeper than 64 levels are rejected).
  static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> ParsedJSON {
    var parser = JSONParser(bytes: bytes, index: bytes.startIndex)
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.index == bytes.endIndex else {
      throw parser.error("unexpected text after the value")
    }
    return value
  }

  /// The value as an array of non-negative integers, if it is one.
  var naturals: [Int]? {
    guard case .array(let elements) = self else { return nil }
    var result: [Int] = []
    for element in elements {
      guard case .number(let text) = element, let number = Int(text), number >= 0 else {
        return nil
      }
      result.append(number)
    }
    return result
  }
}

/// Malformed JSON: what was expected and where.
struct JSONSyntaxError: Error, CustomStringConvertible {
  /// What is wrong.
  var message: String
  /// The byte offset from the start of the parsed text.
  var offset: Int
  /// The message and the offset.
  var description: String { "\(message) at byte \(offset)" }
}

/// A recursive-descent JSON parser over UTF-8 bytes.
private struct JSONParser {
  let bytes: ArraySlice<UInt8>
  var index: Int

  func error(_ message: String) -> JSONSyntaxError {
    JSONSyntaxError(message: message, offset: index - bytes.startIndex)
  }

  mutating func skipWhitespace() {
    while let byte = current, byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 {
      index += 1
    }
  }

  private var current: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

  private mutating func consume(_ byte: UInt8) -> Bool {
    guard current == byte else { return false }
    index += 1
    return true
  }

  mutating func value(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    skipWhitespace()
    guard let byte = current else { throw error("unexpected end of text") }
    switch byte {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      guard depth < 64 else { throw error("nesting deeper than 64 levels") }
      return byte == UInt8(ascii: "{") ? try object(depth: depth) : try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    case 0x21..<0x7f: throw error("unexpected character '\(Unicode.Scalar(byte))'")
    default: throw error("unexpected byte 0x\(String(byte, radix: 16))")
    }
  }

  private mutating func object(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    index += 1
    var pairs: [(key: String, value: ParsedJSON)] = []
    skipWhitespace()
    if consume(UInt8(ascii: "}")) { return .object(pairs) }
    repeat {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let keyStart = index
      let key = try string()
      guard !pairs.contains(where: { $0.key == key }) else {
        index = keyStart
        throw error("duplicate key '\(key)'")
      }
      skipWhitespace()
      guard consume(UInt8(ascii: ":")) else { throw error("expected ':'") }
      pairs.append((key, try value(depth: depth + 1)))
      skipWhitespace()
    } while consume(UInt8(ascii: ","))
    guard consume(UInt8(ascii: "}")) else { throw error("expected ',' or '}'") }
    return .object(pairs)
  }

  private mutating func array(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    index += 1
    var elements: [ParsedJSON] = []
    skipWhitespace()
    if consume(UInt8(ascii: "]")) { return .array(elements) }
    repeat {
      elements.append(try value(depth: depth + 1))
      skipWhitespace()
    } while consume(UInt8(ascii: ","))
    guard consume(UInt8(ascii: "]")) else { throw error("expected ',' or ']'") }
    return .array(elements)
  }

  private mutating func literal(_ word: String, _ value: ParsedJSON) throws(JSONSyntaxError)
    -> ParsedJSON
  {
    for byte in word.utf8 {
      guard consume(byte) else { throw error("invalid literal, expected '\(word)'") }
    }
    return value
  }

  private mutating func number() throws(JSONSyntaxError) -> String {
    let start = index
    _ = consume(UInt8(ascii: "-"))
    func digits(_ parser: inout JSONParser) -> Int {
      let first = parser.index
      while let byte = parser.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
        parser.index += 1
      }
      return parser.index - first
    }
    let integerStart = index
    let integerDigits = digits(&self)
    guard integerDigits > 0 else { throw error("expected a digit") }
    guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
      throw error("leading zero in a number")
    }
    if consume(UInt8(ascii: ".")) {
      guard digits(&self) > 0 else { throw error("expected a digit after '.'") }
    }
    if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
      _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
      guard digits(&self) > 0 else { throw error("expected a digit in the exponent") }
    }
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }

  private mutating func string() throws(JSONSyntaxError) -> String {
    index += 1
    var utf8: [UInt8] = []
    while true {
      guard let byte = current else { throw error("unterminated string") }
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        guard let text = String(validating: utf8, as: UTF8.self) else {
          throw error("invalid UTF-8 in a string")
        }
        return text
      case UInt8(ascii: "\\"): utf8 += try escape()
      case 0..<0x20:
        index -= 1
        throw error("unescaped control character in a string")
      default: utf8.append(byte)
      }
    }
  }

  /// Decodes the escape after a backslash to UTF-8.
  private mutating func escape() throws(JSONSyntaxError) -> [UInt8] {
    guard let byte = current else { throw error("unterminated string") }
    index += 1
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [byte]
    case UInt8(ascii: "b"): return [0x08]
    case UInt8(ascii: "f"): return [0x0c]
    case UInt8(ascii: "n"): return [0x0a]
    case UInt8(ascii: "r"): return [0x0d]
    case UInt8(ascii: "t"): return [0x09]
    case UInt8(ascii: "u"):
      var code = try hex4()
      if (0xd800..<0xdc00).contains(code) {
        guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else {
          throw error("unpaired surrogate")
        }
        let low = try hex4()
        guard (0xdc00..<0xe000).contains(low) else { throw error("unpaired surrogate") }
        code = 0x10000 + (code - 0xd800) << 10 + (low - 0xdc00)
      }
      guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate") }
      return Array(String(Character(scalar)).utf8)
    default:
      index -= 1
      throw error("invalid escape")
    }
  }

  private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    var code: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = current, let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
        throw error("expected four hex digits")
      }
      code = code << 4 | UInt32(digit)
      index += 1
    }
    return code
  }
}
