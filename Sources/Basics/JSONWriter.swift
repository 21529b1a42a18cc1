/// A streaming JSON encoder that writes the same text as Python's `json.dumps`.
///
/// Dense logs run to megabytes, so the writer appends UTF-8 straight into ``bytes`` without
/// building a ``JSONValue`` tree first. Separators are inserted automatically: call
/// ``beginObject()``, then ``key(_:)`` before each member's value, then ``endObject()``;
/// arrays work the same way without keys.
///
/// The output matches `json.dumps(value, ensure_ascii=False)` with default separators:
/// `{"a": [1, 2.5, null, true], "b": "x\"y"}`. Doubles use Python's `repr` (shortest
/// round-trip digits; `10.0`, `1e-05`, `1e+16`), and non-finite doubles are written as Python
/// writes them: `NaN`, `Infinity`, `-Infinity`. Strings escape `"`, `\` and control characters
/// and keep other characters as UTF-8.
///
/// Misuse (a value in an object without a key, unbalanced `end` calls, a second top-level
/// value) is a programmer error and traps.
///
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject()
/// writer.key("a"); writer.value(1)
/// writer.endObject()
/// // writer.bytes is the UTF-8 of {"a": 1}
/// ```
public struct JSONWriter: Sendable {
  /// The UTF-8 text written so far.
  public var bytes: [UInt8]

  /// Where the writer stands inside the innermost open container.
  private enum State: UInt8, Sendable {
    case topLevel, done
    case arrayEmpty, arrayNonEmpty
    case objectFirstKey, objectKey, objectValue
  }

  private var state: State = .topLevel
  private var parents: [State] = []

  /// Creates an empty writer, reserving room for `capacity` bytes.
  public init(reservingCapacity capacity: Int = 0) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  /// Whether exactly one complete top-level value has been written.
  public var isComplete: Bool { state == .done && parents.isEmpty }

  /// Encodes a whole value tree.
  ///
  /// - Parameter value: The document to encode.
  /// - Returns: Its UTF-8 text, as `json.dumps(value, ensure_ascii=False)` would write it.
  public static func serialize(_ value: JSONValue) -> [UInt8] {
    var writer = JSONWriter()
    writer.value(value)
    return writer.bytes
  }

  /// `text` as a JSON string literal, escaped as ``value(_:)-(String)`` writes it.
  public static func quoted(_ text: String) -> String {
    var writer = JSONWriter()
    writer.appendString(text)
    return String(decoding: writer.bytes, as: UTF8.self)
  }

  // MARK: - Containers

  /// Opens an object; follow with ``key(_:)``/value pairs and ``endObject()``.
  public mutating func beginObject() {
    willWriteValue()
    bytes.append(UInt8(ascii: "{"))
    parents.append(state)
    state = .objectFirstKey
  }

  /// Closes the innermost object.
  public mutating func endObject() {
    precondition(
      state == .objectFirstKey || state == .objectKey,
      "JSONWriter.endObject() outside an object or after a key without a value")
    bytes.append(UInt8(ascii: "}"))
    closeContainer()
  }

  /// Opens an array; follow with values and ``endArray()``.
  public mutating func beginArray() {
    willWriteValue()
    bytes.append(UInt8(ascii: "["))
    parents.append(state)
    state = .arrayEmpty
  }

  /// Closes the innermost array.
  public mutating func endArray() {
    precondition(
      state == .arrayEmpty || state == .arrayNonEmpty, "JSONWriter.endArray() outside an array")
    bytes.append(UInt8(ascii: "]"))
    closeContainer()
  }

  /// Writes a member's key and the `": "` that follows it; the next call writes its value.
  public mutating func key(_ s: String) {
    switch state {
    case .objectFirstKey: break
    case .objectKey: appendSeparator()
    default: preconditionFailure("JSONWriter.key(_:) outside an object or twice in a row")
    }
    appendString(s)
    bytes.append(UInt8(ascii: ":"))
    bytes.append(UInt8(ascii: " "))
    state = .objectValue
  }

  // MARK: - Scalars

  /// Writes a number in Python's `repr` style: `10.0`, `0.1`, `1e-05`, `NaN`, `-Infinity`.
  public mutating func value(_ d: Double) {
    willWriteValue()
    appendDouble(d)
  }

  /// Writes an integer.
  public mutating func value(_ i: Int) {
    willWriteValue()
    appendInteger(Int64(i))
  }

  /// Writes `true` or `false`.
  public mutating func value(_ b: Bool) {
    willWriteValue()
    appendASCII(b ? "true" : "false")
  }

