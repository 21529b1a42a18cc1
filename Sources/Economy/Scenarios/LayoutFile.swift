import Foundation

/// A map layout in Foundation's text format: rows separated by `;`, `W` a wood source, `S` a
/// stone source, `@` water, and space (or Foundation's `A` marker) an empty tile.
public struct LayoutFile: Sendable, Equatable {
  /// Number of rows.
  public let height: Int
  /// Number of columns.
  public let width: Int
  /// 1 where a stone source is, row-major.
  public let stoneSource: [UInt8]
  /// 1 where a wood source is, row-major.
  public let woodSource: [UInt8]
  /// 1 where water is, row-major.
  public let water: [UInt8]
  /// Where the layout came from (a path, or `built-in NAME`).
  public let origin: String

  /// Parses layout text.
  ///
  /// Every `;`-separated segment is a row, blank rows (all spaces: empty tiles) included, and
  /// every row must have the same length. Line breaks at the end of the file and one `;` after
  /// the last row are allowed, as in Foundation's files; nothing else is dropped, so a map never
  /// loses rows silently.
  ///
  /// - Throws: ``LayoutError`` naming the row and column of the first problem.
  public init(text: String, origin: String) throws(LayoutError) {
    // Unicode scalars, so that columns count what the user sees (`é` is one column, not two).
    var scalars = Substring(text).unicodeScalars
    while let last = scalars.last, last == "\n" || last == "\r" { scalars.removeLast() }
    if scalars.last == ";" { scalars.removeLast() }
    let rows = scalars.split(separator: ";", omittingEmptySubsequences: false).map(Array.init)
    guard let first = rows.first, !first.isEmpty else {
      throw LayoutError(origin: origin, message: "the layout is empty: expected rows separated by ';'")
    }
    let width = first.count
    var stone = [UInt8](repeating: 0, count: rows.count * width)
    var wood = stone
    var water = stone
    for (r, row) in rows.enumerated() {
      guard row.count == width else {
        let last = r == rows.count - 1 && row.allSatisfy { $0 == " " || $0 == "\t" }
        throw LayoutError(
          origin: origin,
          message:
            "row \(r + 1) has \(row.count) columns, expected \(width) like row 1 (rows must all have the same length)"
            + (last ? "; spaces after the last ';' form a row of empty tiles" : ""))
      }
      for (c, ch) in row.enumerated() {
        switch ch {
        case "W": wood[r * width + c] = 1
        case "S": stone[r * width + c] = 1
        case "@": water[r * width + c] = 1
        case " ", "A": break
        default:
          let shown = ch.escaped(asASCII: false)
          var hint = ""
          if ch == "w" || ch == "s" {
            hint = " (did you mean '\(shown.uppercased())'?)"
          }
          throw LayoutError(
            origin: origin,
            message:
              "row \(r + 1), column \(c + 1): unknown character '\(shown)'; expected 'W' (wood source), 'S' (stone source), '@' (water) or ' ' (empty)\(hint)"
          )
        }
      }
    }
    self.height = rows.count
    self.width = width
    self.stoneSource = stone
    self.woodSource = wood
    self.water = water
    self.origin = origin
  }

  /// Loads a layout by name or path.
  ///
  /// Search order: `name` as a path (absolute, or relative to `configDirectory`, then to the
  /// working directory); then `layouts/name` relative to the config's directory, its parent and
  /// the working directory; then the layout files shipped with Foundation, built into the binary.
  ///
  /// - Throws: ``LayoutError`` when nothing is found (with the closest known name) or the file
  ///   is malformed.
  public static func load(_ name: String, configDirectory: String?) throws(LayoutError) -> LayoutFile {
    var candidates: [String] = []
    if name.hasPrefix("/") {
      candidates.append(name)
    } else {
      if let dir = configDirectory { candidates.append(joinPath(dir, name)) }
      candidates.append(name)
      if let dir = configDirectory {
        candidates.append(joinPath(dir, "layouts/\(name)"))
        candidates.append(joinPath(joinPath(dir, ".."), "layouts/\(name)"))
      }
      candidates.append("layouts/\(name)")
    }
    for path in candidates where FileManager.default.fileExists(atPath: path) {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw LayoutError(origin: path, message: "cannot read the file")
      }
      return try LayoutFile(text: String(decoding: data, as: UTF8.self), origin: path)
    }
    if let text = bundled[name] { return try LayoutFile(text: text, origin: "built-in \(name)") }
    var message =
      "layout file '\(name)' not found (looked in: \(candidates.joined(separator: ", ")) and the built-in layouts)"
    if let guess = closestName(to: name, among: bundled.keys.sorted()) { message += "; did you mean '\(guess)'?" }
    throw LayoutError(origin: name, message: message)
  }

  /// Names of the layouts built into the binary.
  public static var bundledNames: [String] { bundled.keys.sorted() }
}

/// `a/b`, or `b` when `a` is empty.
func joinPath(_ a: String, _ b: String) -> String {
  if a.isEmpty { return b }
  return a.hasSuffix("/") ? a + b : a + "/" + b
}

/// A malformed or missing layout file.
public struct LayoutError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file (or name) concerned.
  public let origin: String
  /// What is wrong.
  public let message: String
  /// A readable description of the value.
  public var description: String { "\(origin): \(message)" }
}

extension LayoutFile {
  private init(
    height: Int, width: Int, stoneSource: [UInt8], woodSource: [UInt8], water: [UInt8], origin: String
  ) {
    self.height = height
    self.width = width
    self.stoneSource = stoneSource
    self.woodSource = woodSource
    self.water = water
    self.origin = origin
  }

  /// The layout with row `row` turned into water and its sources removed (Foundation's
  /// `SplitLayout`).
  public func withWaterRow(_ row: Int) -> LayoutFile {
    var stone = stoneSource
    var wood = woodSource
    var water = self.water
    for c in 0..<width {
      stone[row * width + c] = 0
      wood[row * width + c] = 0
      water[row * width + c] = 1
    }
    return LayoutFile(
      height: height, width: width, stoneSource: stone, woodSource: wood, water: water, origin: origin)
  }
}
