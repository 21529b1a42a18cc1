// The safetensors checkpoint format (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON header padded with spaces to a multiple of 8,
// then the tensors' raw little-endian data, back to back.

import Basics
import EnvContract

/// A checkpoint file that cannot be read, written or matched to a model.
public struct CheckpointError: Error, Sendable, CustomStringConvertible, Equatable {
  /// The file concerned.
  public var file: String
  /// What is wrong, naming the tensor when one is concerned.
  public var message: String

  /// Creates an error about `file`.
  public init(file: String, message: String) {
    self.file = file
    self.message = message
  }

  /// The file, a colon and the message.
  public var description: String { "\(file): \(message)" }

  /// A tensor whose stored shape differs from the one the model expects.
  ///
  /// - Parameters:
  ///   - file: The checkpoint.
  ///   - tensor: The tensor's name, e.g. `a/policy/dense_0/kernel`.
  ///   - expected: The model's shape.
  ///   - found: The checkpoint's shape.
  /// - Returns: An error whose message reads like `tensor 'a/policy/dense_0/kernel' has shape
  ///   [1204, 256] in the checkpoint, the model expects [1100, 256]`.
  public static func shapeMismatch(
    file: String, tensor: String, expected: [Int], found: [Int]
  ) -> CheckpointError {
    CheckpointError(
      file: file,
      message:
        "tensor '\(tensor)' has shape \(found) in the checkpoint, the model expects \(expected)"
    )
  }

  /// A tensor the model needs that the checkpoint lacks, with the closest stored name as a
  /// suggestion, or a few of the stored names when none is close.
  ///
  /// - Parameters:
  ///   - file: The checkpoint.
  ///   - tensor: The missing tensor's name.
  ///   - available: The names the checkpoint holds, in file order.
  /// - Returns: An error such as `tensor 'a/policy/dense_0/kernal' is missing from the checkpoint
  ///   (did you mean 'a/policy/dense_0/kernel'?)`.
  public static func missingTensor(
    file: String, tensor: String, available: [String]
  ) -> CheckpointError {
    var message = "tensor '\(tensor)' is missing from the checkpoint"
    if let suggestion = closestTensorName(to: tensor, among: available) {
      message += " (did you mean '\(suggestion)'?)"
    } else if available.isEmpty {
      message += ", which holds no tensors"
    } else {
      let shown = available.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
      let more = available.count > 5 ? ", and \(available.count - 5) more" : ""
      message += " (it holds \(shown)\(more))"
    }
    return CheckpointError(file: file, message: message)
  }
}

/// Named `Float` tensors and string metadata in the safetensors format.
///
/// Tensors keep their order: they are written in insertion order with contiguous data offsets,
/// and a decoded file lists them by data offset, so a file this type wrote reads back in the
/// same order. Only `F32` is written; `F64`, `F32`, `F16`, `BF16`, `I64`, `I32`, `I16`, `I8` and
/// `U8` are read and converted to `Float` (64-bit values round to nearest).
public struct SafeTensors: Sendable, Equatable {
  /// One tensor: a shape and its values, row-major.
  public struct Tensor: Sendable, Equatable {
    /// The dimensions; `[]` is a scalar.
    public var shape: [Int]
    /// The values, row-major; `shape.reduce(1, *)` of them.
    public var values: [Float]

    /// Creates a tensor.
    ///
    /// - Precondition: dimensions are non-negative and `values` has their product's count.
    public init(shape: [Int], values: [Float]) {
      precondition(
        shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
        "shape \(shape) does not hold \(values.count) values")
      self.shape = shape
      self.values = values
    }
  }

  /// The tensors in file order; names are unique.
  public var tensors: [(name: String, tensor: Tensor)]
  /// The header's `__metadata__` map (written with keys sorted).
  public var metadata: [String: String]

  /// Creates a checkpoint.
  ///
  /// - Precondition: tensor names are unique and none is `__metadata__`.
  public init(tensors: [(name: String, tensor: Tensor)] = [], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
    checkNames()
  }

  /// The tensor called `name`, if any.
  public subscript(name: String) -> Tensor? {
    tensors.first { $0.name == name }?.tensor
  }

