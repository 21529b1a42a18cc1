// PNG files: encoding 8-bit RGBA with libpng (tEXt chunks for provenance), decoding with
// libpng's simplified API, and reading tEXt chunks.

import CPNG

/// Errors of encoding or decoding a PNG.
public struct PNGError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong.
  public var message: String
  /// Creates an error.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

/// An 8-bit RGBA image (not premultiplied), row-major.
public struct RGBAImage: Sendable, Equatable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// `width × height × 4` bytes: red, green, blue, alpha.
  public var pixels: [UInt8]

  /// Creates an image from its pixels.
  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(pixels.count == width * height * 4, "RGBA pixels must be width × height × 4 bytes")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// Encodes the image as a PNG with `text` as tEXt chunks.
  ///
  /// - Parameters:
  ///   - text: key and value pairs; keys are 1 to 79 ASCII characters, values Latin-1 (other
  ///     characters become `?`).
  ///   - compression: zlib level, 0 to 9.
  /// - Returns: The PNG file's bytes.
  /// - Throws: ``PNGError`` for an invalid key or when libpng fails.
  public func pngData(text: [(key: String, value: String)] = [], compression: Int = 6) throws(PNGError) -> [UInt8] {
    for (key, _) in text where key.isEmpty || key.utf8.count > 79 || key.contains(where: { !$0.isASCII }) {
      throw PNGError("PNG text key '\(key)' must be 1 to 79 ASCII characters")
    }
    var buffer = economist_png_buffer(data: nil, size: 0, capacity: 0)
    defer { free(buffer.data) }
    let keys = text.map { latin1CString($0.key) }
    let values = text.map { latin1CString($0.value) }
    defer {
      for p in keys + values { p.deallocate() }
    }
    let status = pixels.withUnsafeBufferPointer { rgba in
      keys.map { UnsafePointer($0) }.withUnsafeBufferPointer { k in
        values.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in
          economist_png_encode(
            rgba.baseAddress, Int32(width), Int32(height), Int32(max(0, min(9, compression))), k.baseAddress,
            v.baseAddress, Int32(text.count), &buffer)
        }
      }
    }
    guard status == 0, let data = buffer.data else { throw PNGError("libpng could not encode the image (\(status))") }
    return Array(UnsafeBufferPointer(start: data, count: buffer.size))
  }

  /// Decodes a PNG file's bytes to 8-bit RGBA.
  ///
  /// - Throws: ``PNGError`` with libpng's message for bytes that are not a valid PNG.
  public init(pngData bytes: [UInt8]) throws(PNGError) {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    let begun = bytes.withUnsafeBytes { raw in
      png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
    }
    guard begun != 0 else {
      let message = PNGImageMessage(image)
      png_image_free(&image)
      throw PNGError("not a PNG image: \(message)")
    }
    image.format = economist_png_format_rgba
    let width = Int(image.width)
    let height = Int(image.height)
    var pixels = [UInt8](repeating: 0, count: width * height * 4)
    let finished = pixels.withUnsafeMutableBytes { out in
      png_image_finish_read(&image, nil, out.baseAddress, Int32(width * 4), nil)
    }
    guard finished != 0 else {
      let message = PNGImageMessage(image)
      png_image_free(&image)
      throw PNGError("the PNG image is damaged: \(message)")
    }
    self.init(width: width, height: height, pixels: pixels)
  }

  /// The tEXt chunks of a PNG file's bytes, in file order.
  ///
  /// - Throws: ``PNGError`` when the bytes are not a PNG or a chunk runs past the end.
  public static func textChunks(pngData bytes: [UInt8]) throws(PNGError) -> [(key: String, value: String)] {
    let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
    guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw PNGError("not a PNG file") }
    var out: [(key: String, value: String)] = []
    var i = 8
    while i + 8 <= bytes.count {
      let length = bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) }
      let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
      guard i + 12 + length <= bytes.count else { throw PNGError("PNG chunk '\(type)' runs past the end of the file") }
      if type == "tEXt" {
        let data = bytes[(i + 8)..<(i + 8 + length)]
        if let zero = data.firstIndex(of: 0) {
          // tEXt is Latin-1; decode byte by byte.
          let key = String(data[data.startIndex..<zero].map { Character(Unicode.Scalar($0)) })
          let value = String(data[(zero + 1)...].map { Character(Unicode.Scalar($0)) })
          out.append((key, value))
        }
      }
      if type == "IEND" { break }
      i += 12 + length
    }
    return out
  }
}

/// A NUL-terminated Latin-1 copy of `text` (tEXt's encoding): characters outside Latin-1
/// become `?`.
private func latin1CString(_ text: String) -> UnsafeMutablePointer<CChar> {
  let bytes = text.unicodeScalars.map { $0.value < 256 && $0.value != 0 ? CChar(bitPattern: UInt8($0.value)) : 63 }
  let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
  p.initialize(from: bytes, count: bytes.count)
  p[bytes.count] = 0
  return p
}

/// libpng's message of a simplified-API failure.
private func PNGImageMessage(_ image: png_image) -> String {
  withUnsafeBytes(of: image.message) { raw in
    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
  }
}
