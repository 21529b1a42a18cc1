import CLZ4

/// Whole-buffer LZ4 frame compression, the container of Foundation's `.lz4` dense logs.
///
/// Foundation saves a dense log as `lz4.frame.open(path, 'wb', compression_level=16)` around
/// UTF-8 JSON. ``compress(_:level:)`` writes frames that Python's `lz4.frame` reads (magic bytes
/// `04 22 4D 18`, 64 KB linked blocks, content size and content checksum stored), and
/// ``decompress(_:)`` reads Python's frames, including several frames back to back.
///
/// This file is the only place that calls liblz4 (through the `CLZ4` shim); no pointer crosses
/// its public API. The corresponding C API is liblz4's frame API, `lz4frame.h`.
public enum LZ4Frame {
  /// The magic number that opens every LZ4 frame, read little-endian (`04 22 4D 18`).
  public static let magic: UInt32 = 0x184D_2204

  /// Compresses `data` into one LZ4 frame.
  ///
  /// - Parameters:
  ///   - data: The bytes to compress; may be empty.
  ///   - level: liblz4's compression level: 0 is the fast default, 3…12 select the
  ///     high-compression coder, and larger values count as 12 (Foundation passes 16).
  ///     Negative values trade ratio for speed.
  /// - Returns: A complete frame, starting with ``magic``.
  /// - Throws: ``LZ4FrameError`` if liblz4 reports a failure.
  /// - Complexity: O(*n*). The corresponding C function is `LZ4F_compressFrame`.
  public static func compress(_ data: [UInt8], level: Int = 16) throws(LZ4FrameError) -> [UInt8] {
    var preferences = LZ4F_preferences_t()
    preferences.compressionLevel = Int32(clamping: level)
    preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
    preferences.frameInfo.contentSize = UInt64(data.count)
    let bound = LZ4F_compressFrameBound(data.count, &preferences)
    var output = [UInt8](repeating: 0, count: bound)
    let written = data.withUnsafeBytes { source in
      output.withUnsafeMutableBytes { destination in
        LZ4F_compressFrame(
          destination.baseAddress, bound, source.baseAddress, source.count, &preferences)
      }
    }
    if LZ4F_isError(written) != 0 {
      throw .library(function: "LZ4F_compressFrame", code: written, offset: 0)
    }
    output.removeSubrange(written...)
    return output
  }

  /// The default ``decompress(_:limit:)`` limit: 1 GiB.
  public static let defaultLimit = 1 << 30

  /// Decompresses one or more consecutive LZ4 frames.
  ///
  /// Skippable frames are skipped; block and content checksums are verified when present.
  ///
  /// - Parameters:
  ///   - data: The compressed bytes: whole frames, back to back, and nothing else.
  ///   - limit: The most bytes the contents may have; decompression stops with an error
  ///     beyond it, so a hostile or damaged file cannot claim all memory.
  /// - Returns: The concatenated contents of the frames.
  /// - Throws: ``LZ4FrameError`` if the input does not start with a frame's magic number,
  ///   ends inside a frame, or is corrupt (liblz4's error name is in the message).
  /// - Complexity: O(*n*) in the decompressed size. The corresponding C function is
  ///   `LZ4F_decompress`.
  public static func decompress(_ data: [UInt8], limit: Int = defaultLimit) throws(LZ4FrameError) -> [UInt8] {
    var context: OpaquePointer?
    let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
    guard LZ4F_isError(created) == 0, let context else {
      throw .library(function: "LZ4F_createDecompressionContext", code: created, offset: 0)
    }
    defer { LZ4F_freeDecompressionContext(context) }
    var stream = DecompressionStream(input: data, limit: limit)
    try stream.run(context)
    return stream.finish()
  }
}

// MARK: - Decompression loop

/// The state of one `decompress` call: input read so far, output written so far.
private struct DecompressionStream {
  let input: [UInt8]
  let limit: Int
  var output: [UInt8]
  var consumed = 0
  var produced = 0
  /// Whether the cursor sits between frames (liblz4 returned 0: frame done, output flushed).
  var atFrameBoundary = true
  /// liblz4's hint for the size of the next input piece.
  ///
  /// Feeding one piece per call keeps error offsets precise: a failure is reported at the
  /// start of the piece (a block header, the checksum) where it occurred.
  var nextPieceSize = 4

  /// Free output space kept before each call, so every call can make progress.
  static let minimumFreeSpace = 64 * 1024

  init(input: [UInt8], limit: Int) {
    self.input = input
    self.limit = limit
    output = [UInt8](
      repeating: 0, count: min(max(input.count * 8, Self.minimumFreeSpace), limit + Self.minimumFreeSpace))
  }

