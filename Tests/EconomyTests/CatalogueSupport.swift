import Basics
import Foundation
import Testing

@testable import Economy

/// The reference facts about Foundation's one-step economy, WealthRedistribution and the
/// split, multi-zone and quadrant generators, measured by `scripts/foundation/measure_catalogue.py`.
enum Catalogue {
  static let root: JSONValue = {
    guard
      let url = Bundle.module.url(forResource: "foundation-catalogue", withExtension: "json", subdirectory: "Fixtures"),
      let data = try? Data(contentsOf: url), let json = try? JSONParser.parse([UInt8](data))
    else { preconditionFailure("Fixtures/foundation-catalogue.json is missing or unreadable") }
    return json
  }()

  /// The value at `path` (object keys, or array indices written as numbers).
  static func value(_ path: String...) -> JSONValue {
    var v = root
    for key in path {
      guard let next = v[key] ?? Int(key).flatMap({ v[$0] }) else { preconditionFailure("catalogue: no key \(path)") }
      v = next
    }
    return v
  }

  /// An environment built from a measured env dict (Foundation's keyword arguments).
  static func environment(_ env: JSONValue) throws -> Environment {
    let text = String(decoding: JSONWriter.serialize(["env": env]), as: UTF8.self)
    return try Environment(config: EnvironmentConfig.parse(yaml: text, file: "catalogue.json"))
  }
}

/// The first difference between two JSON values, comparing numbers to a relative tolerance and
/// objects by key (order ignored); nil when they agree.
func jsonDifference(_ a: JSONValue, _ b: JSONValue, path: String = "", tolerance: Double = 1e-9) -> String? {
  if let x = a.doubleValue, let y = b.doubleValue {
    let ok = x == y || abs(x - y) <= tolerance * max(1, abs(x), abs(y)) || (x.isNaN && y.isNaN)
    return ok ? nil : "\(path): \(x) vs \(y)"
  }
  if let x = a.objectValue, let y = b.objectValue {
    let kx = Set(x.keys)
    let ky = Set(y.keys)
    if kx != ky { return "\(path): keys \(kx.sorted()) vs \(ky.sorted())" }
    for (k, v) in x.entries {
      if let d = jsonDifference(v, y[k] ?? .null, path: "\(path).\(k)", tolerance: tolerance) { return d }
    }
    return nil
  }
  if let x = a.arrayValue, let y = b.arrayValue {
    if x.count != y.count { return "\(path): \(x.count) vs \(y.count) elements" }
    for i in x.indices {
      if let d = jsonDifference(x[i], y[i], path: "\(path)[\(i)]", tolerance: tolerance) { return d }
    }
    return nil
  }
  return a == b ? nil : "\(path): \(a) vs \(b)"
}
