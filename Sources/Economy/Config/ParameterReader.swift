// Reads the parameters of one config mapping, recording every problem and carrying on.

/// Reads typed parameters from one YAML mapping, such as a component's settings, and records
/// every problem instead of stopping at the first.
///
/// Each getter takes the key and a fallback. An absent key gives the fallback silently (it is
/// the documented default); a present key with a bad value records a located ``ConfigIssue`` and
/// also gives the fallback, so reading continues and the user sees all problems at once. A null
/// value counts as bad for a non-optional getter: YAML `payment:` with nothing after it is a
/// mistake, not a request for the default.
///
/// After reading, call ``finish(context:)`` to flag keys nobody asked for, with a suggestion:
///
/// ```swift
/// var reader = ParameterReader(node)
/// let payment = reader.double("payment", default: 10, range: 0...Double.infinity)
/// let skill = reader.choice("skill_dist", default: "none", from: ["none", "pareto", "lognormal"])
/// reader.finish(context: "Build")
/// if !reader.issues.isEmpty { throw ConfigError(issues: reader.issues) }
/// ```
public struct ParameterReader: Sendable {
  /// The mapping being read.
  public let node: ConfigNode
  /// The problems found so far, in the order found.
  public private(set) var issues: [ConfigIssue] = []
  private let entries: [ConfigEntry]
  /// Keys the caller asked for, in order; these are the valid names.
  private var requested: [String] = []
  /// Keys accepted without being read.
  private var ignored: [String] = []
  private var isFinished = false

  /// Starts reading `node`, which should be a mapping; null counts as an empty mapping.
  ///
  /// Anything else records an issue and reads as an empty mapping. Duplicate keys are recorded
  /// too, and the first occurrence is used.
  ///
  /// - Parameter node: The mapping to read.
  public init(_ node: ConfigNode) {
    self.node = node
    if node.isNull {
      entries = []
      return
    }
    do throws(ConfigIssue) {
      (entries, issues) = try node.entries()
    } catch {
      entries = []
      issues = [error]
    }
  }

  /// A reader of an empty mapping at `location`, for a section written with no parameters.
  ///
  /// Getters return their fallbacks; ``report(_:_:)`` with `nil` records issues at `location`.
  ///
  /// - Parameter location: Where the section is, e.g. the component's name in a list.
  /// - Returns: The reader.
  public static func empty(at location: ConfigLocation) -> ParameterReader {
    let element = YAMLElement(
      content: .scalar(YAMLScalar(text: "", value: .null, isMerge: false)),
      line: location.line, column: location.column)
    return ParameterReader(
      ConfigNode(element: element, keyPath: location.keyPath, file: location.file))
  }

  // MARK: - Bookkeeping

  /// Whether the mapping has `key`; asking does not count as reading it.
  public func contains(_ key: String) -> Bool {
    entries.contains { $0.key == key }
  }

  /// Accepts `keys` without reading them, so ``finish(context:)`` does not report them.
  ///
  /// - Parameter keys: Keys that are valid but have no effect here.
  public mutating func ignore(_ keys: [String]) {
    ignored += keys.filter { !ignored.contains($0) }
  }

  /// Records a problem found by the caller, such as a failed cross-parameter check.
  ///
  /// - Parameter issue: The problem.
  public mutating func record(_ issue: ConfigIssue) {
    issues.append(issue)
  }

  /// Records `message` at the value of `key`, or at the mapping itself if `key` is `nil` or absent.
  ///
  /// For checks the getters cannot make, such as `rate_min <= rate_max` or a missing required key.
  ///
  /// - Parameters:
  ///   - key: The parameter the problem is about, or `nil` for the mapping as a whole.
  ///   - message: What is wrong, without the location.
  public mutating func report(_ key: String?, _ message: String) {
    let target = key.flatMap { key in entries.first { $0.key == key }?.node } ?? node
    issues.append(target.issue(message))
  }

  /// Records an issue for each key that was neither read nor ignored, suggesting the closest
  /// valid key or else listing them all.
  ///
  /// Calling it again records nothing new.
  ///
  /// - Parameter context: What the mapping configures, for the message, e.g. `Build`.
  public mutating func finish(context: String) {
    guard !isFinished else { return }
    isFinished = true
    let valid = requested + ignored
    let known = Set(valid)
    let list = valid.map { "'\($0)'" }.joined(separator: ", ")
    var unknown = 0
    for entry in entries where !known.contains(entry.key) {
      unknown += 1
      var message = "unknown parameter '\(entry.key)' for \(context)"
      // Suggestions for the first hundred; a file of thousands of unknown keys is a wrong file,
      // and it is reported in seconds.
      if unknown <= 100, let suggestion = closestName(to: entry.key, among: valid) {
        message += " (did you mean '\(suggestion)'?)"
      } else if valid.isEmpty {
        message += "; it takes no parameters"
      } else {
        message += "; valid parameters are " + list
      }
      issues.append(ConfigIssue(location: entry.keyLocation, message: message))
    }
  }

