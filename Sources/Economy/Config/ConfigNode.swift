// A parsed YAML node that knows where it came from, with typed accessors that fail with located,
// readable issues.

import Foundation
import Yams

/// A node of a parsed YAML configuration, with the file and key path it was found at.
///
/// Scalars are typed the way PyYAML types them (YAML 1.1), because Foundation's configs are read
/// with PyYAML: a plain `10` is an integer, a quoted `'10'` is a string, `yes`/`off` are booleans,
/// `~` is null and `010` is octal 8. In addition, floats without a dot or with an unsigned
/// exponent (`1e-4`, `1.0e5`) are numbers, not strings. Sexagesimal numbers and timestamps are
/// strings.
///
/// Accessors throw a ``ConfigIssue`` that names the file, line, column and key path, and reads
/// `expected X, found Y`, where `Y` is ``describeValue``. Merge keys (`<<: *defaults`) are
/// expanded as PyYAML expands them.
public struct ConfigNode: Sendable {
  /// The path from the document root, such as `env.components[1].Gather`; empty for the root.
  public let keyPath: String
  /// The file the document was read from, or `nil` for in-memory text.
  public let file: String?
  /// The parsed value and its position.
  let element: YAMLElement

  init(element: YAMLElement, keyPath: String, file: String?) {
    self.element = element
    self.keyPath = keyPath
    self.file = file
  }

  // MARK: - Loading

  /// Parses one YAML document.
  ///
  /// - Parameters:
  ///   - yaml: The document text.
  ///   - file: The file name to report in errors, or `nil` for in-memory text.
  /// - Returns: The root node; an empty document gives a null root.
  /// - Throws: ``ConfigError`` for invalid YAML, with the line and column the parser reported.
  public static func load(yaml: String, file: String?) throws(ConfigError) -> ConfigNode {
    // A UTF-8 byte-order mark (editors on Windows write one) is not part of the first key.
    let yaml = yaml.hasPrefix("\u{FEFF}") ? String(yaml.dropFirst()) : yaml
    do throws(ConfigIssue) {
      return ConfigNode(element: try YAMLComposer.compose(yaml), keyPath: "", file: file)
    } catch {
      var issue = error
      issue.location.file = file
      throw ConfigError(issue)
    }
  }

  /// Reads and parses the YAML file at `path`.
  ///
  /// - Parameter path: The file to read; it is also the file name used in errors.
  /// - Returns: The root node.
  /// - Throws: ``ConfigError`` if the file cannot be read as UTF-8 or is invalid YAML.
  public static func load(file path: String) throws(ConfigError) -> ConfigNode {
    guard let data = FileManager.default.contents(atPath: path) else {
      let message = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
      throw ConfigError(ConfigIssue(location: .init(file: path), message: message))
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigError(ConfigIssue(location: .init(file: path), message: "the file is not UTF-8"))
    }
    return try load(yaml: text, file: path)
  }

  // MARK: - Position and description

  /// The 1-based line of the value, if known.
  public var line: Int? { element.line }

  /// The 1-based column of the value, if known.
  public var column: Int? { element.column }

  /// The file, line, column and key path of this node.
  public var location: ConfigLocation {
    ConfigLocation(file: file, keyPath: keyPath, line: line, column: column)
  }

  /// Whether the value is YAML null (`~`, `null`, or nothing at all).
  public var isNull: Bool {
    if case .scalar(let scalar) = element.content, case .null = scalar.value { return true }
    return false
  }

  /// A short description of the value for messages: `'ten'` for a string, `5.5` for a number as
  /// written, `boolean yes`, `null`, `a list` or `a mapping`.
  public var describeValue: String {
    switch element.content {
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .scalar(let scalar):
      switch scalar.value {
      case .null: return "null"
      case .bool: return "boolean \(scalar.text)"
      case .int, .largeInt, .double: return scalar.text
      case .string(let text): return quoted(text)
      }
    }
  }

