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

@Suite("Atomic file writes")
struct AtomicFileTests {
  @Test func replacesContentAndLeavesNoTemporaryFile() throws {
    let directory = try makeScratchDirectory("atomic")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/state.bin"
    try AtomicFile.write("old contents, longer than the new ones", to: path)
    let bytes: [UInt8] = [0, 1, 2, 255]
    try AtomicFile.write(bytes, to: path)
    #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
    #expect(try directoryListing(directory) == ["state.bin"])
  }

  @Test func writesTextAsUTF8() throws {
    let directory = try makeScratchDirectory("atomic")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/note.txt"
    try AtomicFile.write("größe\n", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "größe\n")
  }

  @Test func missingDirectoryNamesThePathAndTheReason() throws {
    let directory = try makeScratchDirectory("atomic")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/missing/state.bin"
    let temporary = directory + "/missing/.state.bin.tmp-\(getpid())"
    let expected = CheckpointError(
      file: path, message: "cannot create '\(temporary)': No such file or directory")
    #expect(throws: expected) { try AtomicFile.write([1], to: path) }
    #expect(
      expected.description == "\(path): cannot create '\(temporary)': No such file or directory")
  }

  @Test func failedRenameKeepsTheTargetAndRemovesTheTemporaryFile() throws {
    let directory = try makeScratchDirectory("atomic")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/taken"
    try FileManager.default.createDirectory(
      atPath: path + "/inner", withIntermediateDirectories: true)
    let temporary = directory + "/.taken.tmp-\(getpid())"
    let expected = CheckpointError(
      file: path, message: "cannot rename '\(temporary)' over it: Is a directory")
    #expect(throws: expected) { try AtomicFile.write([1], to: path) }
    #expect(try directoryListing(directory) == ["taken"])
  }
}