  /// Whether two checkpoints hold the same tensors in the same order and the same metadata.
  public static func == (lhs: SafeTensors, rhs: SafeTensors) -> Bool {
    lhs.metadata == rhs.metadata && lhs.tensors.count == rhs.tensors.count
      && zip(lhs.tensors, rhs.tensors).allSatisfy { $0.name == $1.name && $0.tensor == $1.tensor }
  }

  private func checkNames() {
    var seen = Set<String>()
    for (name, _) in tensors {
      precondition(name != "__metadata__", "'__metadata__' cannot name a tensor")
      precondition(seen.insert(name).inserted, "duplicate tensor name '\(name)'")
    }
  }

  // MARK: - Writing

  /// The file's bytes: the header (`__metadata__` first, when not empty, with sorted keys; then
  /// the tensors in order, all `F32`), padded with spaces to a multiple of 8, then the data.
  ///
  /// The same value always encodes to the same bytes.
  ///
  /// - Precondition: names are unique and every tensor's values match its shape.
  public func encoded() -> [UInt8] {
    checkNames()
    var header = "{"
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.sorted { $0.key < $1.key }
        .map { JSONWriter.quoted($0.key) + ":" + JSONWriter.quoted($0.value) }
      entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
    }
    var offset = 0
    for (name, tensor) in tensors {
      precondition(
        tensor.shape.allSatisfy { $0 >= 0 } && tensor.shape.reduce(1, *) == tensor.values.count,
        "tensor '\(name)': shape \(tensor.shape) does not hold \(tensor.values.count) values")
      let end = offset + 4 * tensor.values.count
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        JSONWriter.quoted(name)
          + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    header += entries.joined(separator: ",") + "}"
    var headerBytes = Array(header.utf8)
    headerBytes += repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)

    var bytes = [UInt8](repeating: 0, count: 8 + headerBytes.count + offset)
    bytes.withUnsafeMutableBytes { raw in
      raw.storeBytes(of: UInt64(headerBytes.count).littleEndian, as: UInt64.self)
      var position = 8
      for byte in headerBytes {
        raw[position] = byte
        position += 1
      }
      for (_, tensor) in tensors {
        for value in tensor.values {
          raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: position, as: UInt32.self)
          position += 4
        }
      }
    }
    return bytes
  }

  /// Writes ``encoded()`` to `path` atomically (see ``AtomicFile``).
  ///
  /// - Throws: `CheckpointError` naming `path` and the system's message.
  public func write(to path: String) throws(CheckpointError) {
    try writeAtomically(encoded(), to: path)
  }

  // MARK: - Reading

  /// Reads and decodes the safetensors file at `path`.
  ///
  /// - Throws: `CheckpointError` naming `path`: the file cannot be read, or see
  ///   ``init(decoding:file:)``.
  public static func read(path: String) throws(CheckpointError) -> SafeTensors {
    try SafeTensors(decoding: readFile(path), file: path)
  }

  /// Decodes a safetensors file, validating it completely.
  ///
  /// - Parameters:
  ///   - bytes: The whole file.
  ///   - file: The name errors report.
  /// - Throws: `CheckpointError` naming `file` and, when one is concerned, the tensor: a file
  ///   shorter than its header, a header that is not a JSON object, a tensor without `dtype`,
  ///   `shape` or `data_offsets`, an unsupported dtype, offsets that are out of range, overlap,
  ///   leave gaps or disagree with shape × element size, or bytes after the last tensor.
  public init(decoding bytes: [UInt8], file: String) throws(CheckpointError) {
    func fail(_ message: String) -> CheckpointError {
      CheckpointError(file: file, message: message)
    }
    guard bytes.count >= 8 else {
      throw fail("the file has \(bytes.count) bytes, too short for the 8-byte header length")
    }
    let length = bytes[..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard length <= UInt64(bytes.count - 8) else {
      throw fail("header length \(length) exceeds the \(bytes.count - 8) bytes after it")
    }
    let dataStart = 8 + Int(length)
    let root: JSONValue
    do {
      root = try JSONParser.parse(bytes[8..<dataStart])
    } catch {
      throw fail("the header is not valid JSON: \(error)")
    }
    guard case .object(let header) = root else { throw fail("the header is not a JSON object") }

    var metadata: [String: String] = [:]
    var layouts: [StoredTensor] = []
    for (name, value) in header.entries {
      if name == "__metadata__" {
        metadata = try Self.decodeMetadata(value, fail: fail)
      } else {
        layouts.append(try StoredTensor(name: name, entry: value, fail: fail))
      }
    }
    let order = layouts.indices.sorted {
      (layouts[$0].begin, layouts[$0].end, $0) < (layouts[$1].begin, layouts[$1].end, $1)
    }
    let dataCount = bytes.count - dataStart
    var previous: StoredTensor?
    for layout in order.map({ layouts[$0] }) {
      try layout.check(following: previous, dataCount: dataCount, fail: fail)
      previous = layout
    }
    let dataEnd = previous?.end ?? 0
    guard dataEnd == dataCount else {
      throw fail(
        "\(dataCount - dataEnd) bytes of trailing data after the tensors (data ends at byte "
          + "\(dataEnd) of \(dataCount))")
    }
    self.metadata = metadata
    self.tensors = bytes.withUnsafeBytes { raw in
      let data = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
      return order.map { index -> (name: String, tensor: Tensor) in
        let layout = layouts[index]
        let slice = UnsafeRawBufferPointer(rebasing: data[layout.begin..<layout.end])
        return (layout.name, Tensor(shape: layout.shape, values: layout.dtype.decode(slice)))
      }
    }
  }

  private static func decodeMetadata(
    _ value: JSONValue, fail: (String) -> CheckpointError
  ) throws(CheckpointError) -> [String: String] {
    guard case .object(let object) = value else {
      throw fail("'__metadata__' is not a JSON object")
    }
    var metadata: [String: String] = [:]
    for (key, value) in object.entries {
      guard case .string(let text) = value else {
        throw fail("'__metadata__' entry '\(key)' is not a string")
      }
      metadata[key] = text
    }
    return metadata
  }
}

