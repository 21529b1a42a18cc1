/// A JSON document held in memory, with the number and key-order fidelity dense logs need.
///
/// Integers and floating-point numbers are distinct cases, as in Python's `json` module:
/// `3` parses as ``int(_:)`` and `3.0` as ``double(_:)``, and the two are not equal. Objects keep
/// their keys in document order (see ``JSONObject``), so a parsed log writes back byte for byte.
///
/// Equality is structural with one exception: `.double(.nan) == .double(.nan)` is `true`,
/// because Foundation's episode metrics contain NaN and a round trip must compare equal.
public enum JSONValue: Equatable, Sendable {
  /// JSON `null` (Python `None`).
  case null
  /// JSON `true` or `false`.
  case bool(Bool)
  /// A number written without a fraction or exponent that fits in 64 bits.
  case int(Int64)
  /// Any other number, including Python's `NaN`, `Infinity` and `-Infinity`.
  case double(Double)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object, with its keys in document order.
  case object(JSONObject)

  /// Compares two values structurally; NaN equals NaN and `.int(3)` differs from `.double(3)`.
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.double(let a), .double(let b)): return a == b || (a.isNaN && b.isNaN)
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)): return a == b
    default: return false
    }
  }
}

// MARK: - Accessors

extension JSONValue {
  /// The number as a `Double` for ``int(_:)`` and ``double(_:)``; `nil` otherwise.
  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  /// The integer of an ``int(_:)`` that fits in `Int`; `nil` otherwise (doubles included).
  public var intValue: Int? {
    if case .int(let i) = self { return Int(exactly: i) }
    return nil
  }

  /// The payload of a ``bool(_:)``; `nil` otherwise.
  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// The payload of a ``string(_:)``; `nil` otherwise.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The elements of an ``array(_:)``; `nil` otherwise.
  public var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// The members of an ``object(_:)``; `nil` otherwise.
  public var objectValue: JSONObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  /// Whether this is ``null``.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The member named `key` of an object; `nil` for a missing key or a non-object.
  ///
  /// - Complexity: O(*n*) in the number of members.
  public subscript(key: String) -> JSONValue? {
    objectValue?[key]
  }

  /// The element at `index` of an array; `nil` when out of range or not an array.
  public subscript(index: Int) -> JSONValue? {
    guard case .array(let a) = self, a.indices.contains(index) else { return nil }
    return a[index]
  }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  /// Creates ``null``.
  public init(nilLiteral: ()) { self = .null }
  /// Creates ``bool(_:)``.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  /// Creates ``int(_:)``.
  public init(integerLiteral value: Int64) { self = .int(value) }
  /// Creates ``double(_:)``.
  public init(floatLiteral value: Double) { self = .double(value) }
  /// Creates ``string(_:)``.
  public init(stringLiteral value: String) { self = .string(value) }
  /// Creates ``array(_:)``.
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// Creates ``object(_:)`` with the members in literal order.
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
  }
}

// MARK: - JSONObject

/// The members of a JSON object, in document order.
///
/// Dense logs are compared and rewritten byte for byte, so key order matters and is kept; a
/// `Dictionary` would lose it. Lookups are linear, which is fast for the small objects of a
/// log (a few dozen keys). ``JSONParser`` rejects duplicate keys; an object built with
/// ``append(_:_:)`` may hold them, and lookups then see the last one. Two objects are equal when they have the same members in the
/// same order.
public struct JSONObject: Equatable, Sendable {
  /// The members, in order.
  public var entries: [(key: String, value: JSONValue)]

  /// Creates an object with the given members, in order.
  public init(_ entries: [(key: String, value: JSONValue)] = []) {
    self.entries = entries
  }

  /// The keys, in order.
  public var keys: [String] { entries.map(\.key) }

  /// The number of members.
  public var count: Int { entries.count }

  /// Whether the object has no members.
  public var isEmpty: Bool { entries.isEmpty }

  /// Adds a member at the end, without checking for an existing member with the same key.
  public mutating func append(_ key: String, _ value: JSONValue) {
    entries.append((key: key, value: value))
  }

  /// The value of the last member named `key`.
  ///
  /// Setting replaces that member's value in place, or appends a member if there is none;
  /// setting `nil` removes every member named `key`.
  ///
  /// - Complexity: O(*n*) in the number of members.
  public subscript(key: String) -> JSONValue? {
    get {
      entries.last(where: { $0.key == key })?.value
    }
    set {
      guard let newValue else {
        entries.removeAll { $0.key == key }
        return
      }
      if let i = entries.lastIndex(where: { $0.key == key }) {
        entries[i].value = newValue
      } else {
        append(key, newValue)
      }
    }
  }

  /// Compares members pairwise, in order.
  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    guard lhs.entries.count == rhs.entries.count else { return false }
    for (a, b) in zip(lhs.entries, rhs.entries) where a.key != b.key || a.value != b.value {
      return false
    }
    return true
  }
}