  /// An issue located at this node.
  ///
  /// - Parameter message: What is wrong, without the location.
  /// - Returns: The issue, for loaders to throw or record.
  public func issue(_ message: String) -> ConfigIssue {
    ConfigIssue(location: location, message: message)
  }

  /// The issue `expected WHAT, found VALUE` located at this node.
  ///
  /// - Parameter what: What a valid value looks like, e.g. `a number`.
  /// - Returns: The issue, for loaders to throw or record.
  public func mismatch(expected what: String) -> ConfigIssue {
    issue("expected \(what), found \(describeValue)")
  }

  // MARK: - Typed accessors

  /// The key–value pairs of a mapping, in document order, with merge keys expanded.
  ///
  /// - Returns: Each key with its value node, whose key path extends this one.
  /// - Throws: ``ConfigIssue`` if this is not a mapping, or for its first duplicate or non-text
  ///   key. ``ParameterReader`` reports every such problem instead of the first.
  public func mapping() throws(ConfigIssue) -> [(key: String, node: ConfigNode)] {
    let (entries, problems) = try self.entries()
    if let first = problems.first { throw first }
    return entries.map { ($0.key, $0.node) }
  }

  /// The items of a list, in order.
  ///
  /// - Returns: The item nodes, with key paths `PATH[0]`, `PATH[1]`, ….
  /// - Throws: ``ConfigIssue`` if this is not a list.
  public func sequence() throws(ConfigIssue) -> [ConfigNode] {
    guard case .sequence(let items) = element.content else { throw mismatch(expected: "a list") }
    return items.enumerated().map { index, item in
      ConfigNode(element: item, keyPath: "\(keyPath)[\(index)]", file: file)
    }
  }

  /// The value as text.
  ///
  /// Only strings qualify: `10`, `yes` and `~` are not strings in YAML.
  ///
  /// - Returns: The string.
  /// - Throws: ``ConfigIssue`` for any other value, suggesting quotes for numbers and booleans.
  public func string() throws(ConfigIssue) -> String {
    guard case .scalar(let scalar) = element.content else { throw mismatch(expected: "a string") }
    switch scalar.value {
    case .string(let text): return text
    case .null: throw mismatch(expected: "a string")
    case .bool, .int, .largeInt, .double:
      throw issue(
        "expected a string, found \(describeValue) (write '\(scalar.text)' in quotes for text)")
    }
  }

  /// The value as a number: an integer or a float (`3`, `0.5`, `1e-4`, `.inf`, `-.inf`, `.nan`).
  ///
  /// - Returns: The number.
  /// - Throws: ``ConfigIssue`` for anything else, including quoted numbers.
  public func double() throws(ConfigIssue) -> Double {
    if case .scalar(let scalar) = element.content {
      switch scalar.value {
      case .int(let value): return Double(value)
      case .double(let value): return value
      case .largeInt(let value): return value
      default: break
      }
    }
    throw mismatch(expected: "a number")
  }

  /// The value as an integer; a float with no fractional part, such as `5.0`, also qualifies.
  ///
  /// - Returns: The integer.
  /// - Throws: ``ConfigIssue`` for fractional numbers, integers outside `Int`'s range and
  ///   non-numbers.
  public func int() throws(ConfigIssue) -> Int {
    if case .scalar(let scalar) = element.content {
      switch scalar.value {
      case .int(let value):
        return value
      case .double(let value) where value.rounded() == value:
        guard let exact = Int(exactly: value) else { break }
        return exact
      case .largeInt:
        throw issue("expected an integer, found \(scalar.text), which is too large")
      default:
        break
      }
    }
    throw mismatch(expected: "an integer")
  }

  /// The value as a boolean, spelled as PyYAML accepts it: `true`/`false`, `yes`/`no`,
  /// `on`/`off`, each in lower case, capitalized or upper case.
  ///
  /// - Returns: The boolean.
  /// - Throws: ``ConfigIssue`` for anything else.
  public func bool() throws(ConfigIssue) -> Bool {
    if case .scalar(let scalar) = element.content, case .bool(let value) = scalar.value {
      return value
    }
    throw mismatch(expected: "true or false")
  }

