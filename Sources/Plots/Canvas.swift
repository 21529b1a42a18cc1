// A drawing surface over Cairo: an opaque RGB image, paths, fills, strokes and text.

import CCairo
import Foundation

/// A rectangle in pixels (y grows downwards).
public struct Rect: Sendable, Equatable {
  /// Left edge.
  public var x: Double
  /// Top edge.
  public var y: Double
  /// Width.
  public var width: Double
  /// Height.
  public var height: Double

  /// Creates a rectangle.
  public init(x: Double, y: Double, width: Double, height: Double) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// Right edge.
  public var maxX: Double { x + width }
  /// Bottom edge.
  public var maxY: Double { y + height }

  /// The rectangle shrunk by the given margins.
  public func inset(left: Double = 0, top: Double = 0, right: Double = 0, bottom: Double = 0) -> Rect {
    Rect(x: x + left, y: y + top, width: max(0, width - left - right), height: max(0, height - top - bottom))
  }

  /// Whether the rectangles overlap.
  public func intersects(_ other: Rect) -> Bool {
    x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
  }
}

/// Horizontal text alignment relative to the anchor point.
public enum HorizontalAlignment: Sendable { case left, center, right }
/// Vertical text alignment relative to the anchor point.
public enum VerticalAlignment: Sendable { case top, middle, baseline, bottom }

/// An image being drawn: Cairo on a white ARGB surface.
///
/// Text uses DejaVu Sans through fontconfig, with hinting off so that glyph positions do not
/// depend on the font's hinting instructions: the same drawing gives the same pixels.
public final class Canvas {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  let surface: OpaquePointer
  let context: OpaquePointer
  private let fontOptions: OpaquePointer

  /// The font family of all text.
  public static let fontFamily = "DejaVu Sans"

