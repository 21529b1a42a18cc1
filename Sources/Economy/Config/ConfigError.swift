// Typed, located, aggregated errors for user-written configuration files.

/// Where a value sits in a configuration file.
///
/// The description reads `FILE:LINE:COLUMN: KEY.PATH`, for example
/// `scenarios/x.yaml:12:7: env.components[0].Build.payment`, so editors and terminals can jump to
/// it. Parts that are unknown are left out; a file-less location with a line uses `<input>`.
public struct ConfigLocation: Sendable, Equatable, CustomStringConvertible {
  /// The file the configuration was read from, as given to the loader; `nil` for in-memory text.
  public var file: String?
  /// The path of keys and list indices from the document root.
  ///
  /// For example `env.components[0].Build`; the root itself has the empty key path.
  public var keyPath: String
  /// The 1-based line, when the parser reported one.
  public var line: Int?
  /// The 1-based column, counted in Unicode scalars, when the parser reported one.
  public var column: Int?

  /// Creates a location.
  ///
  /// - Parameters:
  ///   - file: The file name, or `nil` for in-memory text.
  ///   - keyPath: The key path from the document root; empty for the root.
  ///   - line: The 1-based line, if known.
  ///   - column: The 1-based column, if known.
  public init(file: String? = nil, keyPath: String = "", line: Int? = nil, column: Int? = nil) {
    self.file = file
    self.keyPath = keyPath
    self.line = line
    self.column = column
  }

  /// `FILE:LINE:COLUMN`, as far as known; empty when neither file nor line is known.
  public var position: String {
    guard let line else { return file ?? "" }
    let column = column.map { ":\($0)" } ?? ""
    return "\(file ?? "<input>"):\(line)\(column)"
  }

  /// `FILE:LINE:COLUMN: KEY.PATH`, leaving out unknown parts.
  public var description: String {
    [position, keyPath].filter { !$0.isEmpty }.joined(separator: ": ")
  }
}

/// One problem found in a configuration file: where it is and what is wrong.
///
/// The description is a single line such as
/// `scenarios/x.yaml:12:7: env.components[0].Build.payment: expected a number, found 'ten'`.
public struct ConfigIssue: Error, Sendable, Equatable, CustomStringConvertible {
  /// Where the problem is.
  public var location: ConfigLocation
  /// What is wrong, usually `expected X, found Y`, without the location.
  public var message: String

  /// Creates an issue.
  ///
  /// - Parameters:
  ///   - location: Where the problem is.
  ///   - message: What is wrong, without the location.
  public init(location: ConfigLocation, message: String) {
    self.location = location
    self.message = message
  }

  /// `LOCATION: MESSAGE` on one line.
  public var description: String {
    let prefix = location.description
    return prefix.isEmpty ? message : "\(prefix): \(message)"
  }
}

/// Every problem found while loading a configuration, reported together.
///
/// Loaders keep reading after a problem so that a user sees all of them in one run. One issue
/// prints as its own line; several print as a header and one `- ` line each:
///
/// ```
/// 3 problems in scenarios/x.yaml:
/// - scenarios/x.yaml:4:14: env.n_agents: expected an integer, found 2.5
/// - ...
/// ```
public struct ConfigError: Error, Sendable, CustomStringConvertible {
  /// The problems, ordered by file, then line, then column; issues without a line come last in
  /// the order they were found.
  public var issues: [ConfigIssue]

  /// Creates an error from the issues found, sorting them by position.
  ///
  /// - Parameter issues: The problems, in the order they were found.
  public init(issues: [ConfigIssue]) {
    self.issues = issues.enumerated()
      .sorted { lhs, rhs in
        let (l, r) = (lhs.element.location, rhs.element.location)
        let lKey = (l.file ?? "", l.line ?? .max, l.column ?? 0, lhs.offset)
        let rKey = (r.file ?? "", r.line ?? .max, r.column ?? 0, rhs.offset)
        return lKey < rKey
      }
      .map(\.element)
  }

  /// Creates an error holding a single issue.
  ///
  /// - Parameter issue: The problem.
  public init(_ issue: ConfigIssue) {
    self.issues = [issue]
  }

  /// The most issues listed one by one; the rest are counted by kind in one last line.
  public static let listedIssues = 20

  /// One line for one issue; otherwise `N problems in FILE:` and one `- ` line per issue, the
  /// first ``listedIssues`` of them, then `- and 880 more: 870 × unknown parameter, …`.
  public var description: String {
    guard issues.count != 1 else { return issues[0].description }
    let files = Set(issues.compactMap(\.location.file))
    let place = files.count == 1 ? " in \(files.first ?? "")" : ""
    let header = "\(issues.count) problems\(place):"
    let listed = issues.prefix(Self.listedIssues).map { "- \($0)" }
    guard issues.count > Self.listedIssues else { return ([header] + listed).joined(separator: "\n") }
    // The rest by kind: each message up to its first quote or digit ("unknown parameter").
    var kinds: [(kind: String, count: Int)] = []
    for issue in issues.dropFirst(Self.listedIssues) {
      var kind = String(issue.message.prefix { $0 != "'" && !$0.isNumber }).trimmingCharacters(in: .whitespaces)
      if kinds.count >= 5 && !kinds.contains(where: { $0.kind == kind }) { kind = "other" }
      if let i = kinds.firstIndex(where: { $0.kind == kind }) {
        kinds[i].count += 1
      } else {
        kinds.append((kind, 1))
      }
    }
    let merged = kinds
    let summary = merged.map { "\($0.count) × \($0.kind)" }.joined(separator: ", ")
    return ([header] + listed + ["- and \(issues.count - Self.listedIssues) more: \(summary)"]).joined(separator: "\n")
  }
}

/// Quotes `text` for a message, escaping line breaks and shortening it past 40 characters.
func quoted(_ text: String) -> String {
  var shown = text.replacingOccurrences(of: "\n", with: "\\n")
    .replacingOccurrences(of: "\t", with: "\\t")
  if shown.count > 40 { shown = shown.prefix(37) + "..." }
  return "'\(shown)'"
}