  // MARK: - Mapping entries

  /// The entries of a mapping with merge keys expanded, and every duplicate or non-text key found.
  ///
  /// Duplicates keep the first occurrence; explicit keys override merged ones, as in PyYAML.
  ///
  /// - Throws: ``ConfigIssue`` if this is not a mapping.
  func entries() throws(ConfigIssue) -> (entries: [ConfigEntry], problems: [ConfigIssue]) {
    guard case .mapping(let pairs) = element.content else { throw mismatch(expected: "a mapping") }
    var problems: [ConfigIssue] = []
    var merged: [(key: String, pair: YAMLPair)] = []
    var explicit: [(key: String, pair: YAMLPair)] = []
    var firstIndex: [String: Int] = [:]  // of each explicit key: linear in a file of many keys
    for pair in pairs {
      guard case .scalar(let key) = pair.key.content else {
        let path = keyPath.isEmpty ? "<key>" : "\(keyPath).<key>"
        let node = ConfigNode(element: pair.key, keyPath: path, file: file)
        problems.append(node.mismatch(expected: "a text key"))
        continue
      }
      if key.isMerge {
        problems += merge(pair.value, into: &merged)
      } else if let first = firstIndex[key.text].map({ explicit[$0] }) {
        let line = first.pair.key.line.map { " (first defined on line \($0))" } ?? ""
        let duplicate = ConfigEntry(key: key.text, pair: pair, parent: self)
        problems.append(
          ConfigIssue(
            location: duplicate.keyLocation, message: "duplicate key '\(key.text)'\(line)"))
      } else {
        firstIndex[key.text] = explicit.count
        explicit.append((key.text, pair))
      }
    }
    let explicitKeys = Set(explicit.map(\.key))
    let all = merged.filter { !explicitKeys.contains($0.key) } + explicit
    return (all.map { ConfigEntry(key: $0.key, pair: $0.pair, parent: self) }, problems)
  }

  /// Adds the pairs of a merge source (a mapping or a list of mappings) not yet in `merged`.
  private func merge(
    _ source: YAMLElement, into merged: inout [(key: String, pair: YAMLPair)]
  ) -> [ConfigIssue] {
    let sourceNode = ConfigNode(element: source, keyPath: keyPath, file: file)
    let mappings: [YAMLElement]
    switch source.content {
    case .mapping: mappings = [source]
    case .sequence(let items): mappings = items
    case .scalar: return [sourceNode.mismatch(expected: "a mapping or a list of mappings to merge")]
    }
    var problems: [ConfigIssue] = []
    for mapping in mappings {
      let node = ConfigNode(element: mapping, keyPath: keyPath, file: file)
      do throws(ConfigIssue) {
        for entry in try node.entries().entries
        where !merged.contains(where: { $0.key == entry.key }) {
          merged.append((entry.key, entry.pair))
        }
      } catch {
        problems.append(node.mismatch(expected: "a mapping to merge"))
      }
    }
    return problems
  }

  // MARK: - Key paths

  /// The key path of the value under `key` in this mapping.
  func childPath(_ key: String) -> String {
    let simple = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || "_-".contains($0) }
    if simple { return keyPath.isEmpty ? key : "\(keyPath).\(key)" }
    let escaped = key.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\"", with: "\\\"")
    return "\(keyPath)[\"\(escaped)\"]"
  }
}

// MARK: - Parsed tree

/// A parsed YAML value with its position; a `Sendable` copy of Yams' `Node`.
struct YAMLElement: Sendable {
  enum Content: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLElement])
    case mapping([YAMLPair])
  }

  var content: Content
  var line: Int?
  var column: Int?
}

/// A key and its value.
struct YAMLPair: Sendable {
  var key: YAMLElement
  var value: YAMLElement
}

/// A scalar: its text as written and its PyYAML-style typed value.
struct YAMLScalar: Sendable {
  var text: String
  var value: ScalarValue
  /// Whether this is the merge key `<<`.
  var isMerge: Bool
}

