// RLlib-style per-iteration results in a run directory: `result.json` (one JSON object per line)
// and `progress.csv` (the same records flattened with "/"-joined keys).

import Basics
import EnvContract

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
    var writer = JSONWriter()
    write(to: &writer)
    return String(decoding: writer.bytes, as: UTF8.self)
  }

  private func write(to writer: inout JSONWriter) {
    writer.beginObject()
    for (key, value) in fields {
      writer.key(key)
      switch value {
      case .int(let number): writer.value(number)
      case .double(let number): number.isFinite ? writer.value(number) : writer.null()
      case .string(let string): writer.value(string)
      case .null: writer.null()
      case .record(let inner): inner.write(to: &writer)
      }
    }
    writer.endObject()
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
  private let results: AppendingFile
  private let progress: AppendingFile
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
    var rebuild: [ResultRecord] = []
    if let last = resumeAfterIteration {
      let results = try Self.resultsPrefix(resultPath, through: last)
      let progress = try Self.progressPrefix(progressPath, through: last)
      switch (results, progress) {
      case (nil, let progress?) where progress.rows > 0:
        throw CheckpointError(
          file: resultPath,
          message:
            "missing, but progress.csv holds \(progress.rows) iterations; result.json keeps the run's full records: restore it, or start a new run with --overwrite"
        )
      case (let results?, nil) where results.records > 0:
        // progress.csv is result.json flattened: rebuilt below from the kept records.
        rebuild = try Self.readResults(path: resultPath).filter {
          if case .int(let i) = $0[path: "training_iteration"] { return i <= last }
          return false
        }
        keptResults = results.bytes
        repairs.append("progress.csv was missing: rebuilt from result.json (\(rebuild.count) iterations)")
      case (nil, nil) where last > 0:
        repairs.append(
          "result.json and progress.csv were missing: the log restarts at iteration \(last + 1) (iterations 1–\(last) are not recorded)"
        )
      default:
        keptResults = results?.bytes ?? []
        (keptProgress, columns) = (progress?.bytes ?? [], progress?.columns)
      }
      let dropped = max(results?.dropped ?? 0, progress?.dropped ?? 0)
      if dropped > 0 {
        repairs.append(
          "dropped \(dropped) iteration\(dropped == 1 ? "" : "s") after \(last) from result.json and progress.csv: recorded after the checkpoint, \(dropped == 1 ? "it is" : "they are") trained again"
        )
      }
      lastIteration = last
    }
    try writeAtomically(keptResults, to: resultPath)
    try writeAtomically(keptProgress, to: progressPath)
    do throws(FileError) {
      results = try AppendingFile(path: resultPath)
      do {
        progress = try AppendingFile(path: progressPath)
      } catch {
        results.close()
        throw error
      }
    } catch {
      throw CheckpointError(error)
    }
    for record in rebuild { try appendProgress(record) }
  }

  /// What resuming changed in the files beyond keeping the iterations up to the checkpoint:
  /// one sentence each, for the user (`train` prints them).
  public private(set) var repairs: [String] = []

  deinit {
    results.close()
    progress.close()
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
    do {
      try results.append(Array((record.json + "\n").utf8))
    } catch {
      throw CheckpointError(error)
    }
    try appendProgress(record)
    lastIteration = iteration
  }

  /// Appends `record`'s leaves as one row of `progress.csv` (the first row fixes the columns).
  private func appendProgress(_ record: ResultRecord) throws(CheckpointError) {
    let leaves = record.flattened
    let header = columns ?? leaves.map(\.key)
    var csv = columns == nil ? header.map(CSV.field).joined(separator: ",") + "\n" : ""
    let values = Dictionary(
      leaves.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    csv += header.map { values[$0].map(csvCell) ?? "" }.joined(separator: ",") + "\n"
    do {
      try progress.append(Array(csv.utf8))
    } catch {
      throw CheckpointError(error)
    }
    columns = header
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
  /// Quoted fields (which may hold commas, quotes and newlines) are unquoted. The log writes
  /// whole lines, so a last record without its newline is an append cut short by a crash: it is
  /// dropped (resuming rewrites it).
  ///
  /// - Throws: `CheckpointError` naming `path`: unreadable, or a row whose field count differs
  ///   from the header's.
  public static func readCSV(path: String) throws(CheckpointError) -> (
    header: [String], rows: [[String]]
  ) {
    let records = try completeRecords(path)
    guard let header = records.first?.fields else { return ([], []) }
    for (index, record) in records.enumerated() where record.fields.count != header.count {
      throw CheckpointError(
        file: path,
        message: "row \(index) has \(record.fields.count) fields, the header has \(header.count)")
    }
    return (header, records.dropFirst().map(\.fields))
  }

  // MARK: - Files

  /// The newline-terminated CSV records of the file at `path`.
  private static func completeRecords(_ path: String) throws(CheckpointError) -> [CSV.Record] {
    CSV.records(try readFile(path)).filter(\.isTerminated)
  }

  /// The complete lines of `result.json` whose `training_iteration` is at most `last`, how many
  /// records they are and how many later ones were dropped; nil when the file is missing.
  ///
  /// - Throws: `CheckpointError` naming the line whose iteration does not follow the one before.
  private static func resultsPrefix(
    _ path: String, through last: Int
  ) throws(CheckpointError) -> (bytes: [UInt8], records: Int, dropped: Int)? {
    guard let bytes = try readFileIfPresent(path) else { return nil }
    var kept: [UInt8] = []
    var (records, dropped, previous) = (0, 0, 0)
    for (number, line) in completeLines(bytes).enumerated() {
      let record = try parseResult(bytes[line], path: path, line: number + 1)
      guard case .int(let iteration) = record[path: "training_iteration"] else {
        throw CheckpointError(
          file: path, message: "line \(number + 1) has no integer 'training_iteration'")
      }
      guard iteration > previous else {
        throw CheckpointError(
          file: path,
          message:
            "line \(number + 1): training_iteration \(iteration) does not follow \(previous) (a damaged or edited file?)"
        )
      }
      previous = iteration
      if iteration <= last {
        kept += bytes[line.lowerBound...line.upperBound]
        records += 1
      } else {
        dropped += 1
      }
    }
    return (kept, records, dropped)
  }

  /// The header and complete rows of `progress.csv` whose `training_iteration` is at most
  /// `last`, the header's columns (nil when the file has no complete header), how many rows
  /// were kept and how many later ones dropped; nil when the file is missing.
  ///
  /// - Throws: `CheckpointError` naming the row: no integer iteration, another number of fields
  ///   than the header, or an iteration that does not follow the one before.
  private static func progressPrefix(
    _ path: String, through last: Int
  ) throws(CheckpointError) -> (bytes: [UInt8], columns: [String]?, rows: Int, dropped: Int)? {
    guard let bytes = try readFileIfPresent(path) else { return nil }
    let records = CSV.records(bytes).filter(\.isTerminated)
    guard let header = records.first else { return ([], nil, 0, 0) }
    guard let column = header.fields.firstIndex(of: "training_iteration") else {
      throw CheckpointError(file: path, message: "the header has no 'training_iteration' column")
    }
    var kept = Array(bytes[..<header.end])
    var start = header.end
    var (rows, dropped, previous) = (0, 0, 0)
    for (index, record) in records.enumerated().dropFirst() {
      guard record.fields.count == header.fields.count else {
        throw CheckpointError(
          file: path,
          message:
            "row \(index) has \(record.fields.count) fields, the header has \(header.fields.count) (a damaged or edited file?)"
        )
      }
      guard let iteration = Int(record.fields[column]) else {
        throw CheckpointError(
          file: path, message: "row \(index) has no integer 'training_iteration'")
      }
      guard iteration > previous else {
        throw CheckpointError(
          file: path,
          message:
            "row \(index): training_iteration \(iteration) does not follow \(previous) (a damaged or edited file?)")
      }
      previous = iteration
      if iteration <= last {
        kept += bytes[start..<record.end]
        rows += 1
      } else {
        dropped += 1
      }
      start = record.end
    }
    return (kept, header.fields, rows, dropped)
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
    let value: JSONValue
    do {
      value = try JSONParser.parse(line)
    } catch {
      throw CheckpointError(
        file: path, message: "line \(number), column \(error.column): not valid JSON: \(error.message)")
    }
    guard case .record(let record) = try resultValue(value, key: nil, fail: fail) else {
      throw fail("not a JSON object")
    }
    return record
  }

  private static func resultValue(
    _ value: JSONValue, key: String?, fail: (String) -> CheckpointError
  ) throws(CheckpointError) -> ResultRecord.Value {
    switch value {
    case .null: return .null
    case .string(let text): return .string(text)
    case .int(let number): return .int(Int(number))
    case .double(let number): return .double(number)
    case .object(let object):
      var fields: [(key: String, value: ResultRecord.Value)] = []
      for (name, inner) in object.entries {
        fields.append((name, try resultValue(inner, key: name, fail: fail)))
      }
      return .record(ResultRecord(fields))
    case .bool, .array:
      throw fail("'\(key ?? "")' holds a boolean or an array, which result records cannot")
    }
  }
}

// MARK: - CSV text

/// A leaf value as a CSV field: numbers as in JSON but NaN and infinities as Python writes them
/// (`nan`, `inf`, `-inf`), `null` empty.
private func csvCell(_ value: ResultRecord.Value) -> String {
  switch value {
  case .int(let number): return String(number)
  case .double(let number):
    if number.isNaN { return "nan" }
    if number.isInfinite { return number < 0 ? "-inf" : "inf" }
    return number.description
  case .string(let text): return CSV.field(text)
  case .null, .record: return ""
  }
}
