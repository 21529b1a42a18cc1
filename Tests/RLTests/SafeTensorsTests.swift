import EnvContract
import Foundation
import Testing

@testable import RL

/// A file written by Python's `safetensors.numpy.save` 0.8.0 (numpy 2.4), with metadata
/// `{"format": "np", "note": "made by python"}` and the tensors `weight` (F64 [2, 2]),
/// `bias` (F32 [3]), `half` (F16 [4]), `steps` (I64 scalar) and `counts` (I32 [2]).
private let pythonFileHex = """
  60010000000000007b225f5f6d657461646174615f5f223a7b22666f726d6174223a226e70222c226e6f746522
  3a226d61646520627920707974686f6e227d2c227374657073223a7b226474797065223a22493634222c227368
  617065223a5b5d2c22646174615f6f666673657473223a5b302c385d7d2c22776569676874223a7b2264747970
  65223a22463634222c227368617065223a5b322c325d2c22646174615f6f666673657473223a5b382c34305d7d
  2c2262696173223a7b226474797065223a22463332222c227368617065223a5b335d2c22646174615f6f666673
  657473223a5b34302c35325d7d2c22636f756e7473223a7b226474797065223a22493332222c22736861706522
  3a5b325d2c22646174615f6f666673657473223a5b35322c36305d7d2c2268616c66223a7b226474797065223a
  22463136222c227368617065223a5b345d2c22646174615f6f666673657473223a5b36302c36385d7d7d202020
  0700000000000000000000000000f83f00000000000002c00000000000000840000000000000c03f0000003f00
  0080bf00000040fdffffff04000000003e00b40100ff7b
  """

/// The bytes of a hex string, ignoring line breaks.
private func bytes(hex: String) -> [UInt8] {
  let digits = Array(hex.filter(\.isHexDigit))
  return stride(from: 0, to: digits.count, by: 2).compactMap {
    UInt8(String(digits[$0...$0 + 1]), radix: 16)
  }
}

/// A safetensors file with `header` as is (no padding) and `dataCount` zero data bytes.
private func file(header: String, dataCount: Int) -> [UInt8] {
  let json = Array(header.utf8)
  let length = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
  return length + json + [UInt8](repeating: 0, count: dataCount)
}

private func sample() -> SafeTensors {
  SafeTensors(
    tensors: [
      (
        "b/policy/dense_0/kernel",
        .init(shape: [2, 3], values: [1, -2.5, 3e-8, .infinity, 0, -0.0])
      ),
      ("a/value/bias", .init(shape: [], values: [0.25])),
      ("empty", .init(shape: [0, 4], values: [])),
      ("quote\"d\\name", .init(shape: [1], values: [.greatestFiniteMagnitude])),
    ],
    metadata: ["iteration": "12", "format": "pt", "note": "μ \"quoted\""])
}

@Suite("SafeTensors")
struct SafeTensorsTests {
  @Test func roundTripKeepsOrderValuesAndMetadata() throws {
    let original = sample()
    let decoded = try SafeTensors(decoding: original.encoded(), file: "x.safetensors")
    #expect(decoded == original)
    #expect(decoded.tensors.map(\.name) == original.tensors.map(\.name))
    #expect(decoded["a/value/bias"] == SafeTensors.Tensor(shape: [], values: [0.25]))
    #expect(decoded["missing"] == nil)
    #expect(decoded.metadata["note"] == "μ \"quoted\"")
  }

  @Test func encodingIsDeterministic() {
    var reordered = sample()
    reordered.metadata = [:]
    for key in ["note", "format", "iteration"] { reordered.metadata[key] = sample().metadata[key] }
    #expect(sample().encoded() == sample().encoded())
    #expect(reordered.encoded() == sample().encoded())
  }