/// The type PyYAML would give a scalar.
enum ScalarValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  /// An integer too large for `Int`, with its approximate value.
  case largeInt(Double)
  case double(Double)
  case string(String)
}

// MARK: - Composing from Yams

/// Turns YAML text into a ``YAMLElement`` tree, converting Yams' errors into located issues.
///
/// Yams rejects a mapping with a duplicate key outright, naming only the first occurrence and no
/// key path. To report duplicates like any other issue (at the repeat, with its key path, next to
/// every other problem), the composer prefixes the reported first occurrence with a unique marker,
/// parses again, and strips the marker while converting, shifting later columns on that line
/// back. ``ConfigNode/entries()`` then finds the duplicate.
struct YAMLComposer {
  /// A marker inserted into the text to tell a duplicate key apart.
  struct Insertion {
    var line: Int
    var column: Int
    var length: Int
  }

  static let markerPrefix = "__economist_duplicate_"
  /// The most nodes a document may expand to through aliases (guards against "billion laughs").
  static let nodeLimit = 1_000_000
  /// The most duplicate keys renamed before giving up and reporting Yams' error.
  static let duplicateLimit = 100

  private var insertions: [Insertion] = []
  private var nodeCount = 0

  /// Parses `yaml` into a tree; an empty document is a null scalar.
  static func compose(_ yaml: String) throws(ConfigIssue) -> YAMLElement {
    var composer = YAMLComposer()
    var text = yaml
    while true {
      do {
        guard let node = try Yams.compose(yaml: text) else {
          return YAMLElement(content: .scalar(.init(text: "", value: .null, isMerge: false)))
        }
        return try composer.convert(node)
      } catch let error as YamlError {
        if case .duplicatedKeysInMapping(_, let context) = error,
          composer.insertions.count < duplicateLimit,
          let renamed = composer.renameKey(at: context.mark, in: text)
        {
          text = renamed
          continue
        }
        throw composer.issue(for: error)
      } catch let error as ConfigIssue {
        throw error
      } catch {
        throw ConfigIssue(location: .init(), message: "invalid YAML: \(error)")
      }
    }
  }

  // MARK: Conversion

  private mutating func convert(_ node: Node) throws(ConfigIssue) -> YAMLElement {
    nodeCount += 1
    let position = node.mark.map { original(($0.line, $0.column)) }
    guard nodeCount <= Self.nodeLimit else {
      let location = ConfigLocation(line: position?.line, column: position?.column)
      let message = "the document expands to more than \(Self.nodeLimit) values through aliases"
      throw ConfigIssue(location: location, message: message)
    }
    let content: YAMLElement.Content
    switch node {
    case .scalar(let scalar):
      content = .scalar(Self.scalar(scalar))
    case .sequence(let sequence):
      var items: [YAMLElement] = []
      for item in sequence { items.append(try convert(item)) }
      content = .sequence(items)
    case .mapping(let mapping):
      var pairs: [YAMLPair] = []
      for (key, value) in mapping {
        pairs.append(YAMLPair(key: try convert(key), value: try convert(value)))
      }
      content = .mapping(pairs)
    case .alias:
      let location = ConfigLocation(line: position?.line, column: position?.column)
      throw ConfigIssue(location: location, message: "unresolved alias")
    }
    return YAMLElement(content: content, line: position?.line, column: position?.column)
  }

  private static func scalar(_ scalar: Node.Scalar) -> YAMLScalar {
    let text = stripMarker(scalar.string)
    // Yams resolves the tags of mapping keys in place while checking for duplicates, so a key's
    // tag may be a resolved one; keys are only used as text, except for the merge key.
    let tag = Tag.Name(rawValue: scalar.tag.rawValue)
    let isPlain = scalar.style == .plain || scalar.style == .any
    guard isPlain || tag != .implicit else {
      return YAMLScalar(text: text, value: .string(text), isMerge: false)
    }
    return YAMLScalar(
      text: text, value: ScalarValue(text, tag: tag), isMerge: isPlain && text == "<<")
  }

