// The run directory's file operations as `CheckpointError`s: Basics' atomic writer and
// whole-file reads, with the path and the system's message kept.

import Basics
import EnvContract

extension CheckpointError {
  /// The error of a failed file operation: the same path and message.
  public init(_ error: FileError) {
    self.init(file: error.path, message: error.message)
  }
}

/// Replaces the file at `path` with `bytes`, atomically and durably (see `AtomicFile`).
///
/// - Throws: `CheckpointError` naming `path` and the system's message.
func writeAtomically(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
  do {
    try AtomicFile.write(bytes, to: path)
  } catch {
    throw CheckpointError(error)
  }
}

/// Reads the whole file at `path`.
///
/// - Throws: `CheckpointError` naming `path` and the system's message.
func readFile(_ path: String) throws(CheckpointError) -> [UInt8] {
  do {
    return try FileBytes.contents(of: path)
  } catch {
    throw CheckpointError(error)
  }
}

/// Reads the whole file at `path`, or returns nil when it does not exist.
///
/// - Throws: `CheckpointError` naming `path` and the system's message.
func readFileIfPresent(_ path: String) throws(CheckpointError) -> [UInt8]? {
  do {
    return try FileBytes.contentsIfPresent(of: path)
  } catch {
    throw CheckpointError(error)
  }
}
