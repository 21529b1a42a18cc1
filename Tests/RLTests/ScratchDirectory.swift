import EnvContract
import Foundation
import Testing

@testable import RL

/// Creates a new, empty directory under the system's temporary directory and returns its path.
func makeScratchDirectory(_ label: String) throws -> String {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("rl-\(label)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
  return url.path
}

/// The names in `directory`, sorted, including hidden ones.
func directoryListing(_ directory: String) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
}