  private static func stripMarker(_ text: String) -> String {
    guard text.hasPrefix(markerPrefix) else { return text }
    let rest = text.dropFirst(markerPrefix.count).drop(while: \.isNumber)
    return rest.hasPrefix("__") ? String(rest.dropFirst(2)) : text
  }

  // MARK: Positions

  /// The position in the user's text of a position in the (possibly marked) parsed text.
  private func original(_ position: (line: Int, column: Int)) -> (line: Int, column: Int) {
    var column = position.column
    for insertion in insertions.reversed()
    where insertion.line == position.line && column > insertion.column {
      column -= insertion.length
    }
    return (position.line, column)
  }

  /// Inserts a marker into the key that starts at `mark`, or returns `nil` if that is not a plain
  /// or quoted scalar.
  private mutating func renameKey(at mark: Mark, in text: String) -> String? {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard mark.line >= 1, mark.line <= lines.count, mark.column >= 1 else { return nil }
    var scalars = Array(lines[mark.line - 1].unicodeScalars)
    guard mark.column <= scalars.count else { return nil }
    let first = scalars[mark.column - 1]
    let isQuoted = first == "'" || first == "\""
    guard isQuoted || !"-?:,[]{}#&*!|>%@` \t".unicodeScalars.contains(first) else { return nil }
    let marker = "\(Self.markerPrefix)\(insertions.count)__"
    let column = mark.column + (isQuoted ? 1 : 0)
    scalars.insert(contentsOf: marker.unicodeScalars, at: column - 1)
    lines[mark.line - 1] = String(String.UnicodeScalarView(scalars))
    insertions.append(
      Insertion(line: mark.line, column: column, length: marker.unicodeScalars.count))
    return lines.joined(separator: "\n")
  }

  // MARK: Errors

  private func issue(for error: YamlError) -> ConfigIssue {
    func located(_ position: (line: Int, column: Int), _ message: String) -> ConfigIssue {
      let (line, column) = original(position)
      return ConfigIssue(location: .init(line: line, column: column), message: message)
    }
    func during(_ context: YamlError.Context?) -> String {
      guard let context else { return "" }
      let (line, column) = original((context.mark.line, context.mark.column))
      return " (\(context.text) at line \(line), column \(column))"
    }
    switch error {
    case .composer(_, "but found another document", let mark, _):
      let message = "invalid YAML: found a second document; a config is a single document"
      return located((mark.line, mark.column), message)
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      return located((mark.line, mark.column), "invalid YAML: \(problem)\(during(context))")
    case .reader(let problem, let offset, _, let yaml):
      return located(
        Self.lineAndColumn(ofCharacter: offset ?? 0, in: yaml), "invalid YAML: \(problem)")
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.map { "'\(Self.stripMarker($0))'" }.joined(separator: ", ")
      return located((context.mark.line, context.mark.column), "duplicate key \(keys)")
    default:
      return ConfigIssue(location: .init(), message: "invalid YAML: \(error)")
    }
  }

  /// The 1-based line and column (in Unicode scalars) of the character at `offset`.
  private static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (Int, Int) {
    var (line, column) = (1, 1)
    for character in text.prefix(offset) {
      if character == "\n" || character == "\r\n" {
        (line, column) = (line + 1, 1)
      } else {
        column += character.unicodeScalars.count
      }
    }
    return (line, column)
  }
}

// MARK: - Scalar typing

extension ScalarValue {
  /// Types a plain or explicitly tagged scalar as PyYAML does (YAML 1.1), also accepting floats
  /// without a dot or with an unsigned exponent (`1e-4`, `1.0e5`).
  ///
  /// Explicit core tags (`!!int 3`, `!!str 3`) are honored; a value that does not fit its tag,
  /// and any other tag, gives a string.
  init(_ text: String, tag: Tag.Name) {
    switch tag {
    case .implicit:
      self =
        Self.null(text) ?? Self.bool(text) ?? Self.int(text) ?? Self.float(text) ?? .string(text)
    case .null: self = .null
    case .bool: self = Self.bool(text.lowercased()) ?? .string(text)
    case .int: self = Self.int(text) ?? .string(text)
    case .float:
      switch Self.int(text) ?? Self.float(text) {
      case .int(let value): self = .double(Double(value))
      case .largeInt(let value), .double(let value): self = .double(value)
      default: self = .string(text)
      }
    default: self = .string(text)
    }
  }