  mutating func run(_ context: OpaquePointer) throws(LZ4FrameError) {
    if input.isEmpty { throw .truncated(offset: 0) }
    var stalledCalls = 0
    while true {
      if atFrameBoundary {
        if consumed == input.count { return }
        try checkMagic()
      }
      if produced > limit { throw LZ4FrameError(kind: .tooLarge(limit: limit), offset: consumed) }
      if output.count - produced < Self.minimumFreeSpace {
        // Double. (Appending an array copies with memcpy even in debug builds, unlike
        // `repeatElement`, which goes element by element.)
        output.append(contentsOf: [UInt8](repeating: 0, count: min(output.count, limit + Self.minimumFreeSpace)))
      }
      let (read, written) = try step(context)
      if read == 0 && written == 0 && !atFrameBoundary {
        if consumed == input.count { throw .truncated(offset: consumed) }
        stalledCalls += 1
        if stalledCalls > 4 {
          throw LZ4FrameError(kind: .stalled, offset: consumed)
        }
      } else {
        stalledCalls = 0
      }
    }
  }

  /// One `LZ4F_decompress` call over the next input piece and all free output space.
  ///
  /// - Returns: The bytes consumed and produced by the call.
  private mutating func step(_ context: OpaquePointer) throws(LZ4FrameError) -> (Int, Int) {
    var sourceSize = min(input.count - consumed, max(nextPieceSize, 1))
    var destinationSize = output.count - produced
    let (consumed, produced) = (self.consumed, self.produced)
    let hint = input.withUnsafeBytes { source in
      output.withUnsafeMutableBytes { destination in
        LZ4F_decompress(
          context, destination.baseAddress.map { $0 + produced }, &destinationSize,
          source.baseAddress.map { $0 + consumed }, &sourceSize, nil)
      }
    }
    if LZ4F_isError(hint) != 0 {
      throw .library(function: "LZ4F_decompress", code: hint, offset: consumed)
    }
    self.consumed += sourceSize
    self.produced += destinationSize
    atFrameBoundary = hint == 0
    nextPieceSize = atFrameBoundary ? 4 : hint
    return (sourceSize, destinationSize)
  }

  /// Rejects input whose next frame does not start with an LZ4 or skippable-frame magic.
  private func checkMagic() throws(LZ4FrameError) {
    guard input.count - consumed >= 4 else { throw .truncated(offset: input.count) }
    let magic = (0..<4).reduce(UInt32(0)) { $0 | UInt32(input[consumed + $1]) << (8 * $1) }
    let isSkippable = magic & 0xFFFF_FFF0 == 0x184D_2A50
    guard magic == LZ4Frame.magic || isSkippable else {
      throw LZ4FrameError(kind: .notAFrame(magic: magic), offset: consumed)
    }
  }

  /// The output, trimmed to what was written.
  mutating func finish() -> [UInt8] {
    output.removeSubrange(produced...)
    return output
  }
}

// MARK: - Errors

/// A failure to compress or decompress an LZ4 frame, with the input offset where it occurred.
///
/// `description` names the problem: `not an LZ4 frame (magic 0x6C6C6568) at byte 0`,
/// `truncated LZ4 frame: input ends at byte 17`, or
/// `LZ4F_decompress failed at byte 11: ERROR_contentChecksum_invalid`.
public struct LZ4FrameError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What went wrong.
  public enum Kind: Equatable, Sendable {
    /// The input at ``LZ4FrameError/offset`` does not start with an LZ4 frame; `magic` is the
    /// little-endian number found there.
    case notAFrame(magic: UInt32)
    /// The input ends inside a frame.
    case truncated
    /// A liblz4 function failed; `errorName` is its `LZ4F_getErrorName` text.
    case library(function: String, errorName: String)
    /// liblz4 stopped consuming input and producing output.
    case stalled
    /// The contents would exceed `limit` bytes (a small file can expand to gigabytes).
    case tooLarge(limit: Int)
  }

  /// What went wrong.
  public var kind: Kind
  /// The byte offset in the input where the problem was detected.
  public var offset: Int

  /// Creates an error.
  public init(kind: Kind, offset: Int) {
    self.kind = kind
    self.offset = offset
  }

  /// A one-line explanation naming the failed step and the input offset.
  public var description: String {
    switch kind {
    case .notAFrame(let magic):
      let hex = String(magic, radix: 16, uppercase: true)
      let padded = String(repeating: "0", count: max(0, 8 - hex.count)) + hex
      return "not an LZ4 frame (magic 0x\(padded)) at byte \(offset)"
    case .truncated:
      return "truncated LZ4 frame: input ends at byte \(offset)"
    case .library(let function, let errorName):
      return "\(function) failed at byte \(offset): \(errorName)"
    case .stalled:
      return "LZ4F_decompress made no progress at byte \(offset)"
    case .tooLarge(let limit):
      return
        "the contents exceed \(limit / (1 << 20)) MiB at byte \(offset) of the input (LZ4Frame.decompress's limit; a dense log of a 1000-step episode is about 2 MiB)"
    }
  }

  static func truncated(offset: Int) -> LZ4FrameError {
    LZ4FrameError(kind: .truncated, offset: offset)
  }

  static func library(function: String, code: Int, offset: Int) -> LZ4FrameError {
    let name = LZ4F_getErrorName(code).map { String(cString: $0) } ?? "unknown error \(code)"
    return LZ4FrameError(kind: .library(function: function, errorName: name), offset: offset)
  }
}
