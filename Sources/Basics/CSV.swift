// CSV as RLlib writes `progress.csv`: RFC 4180 quoting, one record per line.

/// Reading and quoting CSV text (RFC 4180: fields separated by commas, a field that holds a
/// comma, quote or line break is quoted and its quotes doubled, `\r\n` or `\n` ends a record).
public enum CSV {
  /// One record: its unquoted fields and where it ends in the input.
  public struct Record: Sendable, Equatable {
    /// The fields, unquoted.
    public var fields: [String]
    /// The offset just past the record's line break (or the end of the input).
    public var end: Int
    /// Whether a line break ends the record.
    ///
    /// Only the last record of a file can lack one: a file written by a tool that omits the
    /// final newline, or an append cut short by a crash.
    public var isTerminated: Bool
  }

  /// The records of `bytes`, in order.
  ///
  /// The last record is kept when no line break ends it (RFC 4180 allows that) and is marked
  /// with ``Record/isTerminated`` false, so a reader that appends to the file (resuming a run)
  /// can tell an interrupted append from a complete row. A quote left open at the end of the
  /// input ends the last field. Blank lines are records with one empty field.
  ///
  /// - Complexity: O(*n*) in the length of `bytes`.
  public static func records(_ bytes: [UInt8]) -> [Record] {
    var records: [Record] = []
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
        records.append(Record(fields: fields, end: index, isTerminated: true))
        (fields, field) = ([], [])
      default: field.append(byte)
      }
    }
    if !field.isEmpty || !fields.isEmpty || quoted {
      if field.last == UInt8(ascii: "\r") && !quoted { field.removeLast() }
      fields.append(String(decoding: field, as: UTF8.self))
      records.append(Record(fields: fields, end: bytes.count, isTerminated: false))
    }
    return records
  }

  /// `text` as a CSV field: quoted, with quotes doubled, when it holds a comma, quote or line
  /// break; as it is otherwise.
  public static func field(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    var quoted = "\""
    for character in text {
      quoted += character == "\"" ? "\"\"" : String(character)
    }
    return quoted + "\""
  }
}
