// The C ABI of the Python package: environments over `EconomyEnv`, errors as codes plus a
// thread-local message, JSON for everything that is not a per-step buffer.
//
// Every function validates its arguments and catches every error: nothing here may trap in the
// host process. Handles are opaque pointers to an `EnvHandle`; strings returned as `char *` are
// the caller's to release with `economist_free`. The header is `python/economist/economist.h`.

import ABISupport
import Basics
import Economy
import EconomyEnv
import EnvContract

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The status of an environment error.
func status(of error: EnvError) -> Status {
  switch error {
  case .actionOutsideSpace, .batchActionOutsideSpace: .action
  case .episodeOver: .episodeOver
  case .unknownAgent: .argument
  case .invalidSetup, .invalidState: .setup
  }
}

// MARK: - Library

/// The ABI version this library implements.
@_cdecl("economist_abi_version")
public func economistABIVersion() -> Int32 { ABI.version }

/// This thread's last error message ("" when the last failing call left none); valid until
/// the thread's next call.
@_cdecl("economist_last_error")
public func economistLastError() -> UnsafePointer<CChar> { lastError() }

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