// MARK: - Header entries

/// One tensor's header entry, validated on its own.
private struct StoredTensor {
  var name: String
  var dtype: StoredDType
  var shape: [Int]
  var begin: Int
  var end: Int

  init(name: String, entry: JSONValue, fail: (String) -> CheckpointError) throws(CheckpointError) {
    self.name = name
    guard case .object(let fields) = entry else {
      throw fail("tensor '\(name)' is not described by a JSON object")
    }
    func field(_ key: String) throws(CheckpointError) -> JSONValue {
      guard let value = fields[key] else {
        throw fail("tensor '\(name)' has no '\(key)'")
      }
      return value
    }
    guard case .string(let dtypeName) = try field("dtype") else {
      throw fail("tensor '\(name)' has a 'dtype' that is not a string")
    }
    guard let dtype = StoredDType(rawValue: dtypeName) else {
      let supported = StoredDType.allCases.map(\.rawValue).joined(separator: ", ")
      throw fail("tensor '\(name)' has unsupported dtype '\(dtypeName)' (supported: \(supported))")
    }
    self.dtype = dtype
    guard let shape = try field("shape").naturals else {
      throw fail("tensor '\(name)' has a 'shape' that is not an array of non-negative integers")
    }
    self.shape = shape
    guard let offsets = try field("data_offsets").naturals, offsets.count == 2,
      offsets[0] <= offsets[1]
    else {
      throw fail("tensor '\(name)' has 'data_offsets' that are not [begin, end] with begin <= end")
    }
    (begin, end) = (offsets[0], offsets[1])
    let (count, overflow) = shape.reduce((dtype.size, false)) { partial, dimension in
      let product = partial.0.multipliedReportingOverflow(by: dimension)
      return (product.partialValue, partial.1 || product.overflow)
    }
    guard !overflow, count == end - begin else {
      throw fail(
        "tensor '\(name)' has data_offsets [\(begin), \(end)] (\(end - begin) bytes), but shape "
          + "\(shape) of \(dtypeName) needs \(overflow ? "more" : String(count)) bytes")
    }
  }

