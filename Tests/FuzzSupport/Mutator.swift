// Seeded mutation of valid inputs into hostile ones, for the readers' fuzz tests.

import Basics
import Testing

/// Turns a valid file into a damaged or hostile one, reproducibly.
///
/// Each ``mutate(_:)`` applies one to four edits: a flipped byte, a deleted or duplicated range,
/// a truncation, or a token that readers must survive (huge, negative, non-finite or
/// wrong-typed numbers, empty containers, separators) inserted or put in place of a number.
/// The fuzz tests feed thousands of these to each reader: any trap ends the test process, which
/// is the failure they exist to catch; every input must give a value or a located error.
public struct Mutator {
  private var rng: Xoshiro256

  /// Tokens that readers must handle wherever they appear.
  public static let tokens = [
    "-1", "0", "1e308", "-1e308", "NaN", "Infinity", "-Infinity", ".nan", ".inf", "-.inf", "9223372036854775807",
    "-9223372036854775808", "18446744073709551616", "4294967296", "2147483648", "1e-320", "\"\"", "[]", "{}", "null",
    "true", "[[]]", "\"x\"", ":", ",", "\n", ";", " ", "\u{FEFF}", "-", "@", "W", "S", "1.5", "00", "+1", "0x10",
  ]

  /// A mutator whose edits follow from `seed`.
  public init(seed: UInt64) { rng = Xoshiro256(seed: seed) }

  private mutating func below(_ n: Int) -> Int { n > 0 ? Int(rng.next() % UInt64(n)) : 0 }

  /// `bytes` with one to four random edits.
  public mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
    var out = bytes
    for _ in 0...below(4) {
      let i = below(out.count + 1)
      switch below(7) {
      case 0 where !out.isEmpty:
        out[min(i, out.count - 1)] ^= UInt8(truncatingIfNeeded: 1 << below(8))
      case 1:
        let end = min(out.count, i + 1 + below(16))
        out.removeSubrange(i..<end)
      case 2:
        let end = min(out.count, i + 1 + below(64))
        out.insert(contentsOf: out[i..<end], at: i)
      case 3:
        out.removeSubrange(i...)
      case 4, 5:
        // Replace the number at or after `i` with a token.
        let token = Array(Self.tokens[below(Self.tokens.count)].utf8)
        guard let start = out[i...].firstIndex(where: { (0x30...0x39).contains($0) }) else {
          out.insert(contentsOf: token, at: i)
          continue
        }
        var end = start
        while end < out.count, (0x30...0x39).contains(out[end]) || out[end] == 0x2E || out[end] == 0x65 { end += 1 }
        out.replaceSubrange(start..<end, with: token)
      default:
        out.insert(contentsOf: Array(Self.tokens[below(Self.tokens.count)].utf8), at: i)
      }
    }
    return out
  }

  /// `text` with one to four random edits, decoded back leniently.
  public mutating func mutate(_ text: String) -> String {
    String(decoding: mutate(Array(text.utf8)), as: UTF8.self)
  }

  /// Feeds `base` and then `count` mutations of it (seeded by `seed`) to `read`, which returns
  /// whether it accepted its input.
  ///
  /// - Returns: Whether the unmutated input was accepted (a fuzz test's input must be valid),
  ///   and how many mutations were accepted and rejected.
  public static func run(
    _ base: [UInt8], count: Int, seed: UInt64, _ read: ([UInt8]) -> Bool
  ) -> (baseAccepted: Bool, accepted: Int, rejected: Int) {
    let baseAccepted = read(base)
    var mutator = Mutator(seed: seed)
    var accepted = 0
    for _ in 0..<count where read(mutator.mutate(base)) { accepted += 1 }
    return (baseAccepted, accepted, count - accepted)
  }

  /// ``run(_:count:seed:_:)`` inside a test: records an issue when the unmutated input is
  /// refused (a fuzz test's base must be valid) and returns the accepted and rejected counts.
  @discardableResult
  public static func fuzz(
    _ base: [UInt8], count: Int, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation,
    _ read: ([UInt8]) -> Bool
  ) -> (accepted: Int, rejected: Int) {
    let result = run(base, count: count, seed: seed, read)
    #expect(result.baseAccepted, "the unmutated input must be accepted", sourceLocation: sourceLocation)
    return (result.accepted, result.rejected)
  }
}
