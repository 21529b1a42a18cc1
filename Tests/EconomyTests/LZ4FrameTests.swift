import Basics
import Foundation
import Testing

@testable import Economy

private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
  var rng = Xoshiro256(seed: seed)
  return (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// Text-like bytes: a few words drawn at random, so they compress well.
private func compressibleBytes(_ count: Int, seed: UInt64) -> [UInt8] {
  var rng = Xoshiro256(seed: seed)
  let words = ["0.0, ", "1.0, ", "\"Wood\": ", "\"Stone\": ", "[", "], ", "13.267112338979295, "]
  var bytes: [UInt8] = []
  while bytes.count < count {
    bytes.append(contentsOf: words[Int.random(in: 0..<words.count, using: &rng)].utf8)
  }
  return Array(bytes.prefix(count))
}

private func expectFailure(
  _ data: [UInt8], _ expected: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
  do {
    let output = try LZ4Frame.decompress(data)
    Issue.record("expected an error, got \(output.count) bytes", sourceLocation: sourceLocation)
  } catch {
    if let expected {
      #expect(error.description == expected, sourceLocation: sourceLocation)
    }
  }
}

@Suite struct LZ4FrameTests {
  @Test(arguments: [0, 1, 100, 65_535, 65_536, 65_537, 1_000_000])
  func roundTripsRandomBytes(count: Int) throws {
    let data = randomBytes(count, seed: UInt64(count))
    let frame = try LZ4Frame.compress(data)
    #expect(try LZ4Frame.decompress(frame) == data)
  }

  @Test(arguments: [-1, 0, 1, 9, 12, 16])
  func roundTripsCompressibleBytesAtEveryLevel(level: Int) throws {
    let data = compressibleBytes(300_000, seed: 7)
    let frame = try LZ4Frame.compress(data, level: level)
    #expect(frame.count < data.count / 3)
    #expect(try LZ4Frame.decompress(frame) == data)
  }

  @Test func framesStartWithMagicBytes() throws {
    for data in [[], Array("{\"a\": 1}".utf8)] {
      let frame = try LZ4Frame.compress(data)
      #expect(Array(frame.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])
    }
    #expect(LZ4Frame.magic == 0x184D_2204)
  }

  @Test func decompressesConcatenatedFrames() throws {
    let first = compressibleBytes(100_000, seed: 1)
    let second = randomBytes(1_000, seed: 2)
    let empty = try LZ4Frame.compress([])
    let joined = try LZ4Frame.compress(first) + empty + LZ4Frame.compress(second)
    #expect(try LZ4Frame.decompress(joined) == first + second)
  }

  @Test func skipsSkippableFrames() throws {
    let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9]
    let data = Array("payload".utf8)
    #expect(try LZ4Frame.decompress(skippable + LZ4Frame.compress(data)) == data)
  }

  @Test func rejectsInputThatIsNotAFrame() throws {
    expectFailure(Array("hello, world".utf8), "not an LZ4 frame (magic 0x6C6C6568) at byte 0")
    let frame = try LZ4Frame.compress(Array("abc".utf8))
    expectFailure(
      frame + [1, 2, 3, 4, 5], "not an LZ4 frame (magic 0x04030201) at byte \(frame.count)")
  }

  @Test func rejectsEveryTruncation() throws {
    let frame = try LZ4Frame.compress(compressibleBytes(70_000, seed: 3))
    expectFailure([], "truncated LZ4 frame: input ends at byte 0")
    expectFailure(Array(frame.prefix(2)), "truncated LZ4 frame: input ends at byte 2")
    for length in 1..<frame.count {
      expectFailure(Array(frame.prefix(length)))
    }
    let last = frame.count - 1
    expectFailure(Array(frame.prefix(last)), "truncated LZ4 frame: input ends at byte \(last)")
  }

  @Test func rejectsCorruption() throws {
    let data = compressibleBytes(50_000, seed: 4)
    let frame = try LZ4Frame.compress(data)
    var checksum = frame
    checksum[checksum.count - 1] ^= 0xFF
    expectFailure(
      checksum, "LZ4F_decompress failed at byte \(frame.count - 4): ERROR_contentChecksum_invalid")
    var header = frame
    header[4] ^= 0x40  // the frame descriptor's version bits
    expectFailure(header)
    var rng = Xoshiro256(seed: 5)
    for _ in 0..<300 {
      var corrupt = frame
      let index = Int.random(in: 4..<corrupt.count, using: &rng)
      corrupt[index] ^= UInt8.random(in: 1...255, using: &rng)
      expectFailure(corrupt)
    }
  }

  @Test func anUppercaseSuffixIsStillAnLZ4File() throws {
    let path = NSTemporaryDirectory() + "economist-\(UUID().uuidString).LZ4"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try DenseLog.write(bytes: Array(#"{"a": 1}"#.utf8), path: path)
    let bytes = try #require(FileManager.default.contents(atPath: path))
    #expect(Array(bytes.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])
  }

  @Test func contentsBeyondTheLimitStopDecompression() throws {
    // 64 MiB of zeros compress to a few hundred KiB: a small file, large contents.
    let bomb = try LZ4Frame.compress([UInt8](repeating: 0, count: 64 << 20), level: 1)
    #expect(bomb.count < 1 << 20)
    do {
      _ = try LZ4Frame.decompress(bomb, limit: 8 << 20)
      Issue.record("expected the limit to stop decompression")
    } catch {
      guard case .tooLarge(let limit) = error.kind else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(limit == 8 << 20)
      #expect(error.description.hasPrefix("the contents exceed 8 MiB at byte "))
    }
    #expect(try LZ4Frame.decompress(bomb, limit: 64 << 20).count == 64 << 20)
    #expect(LZ4Frame.defaultLimit == 1 << 30)
  }

  @Test func errorDescriptions() {
    #expect(
      LZ4FrameError(kind: .truncated, offset: 17).description
        == "truncated LZ4 frame: input ends at byte 17")
    let library = LZ4FrameError(
      kind: .library(function: "LZ4F_decompress", errorName: "ERROR_contentChecksum_invalid"),
      offset: 11)
    #expect(
      library.description == "LZ4F_decompress failed at byte 11: ERROR_contentChecksum_invalid")
  }

  /// The fixture was written by Python's `lz4.frame.open(path, 'wb', compression_level=16)`
  /// around `json.dumps(doc, ensure_ascii=False)`, as Foundation writes dense logs.
  @Test func readsPythonFrameAndRewritesItsJSONByteForByte() throws {
    let url = try #require(
      Bundle.module.url(
        forResource: "python_lz4_frame", withExtension: "lz4", subdirectory: "Fixtures"))
    let frame = try [UInt8](Data(contentsOf: url))
    let json = try LZ4Frame.decompress(frame)
    #expect(json.count == 76_887)
    let value = try JSONParser.parse(json)
    #expect(value["text"] == "Ünïcødé 🙂 \"quoted\" \\ tab\t")
    #expect(value["metrics"]?["nan_metric"]?.doubleValue?.isNaN == true)
    #expect(value["metrics"]?["ninf"] == .double(-.infinity))
    #expect(value["ints"] == [0, -1, .int(.max), .int(.min)])
    #expect(value["states"]?[0]?["0"]?["inventory"] == ["Coin": 10.0, "Stone": 0, "Wood": 0])
    #expect(value["world"]?.arrayValue?.count == 12)
    #expect(JSONWriter.serialize(value) == json)
  }
}