  /// Writes a string, escaped.
  public mutating func value(_ s: String) {
    willWriteValue()
    appendString(s)
  }

  /// Writes `null`.
  public mutating func null() {
    willWriteValue()
    appendASCII("null")
  }

  /// Writes a whole value tree.
  public mutating func value(_ v: JSONValue) {
    switch v {
    case .null: null()
    case .bool(let b): value(b)
    case .int(let i):
      willWriteValue()
      appendInteger(i)
    case .double(let d): value(d)
    case .string(let s): value(s)
    case .array(let elements):
      beginArray()
      for element in elements { value(element) }
      endArray()
    case .object(let object):
      beginObject()
      for (k, element) in object.entries {
        key(k)
        value(element)
      }
      endObject()
    }
  }

  // MARK: - State

  /// Writes the separator a value needs at this position and advances the state.
  @inline(__always)
  private mutating func willWriteValue() {
    switch state {
    case .arrayNonEmpty: appendSeparator()
    case .arrayEmpty: state = .arrayNonEmpty
    case .objectValue: state = .objectKey
    case .topLevel: state = .done
    case .objectFirstKey, .objectKey:
      preconditionFailure("JSONWriter: a value inside an object needs key(_:) first")
    case .done: preconditionFailure("JSONWriter: a document holds one top-level value")
    }
  }

  private mutating func closeContainer() {
    guard let parent = parents.popLast() else {
      preconditionFailure("JSONWriter: unbalanced end of container")
    }
    state = parent
  }

  @inline(__always)
  private mutating func appendSeparator() {
    bytes.append(UInt8(ascii: ","))
    bytes.append(UInt8(ascii: " "))
  }

  @inline(__always)
  private mutating func appendASCII(_ s: StaticString) {
    s.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }
}

// MARK: - Encoding

extension JSONWriter {
  /// Appends the decimal digits of `i`, without allocating.
  mutating func appendInteger(_ i: Int64) {
    if i < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = i.magnitude
    let start = bytes.count
    repeat {
      bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10))
      magnitude /= 10
    } while magnitude != 0
    bytes[start...].reverse()
  }

  /// Appends `d` as Python's `repr(float)` writes it.
  ///
  /// Integral values below 10¹⁶ take an allocation-free path (`12.0`, `-0.0`). Every other
  /// finite value is Swift's `description`: the shortest digits that round-trip, in the same
  /// layout as `repr` (fixed notation for decimal exponents from -4 through 15, otherwise
  /// `1e-05`/`1.5e+300`). The two differ only on integral values in [2⁵³, 10¹⁶), where
  /// Swift switches to scientific notation early; the fast path covers exactly those.
  mutating func appendDouble(_ d: Double) {
    if !d.isFinite {
      appendASCII(d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity")
    } else if d.magnitude < 1e16, Double(Int64(d.magnitude)) == d.magnitude {
      // `Int64(_:)` truncates; the guard makes it exact (and avoids libm's `trunc`).
      if d.sign == .minus { bytes.append(UInt8(ascii: "-")) }
      appendInteger(Int64(d.magnitude))
      bytes.append(UInt8(ascii: "."))
      bytes.append(UInt8(ascii: "0"))
    } else {
      var text = d.description
      text.withUTF8 { bytes.append(contentsOf: $0) }
    }
  }

  /// Appends `s` in quotes, escaping as Python's `json` does with `ensure_ascii=False`.
  mutating func appendString(_ s: String) {
    bytes.append(UInt8(ascii: "\""))
    let handled: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
    if handled == nil {
      let copy = Array(s.utf8)
      copy.withUnsafeBufferPointer { appendEscaped($0) }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
    var runStart = 0
    for i in utf8.indices {
      let byte = utf8[i]
      guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
        continue
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
      runStart = i + 1
      bytes.append(UInt8(ascii: "\\"))
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
      case 0x0A: bytes.append(UInt8(ascii: "n"))
      case 0x0D: bytes.append(UInt8(ascii: "r"))
      case 0x09: bytes.append(UInt8(ascii: "t"))
      case 0x08: bytes.append(UInt8(ascii: "b"))
      case 0x0C: bytes.append(UInt8(ascii: "f"))
      default:
        let hex: StaticString = "0123456789abcdef"
        bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
        hex.withUTF8Buffer { hexDigits in
          bytes.append(hexDigits[Int(byte >> 4)])
          bytes.append(hexDigits[Int(byte & 0xF)])
        }
      }
    }
    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
  }
}
