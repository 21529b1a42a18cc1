// Atomic file replacement, whole-file reads and appends: every C file call of Economist lives
// in this file; everything above it sees Swift values and `FileError`.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file that could not be read or written: the path and the reason.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file concerned.
  public var path: String
  /// What failed and the system's message (`strerror(errno)`).
  public var message: String

  /// Creates an error about `path`.
  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  /// The path, a colon and the message.
  public var description: String { "\(path): \(message)" }
}

/// Writes files atomically, so readers and a later run see either the old file or the new one,
/// never a mix or a prefix, even after a crash or a power loss.
///
/// The bytes go to a temporary file `.<name>.tmp-<pid>` in the target's directory, which is
/// flushed with `fsync`, renamed over the target with `rename(2)` (atomic within one file
/// system), after which the directory itself is flushed so the rename survives a power loss.
/// On failure the temporary file is removed and the target is left as it was.
///
/// Two writers of the same path in one process at the same time are not supported (they share
/// the temporary name).
public enum AtomicFile {
  /// Replaces the file at `path` with `bytes`, atomically and durably.
  ///
  /// - Parameters:
  ///   - bytes: The complete new contents.
  ///   - path: The target.
  ///   - createDirectories: Whether to create the target's missing parent directories first;
  ///     when false the directory must exist.
  /// - Throws: ``FileError`` naming `path`, the step that failed and the system's message.
  public static func write(_ bytes: [UInt8], to path: String, createDirectories: Bool = false)
    throws(FileError)
  {
    let (directory, name) = splitPath(path)
    if createDirectories { try Directory.create(directory, for: path) }
    let temporary = "\(directory)/.\(name).tmp-\(getpid())"
    let file: POSIXFile
    do {
      file = try POSIXFile(opening: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
    } catch {
      throw FileError(path: path, message: "cannot create '\(temporary)': \(error)")
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
      failure = "cannot rename '\(temporary)' over it: \(SystemError(code: errno))"
    }
    if let failure {
      unlink(temporary)
      throw FileError(path: path, message: failure)
    }
    try syncDirectory(directory, for: path)
  }

  /// Replaces the file at `path` with the UTF-8 encoding of `text`, atomically and durably.
  ///
  /// - Throws: ``FileError`` naming `path` and the system's message.
  public static func write(_ text: String, to path: String, createDirectories: Bool = false)
    throws(FileError)
  {
    try write(Array(text.utf8), to: path, createDirectories: createDirectories)
  }

  /// Flushes `directory` so a rename inside it is durable.
  ///
  /// File systems that cannot sync a directory (`EINVAL`) are accepted as they are.
  private static func syncDirectory(_ directory: String, for path: String) throws(FileError) {
    let file: POSIXFile
    do {
      file = try POSIXFile(opening: directory, flags: O_RDONLY)
    } catch {
      throw FileError(path: path, message: "cannot open directory '\(directory)': \(error)")
    }
    defer { _ = file.close() }
    do {
      try file.sync()
    } catch {
      guard error.code == EINVAL else {
        throw FileError(path: path, message: "cannot sync directory '\(directory)': \(error)")
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

/// Directories.
public enum Directory {
  /// Creates `path` and its missing parents (mode 0755); directories that exist are fine.
  ///
  /// - Throws: ``FileError`` naming the path and the part that could not be created, with the
  ///   system's reason (`'out/file' exists and is not a directory`, `cannot create directory
  ///   '/proc/x': No such file or directory`).
  public static func create(_ path: String) throws(FileError) {
    try create(path, for: path)
  }

  static func create(_ directory: String, for path: String) throws(FileError) {
    var prefix = directory.hasPrefix("/") ? "/" : ""
    for component in directory.split(separator: "/") {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
      guard mkdir(prefix, 0o755) != 0 else { continue }
      let code = errno
      var status = stat()
      // An existing directory (or a link to one) is fine; anything else in the way is not.
      if code == EEXIST && stat(prefix, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR { continue }
      throw FileError(
        path: path,
        message: code == EEXIST
          ? "'\(prefix)' exists and is not a directory"
          : "cannot create directory '\(prefix)': \(SystemError(code: code))")
    }
  }
}

/// Whole-file reads.
public enum FileBytes {
  /// Reads the whole file at `path`.
  ///
  /// - Throws: ``FileError`` naming `path` and the system's message.
  public static func contents(of path: String) throws(FileError) -> [UInt8] {
    guard let bytes = try load(path, allowMissing: false) else {
      throw FileError(path: path, message: "cannot open: \(SystemError(code: ENOENT))")
    }
    return bytes
  }

  /// Reads the whole file at `path`, or returns nil when it does not exist.
  ///
  /// - Throws: ``FileError`` naming `path` and the system's message for any other failure.
  public static func contentsIfPresent(of path: String) throws(FileError) -> [UInt8]? {
    try load(path, allowMissing: true)
  }

  private static func load(_ path: String, allowMissing: Bool) throws(FileError) -> [UInt8]? {
    let file: POSIXFile
    do {
      file = try POSIXFile(opening: path, flags: O_RDONLY)
    } catch {
      if allowMissing && error.code == ENOENT { return nil }
      throw FileError(path: path, message: "cannot open: \(error)")
    }
    defer { _ = file.close() }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(file.descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw FileError(path: path, message: "cannot read: \(SystemError(code: errno))")
      }
      if count == 0 { return bytes }
      bytes.append(contentsOf: chunk[..<count])
    }
  }
}

/// An existing file opened for durable appends: each ``append(_:)`` is written whole and
/// flushed to the device before it returns.
///
/// The caller closes it exactly once with ``close()``.
public struct AppendingFile: Sendable {
  /// The file.
  public let path: String
  private let file: POSIXFile

  /// Opens the existing file at `path` for appending.
  ///
  /// - Throws: ``FileError`` naming `path` and the system's message.
  public init(path: String) throws(FileError) {
    self.path = path
    do {
      file = try POSIXFile(opening: path, flags: O_WRONLY | O_APPEND)
    } catch {
      throw FileError(path: path, message: "cannot open for appending: \(error)")
    }
  }

  /// Appends `bytes` and flushes them with `fsync`.
  ///
  /// - Throws: ``FileError`` naming the file and the system's message.
  public func append(_ bytes: [UInt8]) throws(FileError) {
    do {
      try file.writeAll(bytes[...])
      try file.sync()
    } catch {
      throw FileError(path: path, message: "cannot append: \(error)")
    }
  }

  /// Closes the file; a failure is ignored (every append was already flushed).
  public func close() { _ = file.close() }
}

// MARK: - POSIX layer

/// A failed system call: the `errno` it left.
struct SystemError: Error, CustomStringConvertible {
  /// The `errno` value.
  var code: Int32
  /// `strerror(code)`.
  var description: String { String(cString: strerror(code)) }
}

/// An open file descriptor with the handful of operations the files above need.
struct POSIXFile: Sendable {
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

  /// Writes all of `bytes`, retrying after interrupted and partial writes.
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
