import Foundation
import Testing

@testable import Basics

@Suite struct FilesTests {
  private func scratch() -> String {
    let path = NSTemporaryDirectory() + "basics-files-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test func replacesAtomicallyAndLeavesNoTemporaryFile() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try AtomicFile.write("first", to: dir + "/a.txt")
    try AtomicFile.write("second", to: dir + "/a.txt")
    #expect(try FileBytes.contents(of: dir + "/a.txt") == Array("second".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.txt"])
  }

  @Test func writesTextAsUTF8() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try AtomicFile.write("größe\n", to: dir + "/note.txt")
    #expect(try String(contentsOfFile: dir + "/note.txt", encoding: .utf8) == "größe\n")
  }

  @Test func failedRenameKeepsTheTargetAndRemovesTheTemporaryFile() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/taken"
    try FileManager.default.createDirectory(atPath: path + "/inner", withIntermediateDirectories: true)
    let temporary = dir + "/.taken.tmp-\(getpid())"
    let expected = FileError(path: path, message: "cannot rename '\(temporary)' over it: Is a directory")
    #expect(throws: expected) { try AtomicFile.write([1], to: path) }
    #expect(expected.description == "\(path): cannot rename '\(temporary)' over it: Is a directory")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken"])
  }

  @Test func createsDirectoriesOnlyWhenAsked() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(throws: FileError.self) { try AtomicFile.write("x", to: dir + "/new/b.txt") }
    do {
      try AtomicFile.write("x", to: dir + "/new/b.txt")
    } catch {
      #expect(error.path == dir + "/new/b.txt")
      #expect(error.message == "cannot create '\(dir)/new/.b.txt.tmp-\(getpid())': No such file or directory")
    }
    try AtomicFile.write("x", to: dir + "/new/deeper/b.txt", createDirectories: true)
    #expect(try FileBytes.contents(of: dir + "/new/deeper/b.txt") == Array("x".utf8))
  }

  @Test func createsDirectoriesAndNamesWhatIsInTheWay() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Directory.create(dir + "/a/b/c")
    try Directory.create(dir + "/a/b/c")  // existing directories are fine
    #expect(FileManager.default.fileExists(atPath: dir + "/a/b/c"))
    try AtomicFile.write("x", to: dir + "/file")
    #expect(throws: FileError(path: dir + "/file/d", message: "'\(dir)/file' exists and is not a directory")) {
      try Directory.create(dir + "/file/d")
    }
  }

  @Test func readsWholeFilesAndReportsMissingOnes() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    try AtomicFile.write(big, to: dir + "/big")
    #expect(try FileBytes.contents(of: dir + "/big") == big)
    #expect(try FileBytes.contentsIfPresent(of: dir + "/none") == nil)
    #expect(throws: FileError(path: dir + "/none", message: "cannot open: No such file or directory")) {
      try FileBytes.contents(of: dir + "/none")
    }
  }

  @Test func appendsToAnExistingFile() throws {
    let dir = scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try AtomicFile.write("a\n", to: dir + "/log")
    let file = try AppendingFile(path: dir + "/log")
    try file.append(Array("b\n".utf8))
    try file.append(Array("c\n".utf8))
    file.close()
    #expect(try FileBytes.contents(of: dir + "/log") == Array("a\nb\nc\n".utf8))
    #expect(throws: FileError(path: dir + "/nope", message: "cannot open for appending: No such file or directory")) {
      try AppendingFile(path: dir + "/nope")
    }
  }
}