  /// A white canvas of `width × height` pixels.
  public init(width: Int, height: Int) {
    self.width = max(1, width)
    self.height = max(1, height)
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(self.width), Int32(self.height))
    context = cairo_create(surface)
    fontOptions = cairo_font_options_create()
    cairo_font_options_set_antialias(fontOptions, CAIRO_ANTIALIAS_GRAY)
    cairo_font_options_set_hint_style(fontOptions, CAIRO_HINT_STYLE_NONE)
    cairo_font_options_set_hint_metrics(fontOptions, CAIRO_HINT_METRICS_OFF)
    cairo_set_font_options(context, fontOptions)
    cairo_set_antialias(context, CAIRO_ANTIALIAS_DEFAULT)
    fill(Rect(x: 0, y: 0, width: Double(self.width), height: Double(self.height)), .white)
  }

  deinit {
    cairo_font_options_destroy(fontOptions)
    cairo_destroy(context)
    cairo_surface_destroy(surface)
  }

  // MARK: - State

  /// Sets the source colour.
  public func setColor(_ c: Color) { cairo_set_source_rgba(context, c.red, c.green, c.blue, c.alpha) }

  /// Runs `body` with drawing clipped to `rect`.
  public func clipped(to rect: Rect, _ body: () -> Void) {
    cairo_save(context)
    cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
    cairo_clip(context)
    body()
    cairo_restore(context)
  }

  // MARK: - Shapes

  /// Fills `rect`.
  public func fill(_ rect: Rect, _ color: Color) {
    setColor(color)
    cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
    cairo_fill(context)
  }

  /// Strokes `rect`'s outline.
  public func stroke(_ rect: Rect, _ color: Color, width: Double = 1) {
    setColor(color)
    cairo_set_line_width(context, width)
    cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
    cairo_stroke(context)
  }

  /// Strokes a polyline through `points`; a NaN coordinate breaks the line.
  public func polyline(
    _ points: [(x: Double, y: Double)], _ color: Color, width: Double = 1.5, dash: [Double] = []
  ) {
    setColor(color)
    cairo_set_line_width(context, width)
    cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
    cairo_set_line_cap(context, CAIRO_LINE_CAP_BUTT)
    dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
    var open = false
    for p in points {
      guard p.x.isFinite && p.y.isFinite else {
        open = false
        continue
      }
      if open { cairo_line_to(context, p.x, p.y) } else { cairo_move_to(context, p.x, p.y) }
      open = true
    }
    cairo_stroke(context)
    cairo_set_dash(context, nil, 0, 0)
  }

  /// A straight line.
  public func line(
    from a: (x: Double, y: Double), to b: (x: Double, y: Double), _ color: Color, width: Double = 1,
    dash: [Double] = []
  ) {
    polyline([a, b], color, width: width, dash: dash)
  }

  /// Draws `marker` centred at `(x, y)` with the given size (diameter), fill and outline.
  public func marker(
    _ marker: Marker, x: Double, y: Double, size: Double, fill: Color, outline: Color? = nil,
    outlineWidth: Double = 1
  ) {
    let r = size / 2
    switch marker {
    case .circle:
      cairo_new_sub_path(context)
      cairo_arc(context, x, y, r, 0, 2 * Double.pi)
    case .square:
      cairo_rectangle(context, x - r, y - r, size, size)
    case .triangle:
      cairo_move_to(context, x, y - r)
      cairo_line_to(context, x + r * 0.866, y + r * 0.5)
      cairo_line_to(context, x - r * 0.866, y + r * 0.5)
      cairo_close_path(context)
    case .star:
      for k in 0..<10 {
        let angle = -Double.pi / 2 + Double(k) * Double.pi / 5
        let radius = k % 2 == 0 ? r : r * 0.45
        let px = x + radius * cos(angle)
        let py = y + radius * sin(angle)
        if k == 0 { cairo_move_to(context, px, py) } else { cairo_line_to(context, px, py) }
      }
      cairo_close_path(context)
    case .diamond:
      cairo_move_to(context, x, y - r)
      cairo_line_to(context, x + r, y)
      cairo_line_to(context, x, y + r)
      cairo_line_to(context, x - r, y)
      cairo_close_path(context)
    }
    setColor(fill)
    if let outline {
      cairo_fill_preserve(context)
      setColor(outline)
      cairo_set_line_width(context, outlineWidth)
      cairo_stroke(context)
    } else {
      cairo_fill(context)
    }
  }

  // MARK: - Text

  /// Sets the font size (pixels) and weight of the next text.
  private func font(size: Double, bold: Bool) {
    cairo_select_font_face(
      context, Canvas.fontFamily, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
    cairo_set_font_size(context, size)
  }

  /// The advance width of `text`.
  public func textWidth(_ text: String, size: Double, bold: Bool = false) -> Double {
    font(size: size, bold: bold)
    var extents = cairo_text_extents_t()
    cairo_text_extents(context, text, &extents)
    return extents.x_advance
  }

  /// Draws `text` anchored at `(x, y)`; `rotated` turns it 90° counter-clockwise (y labels).
  public func text(
    _ text: String, x: Double, y: Double, size: Double = 12, color: Color = .ink, bold: Bool = false,
    align: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline, rotated: Bool = false
  ) {
    guard !text.isEmpty else { return }
    font(size: size, bold: bold)
    var fe = cairo_font_extents_t()
    cairo_font_extents(context, &fe)
    let w = textWidth(text, size: size, bold: bold)
    let dx: Double =
      switch align {
      case .left: 0
      case .center: -w / 2
      case .right: -w
      }
    let dy: Double =
      switch vertical {
      case .baseline: 0
      case .top: fe.ascent
      case .middle: (fe.ascent - fe.descent) / 2
      case .bottom: -fe.descent
      }
    cairo_save(context)
    cairo_translate(context, x, y)
    if rotated { cairo_rotate(context, -Double.pi / 2) }
    setColor(color)
    cairo_move_to(context, dx, dy)
    cairo_show_text(context, text)
    cairo_restore(context)
  }

  // MARK: - Output

  /// The pixels as 8-bit RGBA.
  public func image() -> RGBAImage {
    cairo_surface_flush(surface)
    let stride = Int(cairo_image_surface_get_stride(surface))
    var pixels = [UInt8](repeating: 0, count: width * height * 4)
    guard let data = cairo_image_surface_get_data(surface) else {
      return RGBAImage(width: width, height: height, pixels: pixels)
    }
    for y in 0..<height {
      let row = data + y * stride
      for x in 0..<width {
        // Cairo's ARGB32 is a native-endian 32-bit word with premultiplied alpha.
        let word = UnsafeRawPointer(row + x * 4).loadUnaligned(as: UInt32.self)
        let a = UInt32((word >> 24) & 0xFF)
        var r = (word >> 16) & 0xFF
        var g = (word >> 8) & 0xFF
        var b = word & 0xFF
        if a > 0 && a < 255 {
          r = min(255, (r * 255 + a / 2) / a)
          g = min(255, (g * 255 + a / 2) / a)
          b = min(255, (b * 255 + a / 2) / a)
        }
        let o = (y * width + x) * 4
        pixels[o] = UInt8(r)
        pixels[o + 1] = UInt8(g)
        pixels[o + 2] = UInt8(b)
        pixels[o + 3] = UInt8(a)
      }
    }
    return RGBAImage(width: width, height: height, pixels: pixels)
  }
}

/// Marker shapes.
public enum Marker: Sendable, Equatable {
  /// A disc.
  case circle
  /// A square.
  case square
  /// An upward triangle.
  case triangle
  /// A five-pointed star.
  case star
  /// A diamond.
  case diamond
}
