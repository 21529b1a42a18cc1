// The C ABI of the Python package: environments over `EconomyEnv`, errors as codes plus a
// thread-local message, JSON for everything that is not a per-step buffer.
//
// Every function validates its arguments and catches every error: nothing here may trap in the
// host process. Handles are opaque pointers to an `EnvHandle`; strings returned as `char *` are
// the caller's to release with `economist_free`. The header is `python/economist/economist.h`.

import Basics
import Economy
import EconomyEnv
import EnvContract

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The ABI's version; the Python package refuses a library with another.
let abiVersion: Int32 = 1

/// Result codes (`ECONOMIST_*` in the header).
enum Status: Int32 {
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
func fail(_ status: Status, _ message: String) -> Int32 {
  free(pthread_getspecific(errorKey))
  pthread_setspecific(errorKey, strdup(message))
  return status.rawValue
}

/// Clears this thread's last error.
func clearError() {
  free(pthread_getspecific(errorKey))
  pthread_setspecific(errorKey, nil)
}

/// The status of an environment error.
func status(of error: EnvError) -> Status {
  switch error {
  case .actionOutsideSpace, .batchActionOutsideSpace: .action
  case .episodeOver: .episodeOver
  case .unknownAgent: .argument
  case .invalidSetup, .invalidState: .setup
  }
}

/// A C string the caller frees with `economist_free`.
func cString(_ s: String) -> UnsafeMutablePointer<CChar>? { strdup(s) }

/// A C string of JSON bytes, for the caller to free.
func cString(json bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
  guard let out = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
  bytes.withUnsafeBytes { raw in
    if let base = raw.baseAddress { memcpy(out, base, bytes.count) }
  }
  out[bytes.count] = 0
  return out
}

// MARK: - Library

/// The ABI version this library implements.
@_cdecl("economist_abi_version")
public func economistABIVersion() -> Int32 { abiVersion }

/// This thread's last error message ("" when the last failing call left none); valid until
/// the thread's next call.
@_cdecl("economist_last_error")
public func economistLastError() -> UnsafePointer<CChar> {
  if let p = pthread_getspecific(errorKey) { return UnsafePointer(p.assumingMemoryBound(to: CChar.self)) }
  let empty: StaticString = ""
  return UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// Releases a string this library returned.
@_cdecl("economist_free")
public func economistFree(_ pointer: UnsafeMutablePointer<CChar>?) { free(pointer) }

// MARK: - Dense log files

/// Reads a dense log file (JSON, or Foundation's LZ4-framed JSON) after checking its structure,
/// and returns its JSON; NULL with the error set when it cannot.
@_cdecl("economist_dense_log_load")
public func economistDenseLogLoad(_ path: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
  guard let path else {
    fail(.argument, "economist_dense_log_load: the path is NULL")
    return nil
  }
  do {
    let log = try DenseLog.load(path: String(cString: path))
    clearError()
    return cString(json: JSONWriter.serialize(.object(log.root)))
  } catch {
    fail(.io, error.description)
    return nil
  }
}

/// Writes `length` bytes of dense-log JSON to `path` atomically: `lz4` 1 as an LZ4 frame
/// (Foundation's `save_episode_log` format), 0 as plain JSON, -1 as the suffix says (`.lz4`).
@_cdecl("economist_dense_log_save")
public func economistDenseLogSave(
  _ json: UnsafePointer<UInt8>?, _ length: Int64, _ path: UnsafePointer<CChar>?, _ lz4: Int32
) -> Int32 {
  guard let json, let path, length >= 0, (-1...1).contains(lz4) else {
    return fail(.argument, "economist_dense_log_save: NULL JSON or path, a negative length, or lz4 not in -1...1")
  }
  let bytes = Array(UnsafeBufferPointer(start: json, count: Int(length)))
  let target = String(cString: path)
  do {
    _ = try JSONParser.parse(bytes)
  } catch {
    return fail(.argument, "\(target): the log to save is not valid JSON: \(error.description)")
  }
  do {
    let compress = lz4 == -1 ? target.lowercased().hasSuffix(".lz4") : lz4 == 1
    try DenseLog.write(bytes: bytes, path: target, compressed: compress)
  } catch {
    return fail(.io, error.description)
  }
  clearError()
  return Status.ok.rawValue
}
