import Basics
import Foundation

/// A dense episode log in Foundation's structure, as read from a file (ours or Foundation's) or
/// converted from a ``DenseLogRecording``.
///
/// Structure: `world` (T + 1 map snapshots, `{}` between snapshots), `states` (T + 1 agent
/// states, the pre-step state of each step then the final state), `actions` (T), `rewards` (T),
/// and one list of T entries per component keyed by its shorthand (`Build`, `Trade`, `Gather`,
/// `PeriodicTax`).
public struct DenseLog: Sendable, Equatable {
  /// The log's top-level object.
  public let root: JSONObject

  /// Wraps and checks a parsed log.
  ///
  /// - Throws: ``DenseLogError`` when a required key is missing or has the wrong type or length.
  public init(json: JSONValue, origin: String) throws(DenseLogError) {
    guard let object = json.objectValue else {
      throw DenseLogError(
        origin: origin, message: "expected a JSON object at the top level, found \(DenseLog.describe(json))")
    }
    var lengths: [String: Int] = [:]
    for key in ["world", "states", "actions", "rewards"] {
      guard let value = object[key] else {
        throw DenseLogError(origin: origin, message: "missing key '\(key)'; expected world, states, actions, rewards")
      }
      guard let list = value.arrayValue else {
        throw DenseLogError(origin: origin, message: "'\(key)' must be a list, found \(DenseLog.describe(value))")
      }
      lengths[key] = list.count
    }
    let steps = lengths["actions"] ?? 0
    if lengths["rewards"] != steps || lengths["states"] != steps + 1 || lengths["world"] != steps + 1 {
      throw DenseLogError(
        origin: origin,
        message:
          "inconsistent lengths: world \(lengths["world"] ?? 0), states \(lengths["states"] ?? 0), actions \(steps), rewards \(lengths["rewards"] ?? 0) (expected T + 1, T + 1, T, T)"
      )
    }
    for (key, value) in object.entries where !["world", "states", "actions", "rewards"].contains(key) {
      if let list = value.arrayValue, list.count != steps {
        throw DenseLogError(
          origin: origin, message: "component log '\(key)' has \(list.count) entries, expected \(steps)")
      }
    }
    root = object
  }

  init(unchecked root: JSONObject) { self.root = root }

  /// Number of steps logged.
  public var steps: Int { root["actions"]?.arrayValue?.count ?? 0 }

  /// The list under `key` (`world`, `states`, a component shorthand, …).
  public func list(_ key: String) -> [JSONValue] { root[key]?.arrayValue ?? [] }

  /// Indices of the non-empty map snapshots.
  public var snapshotIndices: [Int] {
    list("world").enumerated().compactMap { ($0.element.objectValue?.isEmpty ?? true) ? nil : $0.offset }
  }

  static func describe(_ v: JSONValue) -> String {
    switch v {
    case .null: "null"
    case .bool: "a boolean"
    case .int, .double: "a number"
    case .string: "a string"
    case .array: "a list"
    case .object: "an object"
    }
  }

  // MARK: - Files

  /// Reads a log: Foundation's LZ4-framed JSON (detected by the frame's magic bytes) or plain
  /// JSON.
  ///
  /// - Throws: ``DenseLogError`` naming the file, for unreadable files, corrupt LZ4 frames,
  ///   malformed JSON (with line and column) or a wrong structure.
  public static func load(path: String) throws(DenseLogError) -> DenseLog {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DenseLogError(
        origin: path, message: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
    }
    var bytes = [UInt8](data)
    if bytes.starts(with: [0x04, 0x22, 0x4D, 0x18]) {
      do {
        bytes = try LZ4Frame.decompress(bytes)
      } catch {
        throw DenseLogError(origin: path, message: "corrupt LZ4 frame: \(error.description)")
      }
    } else if path.lowercased().hasSuffix(".lz4") {
      throw DenseLogError(
        origin: path, message: "not an LZ4 frame (the file does not start with the magic bytes 04 22 4d 18)")
    }
    let json: JSONValue
    do {
      json = try JSONParser.parse(bytes)
    } catch {
      throw DenseLogError(origin: path, message: "malformed JSON: \(error.description)")
    }
    return try DenseLog(json: json, origin: path)
  }

  /// Writes the log atomically: JSON, or an LZ4 frame of the JSON when the path ends in `.lz4`
  /// (Foundation's `save_episode_log` format).
  public func write(path: String) throws(DenseLogError) {
    try DenseLog.write(bytes: JSONWriter.serialize(.object(root)), path: path)
  }

  /// Writes already-serialized log JSON to `path` atomically, as an LZ4 frame when `compressed`
  /// (by default when the path ends in `.lz4`).
  public static func write(bytes json: [UInt8], path: String, compressed: Bool? = nil) throws(DenseLogError) {
    var bytes = json
    if compressed ?? path.lowercased().hasSuffix(".lz4") {
      do {
        bytes = try LZ4Frame.compress(json, level: 16)
      } catch {
        throw DenseLogError(origin: path, message: "LZ4 compression failed: \(error.description)")
      }
    }
    do {
      try AtomicFile.write(bytes, to: path, createDirectories: true)
    } catch {
      throw DenseLogError(origin: path, message: "cannot write: \(error.message)")
    }
  }
}

/// A dense log that cannot be read.
public struct DenseLogError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file concerned.
  public let origin: String
  /// What is wrong.
  public let message: String
  /// A readable description of the value.
  public var description: String { "\(origin): \(message)" }
}
