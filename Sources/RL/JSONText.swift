// JSON text for the run directory's files: quoting, and a small strict parser (duplicate keys
// are errors, key order is kept) used by the result log and the safetensors reader.

/// `text` as a JSON string literal: quotes, backslashes and control characters escaped,
/// everything else as is.
func jsonQuoted(_ text: String) -> String {
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\n": result += "\\n"
    case "\r": result += "\\r"
    case "\t": result += "\\t"
    case "\u{8}": result += "\\b"
    case "\u{c}": result += "\\f"
    case "\u{0}"..."\u{1f}":
      let hex = String(scalar.value, radix: 16)
      result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}

/// A parsed JSON value: object keys in document order, numbers as their text.
enum ParsedJSON {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number's text, as written.
  case number(String)
  /// A string.
  case string(String)
  /// An array.
  case array([ParsedJSON])
  /// An object; keys are unique.
  case object([(key: String, value: ParsedJSON)])

  /// Parses one JSON value surrounded by optional whitespace (RFC 8259; duplicate object keys
  /// and nesting deeper than 64 levels are rejected).
  static func parse(_ bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> ParsedJSON {
    var parser = JSONParser(bytes: bytes, index: bytes.startIndex)
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.index == bytes.endIndex else {
      throw parser.error("unexpected text after the value")
    }
    return value
  }

  /// The value as an array of non-negative integers, if it is one.
  var naturals: [Int]? {
    guard case .array(let elements) = self else { return nil }
    var result: [Int] = []
    for element in elements {
      guard case .number(let text) = element, let number = Int(text), number >= 0 else {
        return nil
      }
      result.append(number)
    }
    return result
  }
}

/// Malformed JSON: what was expected and where.
struct JSONSyntaxError: Error, CustomStringConvertible {
  /// What is wrong.
  var message: String
  /// The byte offset from the start of the parsed text.
  var offset: Int
  /// The message and the offset.
  var description: String { "\(message) at byte \(offset)" }
}

/// A recursive-descent JSON parser over UTF-8 bytes.
private struct JSONParser {
  let bytes: ArraySlice<UInt8>
  var index: Int

  func error(_ message: String) -> JSONSyntaxError {
    JSONSyntaxError(message: message, offset: index - bytes.startIndex)
  }

  mutating func skipWhitespace() {
    while let byte = current, byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 {
      index += 1
    }
  }

  private var current: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

  private mutating func consume(_ byte: UInt8) -> Bool {
    guard current == byte else { return false }
    index += 1
    return true
  }

  mutating func value(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    skipWhitespace()
    guard let byte = current else { throw error("unexpected end of text") }
    switch byte {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      guard depth < 64 else { throw error("nesting deeper than 64 levels") }
      return byte == UInt8(ascii: "{") ? try object(depth: depth) : try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    case 0x21..<0x7f: throw error("unexpected character '\(Unicode.Scalar(byte))'")
    default: throw error("unexpected byte 0x\(String(byte, radix: 16))")
    }
  }

  private mutating func object(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    index += 1
    var pairs: [(key: String, value: ParsedJSON)] = []
    skipWhitespace()
    if consume(UInt8(ascii: "}")) { return .object(pairs) }
    repeat {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let keyStart = index
      let key = try string()
      guard !pairs.contains(where: { $0.key == key }) else {
        index = keyStart
        throw error("duplicate key '\(key)'")
      }
      skipWhitespace()
      guard consume(UInt8(ascii: ":")) else { throw error("expected ':'") }
      pairs.append((key, try value(depth: depth + 1)))
      skipWhitespace()
    } while consume(UInt8(ascii: ","))
    guard consume(UInt8(ascii: "}")) else { throw error("expected ',' or '}'") }
    return .object(pairs)
  }

  private mutating func array(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    index += 1
    var elements: [ParsedJSON] = []
    skipWhitespace()
    if consume(UInt8(ascii: "]")) { return .array(elements) }
    repeat {
      elements.append(try value(depth: depth + 1))
      skipWhitespace()
    } while consume(UInt8(ascii: ","))
    guard consume(UInt8(ascii: "]")) else { throw error("expected ',' or ']'") }
    return .array(elements)
  }

  private mutating func literal(_ word: String, _ value: ParsedJSON) throws(JSONSyntaxError)
    -> ParsedJSON
  {
    for byte in word.utf8 {
      guard consume(byte) else { throw error("invalid literal, expected '\(word)'") }
    }
    return value
  }

  private mutating func number() throws(JSONSyntaxError) -> String {
    let start = index
    _ = consume(UInt8(ascii: "-"))
    func digits(_ parser: inout JSONParser) -> Int {
      let first = parser.index
      while let byte = parser.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
        parser.index += 1
      }
      return parser.index - first
    }
    let integerStart = index
    let integerDigits = digits(&self)
    guard integerDigits > 0 else { throw error("expected a digit") }
    guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
      throw error("leading zero in a number")
    }
    if consume(UInt8(ascii: ".")) {
      guard digits(&self) > 0 else { throw error("expected a digit after '.'") }
    }
    if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
      _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
      guard digits(&self) > 0 else { throw error("expected a digit in the exponent") }
    }
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }

  private mutating func string() throws(JSONSyntaxError) -> String {
    index += 1
    var utf8: [UInt8] = []
    while true {
      guard let byte = current else { throw error("unterminated string") }
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        guard let text = String(validating: utf8, as: UTF8.self) else {
          throw error("invalid UTF-8 in a string")
        }
        return text
      case UInt8(ascii: "\\"): utf8 += try escape()
      case 0..<0x20:
        index -= 1
        throw error("unescaped control character in a string")
      default: utf8.append(byte)
      }
    }
  }

  /// Decodes the escape after a backslash to UTF-8.
  private mutating func escape() throws(JSONSyntaxError) -> [UInt8] {
    guard let byte = current else { throw error("unterminated string") }
    index += 1
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [byte]
    case UInt8(ascii: "b"): return [0x08]
    case UInt8(ascii: "f"): return [0x0c]
    case UInt8(ascii: "n"): return [0x0a]
    case UInt8(ascii: "r"): return [0x0d]
    case UInt8(ascii: "t"): return [0x09]
    case UInt8(ascii: "u"):
      var code = try hex4()
      if (0xd800..<0xdc00).contains(code) {
        guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else {
          throw error("unpaired surrogate")
        }
        let low = try hex4()
        guard (0xdc00..<0xe000).contains(low) else { throw error("unpaired surrogate") }
        code = 0x10000 + (code - 0xd800) << 10 + (low - 0xdc00)
      }
      guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate") }
      return Array(String(Character(scalar)).utf8)
    default:
      index -= 1
      throw error("invalid escape")
    }
  }

  private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    var code: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = current, let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
        throw error("expected four hex digits")
      }
      code = code << 4 | UInt32(digit)
      index += 1
    }
    return code
  }
}