  private static func null(_ text: String) -> ScalarValue? {
    ["", "~", "null", "Null", "NULL"].contains(text) ? .null : nil
  }

  private static func bool(_ text: String) -> ScalarValue? {
    switch text {
    case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return .bool(true)
    case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return .bool(false)
    default: return nil
    }
  }

  /// Decimal, `0b` binary, `0x` hex and leading-zero octal integers, with `_` separators.
  private static func int(_ text: String) -> ScalarValue? {
    var body = Substring(text)
    let negative = body.first == "-"
    if body.first == "-" || body.first == "+" { body = body.dropFirst() }
    let radix: Int
    if body.hasPrefix("0b") {
      (radix, body) = (2, body.dropFirst(2))
    } else if body.hasPrefix("0x") {
      (radix, body) = (16, body.dropFirst(2))
    } else if body.hasPrefix("0"), body.count > 1 {
      (radix, body) = (8, body.dropFirst())
    } else {
      guard body.first?.isASCII == true, body.first?.isNumber == true else { return nil }
      radix = 10
    }
    let digits = body.filter { $0 != "_" }
    guard !digits.isEmpty, digits.allSatisfy({ Int(String($0), radix: radix) != nil }) else {
      return nil
    }
    let limit = negative ? UInt64(Int.max) + 1 : UInt64(Int.max)
    guard let magnitude = UInt64(digits, radix: radix), magnitude <= limit else {
      let value = digits.reduce(0.0) {
        $0 * Double(radix) + Double(Int(String($1), radix: radix) ?? 0)
      }
      return .largeInt(negative ? -value : value)
    }
    return .int(negative ? Int(truncatingIfNeeded: 0 &- magnitude) : Int(magnitude))
  }

  /// Floats: `1.5`, `1.`, `.5`, `1e-4`, `1.5E+3`, `1_000.5`, `.inf`, `-.Inf`, `.nan`.
  private static func float(_ text: String) -> ScalarValue? {
    var body = Substring(text)
    let sign: Double = body.first == "-" ? -1 : 1
    if body.first == "-" || body.first == "+" { body = body.dropFirst() }
    if [".inf", ".Inf", ".INF"].contains(body) { return .double(sign * .infinity) }
    if [".nan", ".NaN", ".NAN"].contains(text) { return .double(.nan) }
    guard isFloatSyntax(body), let value = Double(body.filter { $0 != "_" }) else { return nil }
    return .double(sign * value)
  }

  /// Whether `body` (unsigned) is digits with a dot, an exponent, or both.
  private static func isFloatSyntax(_ body: Substring) -> Bool {
    let isDigit: (Character) -> Bool = { $0.isASCII && $0.isNumber }
    var mantissa = body
    var exponent: Substring?
    if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      mantissa = body[..<e]
      var rest = body[body.index(after: e)...]
      if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
      guard !rest.isEmpty, rest.allSatisfy(isDigit) else { return false }
      exponent = rest
    }
    let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    let whole = parts[0]
    let fraction = parts.count > 1 ? parts[1] : nil
    guard fraction != nil || exponent != nil else { return false }
    guard whole.allSatisfy({ isDigit($0) || $0 == "_" }), whole.first != "_",
      (fraction ?? "").allSatisfy({ isDigit($0) || $0 == "_" })
    else { return false }
    // Some digit must come first: `1.`, `1e3` or `.5`, but not `.`, `._5` or `.e3`.
    return whole.first.map(isDigit) ?? (fraction?.first.map(isDigit) ?? false)
  }
}
