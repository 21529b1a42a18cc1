// Atomic file replacement and the few POSIX file calls the run directory needs. All C file calls
// of this module live in this file; everything above it sees Swift values and `CheckpointError`.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files atomically, so readers and a later run see either the old file or the new one,
/// never a mix or a prefix.
///
/// The bytes go to a temporary file `.<name>.tmp-<pid>` in the target's directory, which is
/// flushed with `fsync`, renamed over the target with `rename(2)` (atomic within one file
/// system), after which the directory itself is flushed so the rename survives a power loss.
/// On failure the temporary file is removed and the target is left as it was.
///
/// The directory must exist: nothing is created on the caller's behalf. Two writers of the same
/// path in one process at the same time are not supported (they share the temporary name).
public enum AtomicFile {
  /// Replaces the file at `path` with `bytes`, atomically.
  ///
  /// - Parameters:
  ///   - bytes: The complete new contents.
  ///   - path: The target; its directory must exist.
  /// - Throws: `CheckpointError` naming `path`, the step that failed and the system's message
  ///   (`strerror(errno)`).
  public static func write(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
    let (directory, name) = splitPath(path)
    let temporary = "\(directory)/.\(name).tmp-\(getpid())"
    let file: POSIXFile
    do {
      file = try POSIXFile(opening: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
    } catch {
      throw CheckpointError(file: path, message: "cannot create '\(temporary)': \(error)")
    }
    var failure: String?
    do {
      try file.writeAll(bytes[...])
      try file.sync()
    } catch {
      failure = "cannot write '\(temporary)': \(error)"
    }
    if let closeError = file.close(), failure == nil {
      failure = "cannot close '\(temporary)': \(closeError)"
    }
    if failure == nil, rename(temporary, path) != 0 {
      failure = "cannot rename '\(temporary)' over it: \(systemMessage())"
    }
    if let failure {
      unlink(temporary)
      throw CheckpointError(file: path, message: failure)
    }
    try syncDirectory(directory, for: path)
  }

  /// Replaces the file at `path` with the UTF-8 encoding of `text`, atomically.
  ///
  /// - Parameters:
  ///   - text: The complete new contents.
  ///   - path: The target; its directory must exist.
  /// - Throws: `CheckpointError` naming `path` and the system's message.
  public static func write(_ text: String, to path: String) throws(CheckpointError) {
    try write(Array(text.utf8), to: path)
  }

  /// Flushes `directory` so a rename inside it is durable.
  ///
  /// File systems that cannot sync a directory (`EINVAL`) are accepted as they are.
  private static func syncDirectory(_ directory: String, for path: String) throws(CheckpointError) {
    let file: POSIXFile
    do {
      file = try POSIXFile(opening: directory, flags: O_RDONLY)
    } catch {
      throw CheckpointError(file: path, message: "cannot open directory '\(directory)': \(error)")
    }
    defer { _ = file.close() }
    do {
      try file.sync()
    } catch {
      guard error.code == EINVAL else {
        throw CheckpointError(file: path, message: "cannot sync directory '\(directory)': \(error)")
      }
    }
  }

  /// Splits `path` into its directory (`.` when there is none) and its last component.
  private static func splitPath(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
  }
}

// MARK: - POSIX layer

/// A failed system call: the `errno` it left.
struct SystemError: Error, CustomStringConvertible {
  /// The `errno` value.
  var code: Int32
  /// `strerror(code)`.
  var description: String { String(cString: strerror(code)) }
}

/// The system's message for the current `errno`.
func systemMessage() -> String {
  SystemError(code: errno).description
}

/// An open file descriptor with the handful of operations the run directory needs.
///
/// The caller closes it exactly once with ``close()``.
struct POSIXFile {
  /// The descriptor.
  let descriptor: Int32

  /// Opens `path` with `open(2)` `flags` (plus `O_CLOEXEC`), mode 0644 for new files.
  init(opening path: String, flags: Int32) throws(SystemError) {
    var result: Int32
    repeat {
      result = open(path, flags | O_CLOEXEC, 0o644)
    } while result < 0 && errno == EINTR
    guard result >= 0 else { throw SystemError(code: errno) }
    descriptor = result
  }

  /// Opens the existing file at `path` for appending (`O_WRONLY | O_APPEND`).
  init(appendingTo path: String) throws(SystemError) {
    try self.init(opening: path, flags: O_WRONLY | O_APPEND)
  }

  /// Writes all of `bytes`, retrying after interrupted and partial writes.
  ///
  /// A single `write(2)` call suffices unless the kernel splits it.
  func writeAll(_ bytes: ArraySlice<UInt8>) throws(SystemError) {
    var failure: Int32?
    bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        offset += written
      }
    }
    if let failure { throw SystemError(code: failure) }
  }

  /// Flushes the file's data and metadata to the device with `fsync(2)`.
  func sync() throws(SystemError) {
    guard fsync(descriptor) == 0 else { throw SystemError(code: errno) }
  }

  /// Closes the descriptor; returns the error, if any (the descriptor is released either way).
  func close() -> SystemError? {
    #if canImport(Glibc)
      let result = Glibc.close(descriptor)
    #elseif canImport(Musl)
      let result = Musl.close(descriptor)
    #else
      let result = Darwin.close(descriptor)
    #endif
    return result == 0 ? nil : SystemError(code: errno)
  }
}

/// Reads the whole file at `path`.
///
/// - Throws: `CheckpointError` naming `path` and the system's message.
func readFile(_ path: String) throws(CheckpointError) -> [UInt8] {
  guard let bytes = try readFile(path, allowMissing: false) else {
    throw CheckpointError(file: path, message: "cannot open: \(SystemError(code: ENOENT))")
  }
  return bytes
}

/// Reads the whole file at `path`, or returns nil when it does not exist.
///
/// - Throws: `CheckpointError` naming `path` and the system's message.
func readFileIfPresent(_ path: String) throws(CheckpointError) -> [UInt8]? {
  try readFile(path, allowMissing: true)
}

private func readFile(_ path: String, allowMissing: Bool) throws(CheckpointError) -> [UInt8]? {
  let file: POSIXFile
  do {
    file = try POSIXFile(opening: path, flags: O_RDONLY)
  } catch {
    if allowMissing && error.code == ENOENT { return nil }
    throw CheckpointError(file: path, message: "cannot open: \(error)")
  }
  defer { _ = file.close() }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let count = chunk.withUnsafeMutableBytes { read(file.descriptor, $0.baseAddress, $0.count) }
    if count < 0 {
      if errno == EINTR { continue }
      throw CheckpointError(file: path, message: "cannot read: \(systemMessage())")
    }
    if count == 0 { return bytes }
    bytes.append(contentsOf: chunk[..<count])
  }
}