  /// Checks that this tensor lies inside the data and starts where `previous` (the tensor
  /// before it in offset order) ends.
  func check(
    following previous: StoredTensor?, dataCount: Int, fail: (String) -> CheckpointError
  ) throws(CheckpointError) {
    guard end <= dataCount else {
      throw fail(
        "tensor '\(name)' has data_offsets [\(begin), \(end)] beyond the \(dataCount) data bytes")
    }
    let previousEnd = previous?.end ?? 0
    if let previous, begin < previousEnd {
      throw fail(
        "tensor '\(name)' with data_offsets [\(begin), \(end)] overlaps tensor '\(previous.name)' "
          + "with [\(previous.begin), \(previous.end)]")
    }
    guard begin == previousEnd else {
      throw fail(
        "tensor '\(name)' starts at data byte \(begin), leaving bytes \(previousEnd)..<\(begin) "
          + "unused")
    }
  }
}

/// The element types this reader accepts, with the safetensors names.
private enum StoredDType: String, CaseIterable {
  case f64 = "F64"
  case f32 = "F32"
  case f16 = "F16"
  case bf16 = "BF16"
  case i64 = "I64"
  case i32 = "I32"
  case i16 = "I16"
  case i8 = "I8"
  case u8 = "U8"

  /// Bytes per element.
  var size: Int {
    switch self {
    case .f64, .i64: return 8
    case .f32, .i32: return 4
    case .f16, .bf16, .i16: return 2
    case .i8, .u8: return 1
    }
  }

  /// Converts little-endian elements to `Float`.
  func decode(_ raw: UnsafeRawBufferPointer) -> [Float] {
    (0..<raw.count / size).map { index in
      let offset = index * size
      func load<T: FixedWidthInteger>(_: T.Type) -> T {
        T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
      }
      switch self {
      case .f64: return Float(Double(bitPattern: load(UInt64.self)))
      case .f32: return Float(bitPattern: load(UInt32.self))
      case .f16: return halfToFloat(load(UInt16.self))
      case .bf16: return Float(bitPattern: UInt32(load(UInt16.self)) << 16)
      case .i64: return Float(load(Int64.self))
      case .i32: return Float(load(Int32.self))
      case .i16: return Float(load(Int16.self))
      case .i8: return Float(load(Int8.self))
      case .u8: return Float(load(UInt8.self))
      }
    }
  }
}

/// Converts IEEE 754 half-precision bits to `Float` (exactly; `Float16` is not available on
/// every platform this package builds for).
private func halfToFloat(_ bits: UInt16) -> Float {
  let sign: Float = bits & 0x8000 == 0 ? 1 : -1
  let exponent = UInt32(bits >> 10) & 0x1f
  let mantissa = UInt32(bits & 0x3ff)
  switch exponent {
  case 0: return sign * Float(mantissa) * 0x1p-24
  case 0x1f: return sign * (mantissa == 0 ? .infinity : .nan)
  default: return sign * Float(bitPattern: (exponent + 112) << 23 | mantissa << 13)
  }
}

// MARK: - Suggestions

/// The name in `candidates` closest to `name` by Levenshtein distance, if within
/// `max(2, name.count / 3)` edits; the first such candidate wins ties.
private func closestTensorName(to name: String, among candidates: [String]) -> String? {
  let typed = Array(name)
  let limit = max(2, typed.count / 3)
  var best: (name: String, distance: Int)?
  for candidate in candidates where candidate != name {
    let distance = levenshtein(typed, Array(candidate))
    if distance <= limit, distance < best?.distance ?? .max {
      best = (candidate, distance)
    }
  }
  return best?.name
}

/// The Levenshtein distance: insertions, deletions and substitutions each cost one edit.
private func levenshtein(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  var previous = Array(0...b.count)
  var current = previous
  for i in 1...a.count {
    current[0] = i
    for j in stride(from: 1, through: b.count, by: 1) {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}

extension JSONValue {
  /// The value as an array of non-negative integers, if it is one.
  fileprivate var naturals: [Int]? {
    guard case .array(let elements) = self else { return nil }
    var result: [Int] = []
    for element in elements {
      guard let number = element.intValue, number >= 0 else { return nil }
      result.append(number)
    }
    return result
  }
}