  // MARK: - Scalars

  /// The number under `key`.
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - fallback: The value when the key is absent or invalid.
  ///   - range: The allowed values, if limited.
  /// - Returns: The value, or `fallback` (recording an issue if the value was invalid).
  public mutating func double(
    _ key: String, default fallback: Double, range: ClosedRange<Double>? = nil
  ) -> Double {
    guard let value = lookup(key) else { return fallback }
    return read(value, fallback) { node throws(ConfigIssue) in
      try checked(try finite(node), in: range, at: node)
    }
  }

  /// The number under `key`, or `nil` if it is absent or null.
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - range: The allowed values, if limited.
  /// - Returns: The value, or `nil` (recording an issue if the value was invalid).
  public mutating func optionalDouble(_ key: String, range: ClosedRange<Double>? = nil) -> Double? {
    guard let value = lookup(key), !value.isNull else { return nil }
    return read(value, nil) { node throws(ConfigIssue) in
      try checked(try finite(node), in: range, at: node)
    }
  }

  /// The integer under `key`; `5.0` counts as `5`, `5.5` is an issue.
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - fallback: The value when the key is absent or invalid.
  ///   - range: The allowed values, if limited.
  /// - Returns: The value, or `fallback` (recording an issue if the value was invalid).
  public mutating func int(_ key: String, default fallback: Int, range: ClosedRange<Int>? = nil)
    -> Int
  {
    guard let value = lookup(key) else { return fallback }
    return read(value, fallback) { node throws(ConfigIssue) in
      try checked(try node.int(), in: range, at: node)
    }
  }

  /// The integer under `key`, or `nil` if it is absent or null.
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - range: The allowed values, if limited.
  /// - Returns: The value, or `nil` (recording an issue if the value was invalid).
  public mutating func optionalInt(_ key: String, range: ClosedRange<Int>? = nil) -> Int? {
    guard let value = lookup(key), !value.isNull else { return nil }
    return read(value, nil) { node throws(ConfigIssue) in
      try checked(try node.int(), in: range, at: node)
    }
  }

  /// The boolean under `key`, in any spelling PyYAML accepts (`true`, `yes`, `on`, …).
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - fallback: The value when the key is absent or invalid.
  /// - Returns: The value, or `fallback` (recording an issue if the value was invalid).
  public mutating func bool(_ key: String, default fallback: Bool) -> Bool {
    guard let value = lookup(key) else { return fallback }
    return read(value, fallback) { node throws(ConfigIssue) in try node.bool() }
  }

  /// The string under `key`.
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - fallback: The value when the key is absent or invalid.
  /// - Returns: The value, or `fallback` (recording an issue if the value was invalid).
  public mutating func string(_ key: String, default fallback: String) -> String {
    guard let value = lookup(key) else { return fallback }
    return read(value, fallback) { node throws(ConfigIssue) in try node.string() }
  }

  /// The string under `key`, or `nil` if it is absent or null.
  ///
  /// - Parameter key: The parameter name.
  /// - Returns: The value, or `nil` (recording an issue if the value was invalid).
  public mutating func optionalString(_ key: String) -> String? {
    guard let value = lookup(key), !value.isNull else { return nil }
    return read(value, nil) { node throws(ConfigIssue) in try node.string() }
  }

  /// The string under `key`, which must be one of `options` (case-sensitive).
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - fallback: The value when the key is absent or invalid.
  ///   - options: The valid values, in the order the message lists them.
  /// - Returns: The value, or `fallback` (recording an issue if the value was invalid).
  public mutating func choice(_ key: String, default fallback: String, from options: [String])
    -> String
  {
    guard let value = lookup(key) else { return fallback }
    return read(value, fallback) { node throws(ConfigIssue) in
      let expected = "one of " + options.map { "'\($0)'" }.joined(separator: ", ")
      guard case .scalar(let scalar) = node.element.content, case .string(let text) = scalar.value
      else { throw node.mismatch(expected: expected) }
      guard options.contains(text) else {
        throw node.issue(
          "expected \(expected), found \(node.describeValue)\(didYouMean(text, among: options))")
      }
      return text
    }
  }

  /// The node under `key`, for values the caller reads itself; `nil` if the key is absent.
  ///
  /// - Parameter key: The parameter name.
  /// - Returns: The value node, which may be null.
  public mutating func node(_ key: String) -> ConfigNode? {
    lookup(key)
  }

  // MARK: - Lists

  /// The list of numbers under `key`, recording every bad item.
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - fallback: The value when the key is absent or invalid.
  /// - Returns: The values, or `fallback` (recording issues if any item was invalid).
  public mutating func doubleList(_ key: String, default fallback: [Double]) -> [Double] {
    guard let value = lookup(key) else { return fallback }
    return list(value) { node throws(ConfigIssue) in try finite(node) } ?? fallback
  }