  @Test func tinyFileHasTheExpectedBytes() {
    let checkpoint = SafeTensors(
      tensors: [("a", .init(shape: [2], values: [1, -2]))], metadata: ["k": "v"])
    // 79 bytes of JSON and one space of padding make an 80-byte header; Python's safetensors
    // 0.8.0 writes exactly these bytes for the same tensor and metadata.
    let header =
      #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} "#
    let lengthPrefix: [UInt8] = [80, 0, 0, 0, 0, 0, 0, 0]
    let data: [UInt8] = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]  // 1.0, -2.0
    #expect(checkpoint.encoded() == lengthPrefix + Array(header.utf8) + data)
  }

  @Test func emptyCheckpointIsAPaddedEmptyObject() throws {
    let bytes = SafeTensors().encoded()
    #expect(bytes == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
    #expect(try SafeTensors(decoding: bytes, file: "e") == SafeTensors())
  }

  @Test func writesAndReadsFiles() throws {
    let directory = try makeScratchDirectory("safetensors")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/checkpoint.safetensors"
    try sample().write(to: path)
    #expect(try SafeTensors.read(path: path) == sample())
    #expect(try directoryListing(directory) == ["checkpoint.safetensors"])
    let missing = directory + "/none.safetensors"
    #expect(
      throws: CheckpointError(file: missing, message: "cannot open: No such file or directory")
    ) {
      try SafeTensors.read(path: missing)
    }
  }

  @Test func readsAPythonFileConvertingEveryDType() throws {
    let checkpoint = try SafeTensors(decoding: bytes(hex: pythonFileHex), file: "python")
    #expect(checkpoint.metadata == ["format": "np", "note": "made by python"])
    // Python lays data out by element size, then name; the header lists it by offset.
    #expect(checkpoint.tensors.map(\.name) == ["steps", "weight", "bias", "counts", "half"])
    let expected: [String: SafeTensors.Tensor] = [
      "steps": .init(shape: [], values: [7]),
      "weight": .init(shape: [2, 2], values: [1.5, -2.25, 3, 0.125]),
      "bias": .init(shape: [3], values: [0.5, -1, 2]),
      "counts": .init(shape: [2], values: [-3, 4]),
      "half": .init(shape: [4], values: [1.5, -0.25, 0x1p-24, 65504]),
    ]
    for (name, tensor) in checkpoint.tensors {
      #expect(tensor == expected[name], "\(name)")
    }
  }

  @Test func readsBFloat16AndSmallIntegers() throws {
    let header =
      #"{"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"#
      + #""i":{"dtype":"I8","shape":[2],"data_offsets":[4,6]},"#
      + #""u":{"dtype":"U8","shape":[1],"data_offsets":[6,7]}}"#
    var bytes = file(header: header, dataCount: 0)
    bytes += [0xc0, 0x3f, 0x80, 0xc0, 0xfe, 0x05, 0xff]  // 1.5, -4 | -2, 5 | 255
    let checkpoint = try SafeTensors(decoding: bytes, file: "small")
    let expected: [[Float]] = [[1.5, -4], [-2, 5], [255]]
    #expect(checkpoint.tensors.map(\.tensor.values) == expected)
  }

  private static let corruptions: [(header: String, dataCount: Int, message: String)] = [
    (
      #"{"w": [1,}"#, 0,
      "the header is not valid JSON: line 1, column 10: expected a value, found '}'"
    ),
    ("[]", 0, "the header is not a JSON object"),
    (
      #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{}}"#, 4,
      "the header is not valid JSON: line 1, column 55: duplicate key 'w'"
    ),
    (#"{"__metadata__":{"n":1}}"#, 0, "'__metadata__' entry 'n' is not a string"),
    (#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, 4, "tensor 'w' has no 'dtype'"),
    (#"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, 4, "tensor 'w' has no 'shape'"),
    (#"{"w":{"dtype":"F32","shape":[1]}}"#, 4, "tensor 'w' has no 'data_offsets'"),
    (
      #"{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, 1,
      "tensor 'w' has unsupported dtype 'F8_E4M3' "
        + "(supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8)"
    ),
    (
      #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, 4,
      "tensor 'w' has a 'shape' that is not an array of non-negative integers"
    ),
    (
      #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, 4,
      "tensor 'w' has 'data_offsets' that are not [begin, end] with begin <= end"
    ),
    (
      #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, 4,
      "tensor 'w' has data_offsets [0, 4] (4 bytes), but shape [2] of F32 needs 8 bytes"
    ),
    (
      #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, 4,
      "tensor 'w' has data_offsets [0, 8] beyond the 4 data bytes"
    ),
    (
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
        + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12,
      "tensor 'b' with data_offsets [4, 12] overlaps tensor 'a' with [0, 8]"
    ),
    (
      #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
        + #""b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, 12,
      "tensor 'b' starts at data byte 8, leaving bytes 4..<8 unused"
    ),
    (
      #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 6,
      "2 bytes of trailing data after the tensors (data ends at byte 4 of 6)"
    ),
  ]

  @Test(arguments: corruptions)
  func corruptHeadersAreRejected(header: String, dataCount: Int, message: String) {
    #expect(throws: CheckpointError(file: "bad.safetensors", message: message)) {
      try SafeTensors(decoding: file(header: header, dataCount: dataCount), file: "bad.safetensors")
    }
  }

  @Test func truncatedFilesAreRejected() {
    #expect(
      throws: CheckpointError(
        file: "t", message: "the file has 3 bytes, too short for the 8-byte header length")
    ) { try SafeTensors(decoding: [1, 2, 3], file: "t") }
    let cut: [UInt8] = [0x90, 0x01, 0, 0, 0, 0, 0, 0] + Array(repeating: 0x20, count: 32)
    let error = CheckpointError(
      file: "t", message: "header length 400 exceeds the 32 bytes after it")
    #expect(throws: error) { try SafeTensors(decoding: cut, file: "t") }
    #expect(error.description == "t: header length 400 exceeds the 32 bytes after it")
  }

  @Test func modelMismatchMessages() {
    let shape = CheckpointError.shapeMismatch(
      file: "ckpt", tensor: "a/policy/dense_0/kernel", expected: [1100, 256], found: [1204, 256])
    #expect(
      shape.description
        == "ckpt: tensor 'a/policy/dense_0/kernel' has shape [1204, 256] in the checkpoint, "
        + "the model expects [1100, 256]")
    let names = ["a/policy/dense_0/kernel", "a/policy/dense_0/bias", "a/value/dense_0/kernel"]
    let typo = CheckpointError.missingTensor(
      file: "ckpt", tensor: "a/policy/dense_0/kernal", available: names)
    #expect(
      typo.message
        == "tensor 'a/policy/dense_0/kernal' is missing from the checkpoint "
        + "(did you mean 'a/policy/dense_0/kernel'?)")
    let far = CheckpointError.missingTensor(
      file: "ckpt", tensor: "p/lstm/weights", available: names)
    #expect(
      far.message
        == "tensor 'p/lstm/weights' is missing from the checkpoint (it holds "
        + "'a/policy/dense_0/kernel', 'a/policy/dense_0/bias', 'a/value/dense_0/kernel')")
    let many = CheckpointError.missingTensor(
      file: "ckpt", tensor: "zzzzzz", available: (1...7).map { "layer\($0)" })
    #expect(many.message.hasSuffix("'layer4', 'layer5', and 2 more)"))
    let none = CheckpointError.missingTensor(file: "ckpt", tensor: "w", available: [])
    #expect(none.message == "tensor 'w' is missing from the checkpoint, which holds no tensors")
  }
}
