// What both C libraries of the Python package share: the ABI version, result codes, the
// thread-local last error, and C strings handed to the caller.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The ABI's version; the Python package refuses a library with another.
public enum ABI {
  /// Version 1: environments, dense-log files, charts.
  public static let version: Int32 = 2
}

/// Result codes (`ECONOMIST_*` in the header).
public enum Status: Int32 {
  case ok = 0
  /// A config problem (file, key path, line, expected/found in the message).
  case config = 1
  /// An argument the call cannot take (null pointer, index out of range, unknown name).
  case argument = 2
  /// An action outside its space.
  case action = 3
  /// A step after the episode ended, without automatic resets.
  case episodeOver = 4
  /// An environment that cannot be set up (mapping, memory budget).
  case setup = 5
  /// A file that cannot be read or written.
  case io = 6
}

// MARK: - Errors

/// The last error message of each thread (a `strdup`ed C string, freed when replaced).
private let errorKey: pthread_key_t = {
  var key = pthread_key_t()
  pthread_key_create(&key) { free($0) }
  return key
}()

/// Records `message` as this thread's last error and returns `status`'s code.
@discardableResult
public func fail(_ status: Status, _ message: String) -> Int32 {
  free(pthread_getspecific(errorKey))
  pthread_setspecific(errorKey, strdup(message))
  return status.rawValue
}

/// Clears this thread's last error.
public func clearError() {
  free(pthread_getspecific(errorKey))
  pthread_setspecific(errorKey, nil)
}

/// A C string the caller frees with `economist_free`.
public func cString(_ s: String) -> UnsafeMutablePointer<CChar>? { strdup(s) }

/// A C string of JSON bytes, for the caller to free.
public func cString(json bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
  guard let out = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
  bytes.withUnsafeBytes { raw in
    if let base = raw.baseAddress { memcpy(out, base, bytes.count) }
  }
  out[bytes.count] = 0
  return out
}

/// This thread's last error message, "" when there is none; valid until the thread's next
/// failing call.
public func lastError() -> UnsafePointer<CChar> {
  if let p = pthread_getspecific(errorKey) { return UnsafePointer(p.assumingMemoryBound(to: CChar.self)) }
  let empty: StaticString = ""
  return UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
}