  /// The list of numbers under `key`, or `nil` if it is absent or null.
  ///
  /// - Parameter key: The parameter name.
  /// - Returns: The values, or `nil` (recording issues if any item was invalid).
  public mutating func optionalDoubleList(_ key: String) -> [Double]? {
    guard let value = lookup(key), !value.isNull else { return nil }
    return list(value) { node throws(ConfigIssue) in try finite(node) }
  }

  /// The list of integers under `key`, recording every bad item.
  ///
  /// - Parameters:
  ///   - key: The parameter name.
  ///   - fallback: The value when the key is absent or invalid.
  /// - Returns: The values, or `fallback` (recording issues if any item was invalid).
  public mutating func intList(_ key: String, default fallback: [Int]) -> [Int] {
    guard let value = lookup(key) else { return fallback }
    return list(value) { node throws(ConfigIssue) in try node.int() } ?? fallback
  }

  // MARK: - Helpers

  /// Marks `key` as a valid, read parameter and returns its value node, if present.
  private mutating func lookup(_ key: String) -> ConfigNode? {
    if !requested.contains(key) { requested.append(key) }
    return entries.first { $0.key == key }?.node
  }

  /// Runs `body` on `node`, recording its issue and returning `fallback` if it throws.
  private mutating func read<T>(
    _ node: ConfigNode, _ fallback: T, _ body: (ConfigNode) throws(ConfigIssue) -> T
  ) -> T {
    do throws(ConfigIssue) {
      return try body(node)
    } catch {
      issues.append(error)
      return fallback
    }
  }

  /// Reads every item of the list `node` with `body`; `nil` if it is not a list or any item fails.
  private mutating func list<T>(
    _ node: ConfigNode, _ body: (ConfigNode) throws(ConfigIssue) -> T
  ) -> [T]? {
    let items = read(node, nil) { node throws(ConfigIssue) in try node.sequence() }
    guard let items else { return nil }
    let issueCount = issues.count
    let values = items.map { item in read(item, nil, body) }
    guard issues.count == issueCount else { return nil }
    return values.compactMap { $0 }
  }
}

// MARK: - Entries

/// One key of a mapping: its text and position, and its value node.
struct ConfigEntry: Sendable {
  /// The key as written.
  var key: String
  /// The 1-based line and column of the key itself.
  var keyLine: Int?
  var keyColumn: Int?
  /// The value, whose key path ends in `key`.
  var node: ConfigNode
  /// The raw pair, kept for merging.
  var pair: YAMLPair

  init(key: String, pair: YAMLPair, parent: ConfigNode) {
    self.key = key
    self.keyLine = pair.key.line
    self.keyColumn = pair.key.column
    self.node = ConfigNode(element: pair.value, keyPath: parent.childPath(key), file: parent.file)
    self.pair = pair
  }

  /// The location of the key (not its value), with the value's key path.
  var keyLocation: ConfigLocation {
    ConfigLocation(file: node.file, keyPath: node.keyPath, line: keyLine, column: keyColumn)
  }
}

// MARK: - Range checks

/// The number of `node`, which must be finite: NaN and infinities are errors wherever a
/// config gives a number (`.nan` would otherwise slip through every range check).
private func finite(_ node: ConfigNode) throws(ConfigIssue) -> Double {
  let value = try node.double()
  guard value.isFinite else { throw node.issue("expected a finite number, found \(node.describeValue)") }
  return value
}

/// `value` if it lies in `range`, else an issue at `node`.
private func checked<T: Comparable>(
  _ value: T, in range: ClosedRange<T>?, at node: ConfigNode
) throws(ConfigIssue) -> T {
  guard let range, !range.contains(value) else { return value }
  throw node.issue("expected \(describe(range)), found \(node.describeValue)")
}

/// `a value in 0...1`, `a value >= 0` or `a value <= 10`, leaving out unbounded ends (infinity,
/// `Double.greatestFiniteMagnitude`, `Int.max`, `Int.min`).
private func describe<T: Comparable>(_ range: ClosedRange<T>) -> String {
  let (lower, upper) = (format(range.lowerBound), format(range.upperBound))
  switch (lower, upper) {
  case (nil, nil): return "a number"
  case (let lower?, nil): return "a value >= \(lower)"
  case (nil, let upper?): return "a value <= \(upper)"
  case (let lower?, let upper?): return "a value in \(lower)...\(upper)"
  }
}

/// A bound as the user would write it (`1`, not `1.0`); `nil` for unbounded ends.
private func format<T>(_ bound: T) -> String? {
  switch bound {
  case let value as Double:
    guard value.isFinite, abs(value) != .greatestFiniteMagnitude else { return nil }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
  case let value as Int:
    return value == .max || value == .min ? nil : String(value)
  default:
    return "\(bound)"
  }
}
