// Colours: an RGBA value type and the palettes every chart shares.

/// An sRGB colour with alpha, components in 0...1.
public struct Color: Sendable, Equatable, Hashable {
  /// Red.
  public var red: Double
  /// Green.
  public var green: Double
  /// Blue.
  public var blue: Double
  /// Opacity.
  public var alpha: Double

  /// Creates a colour from components in 0...1.
  public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
    self.red = red
    self.green = green
    self.blue = blue
    self.alpha = alpha
  }

  /// Creates an opaque colour from a 24-bit `0xRRGGBB` value.
  public init(hex: UInt32, alpha: Double = 1) {
    red = Double((hex >> 16) & 0xFF) / 255
    green = Double((hex >> 8) & 0xFF) / 255
    blue = Double(hex & 0xFF) / 255
    self.alpha = alpha
  }

  /// The same colour with another opacity.
  public func opacity(_ alpha: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: alpha) }

  /// This colour mixed with `other`: `t` = 0 gives self, 1 gives `other`.
  public func mixed(with other: Color, _ t: Double) -> Color {
    Color(
      red: red + (other.red - red) * t, green: green + (other.green - green) * t,
      blue: blue + (other.blue - blue) * t, alpha: alpha + (other.alpha - alpha) * t)
  }

  /// Opaque white.
  public static let white = Color(hex: 0xFFFFFF)
  /// Opaque black.
  public static let black = Color(hex: 0x000000)
  /// The colour of text, axes and tick marks.
  public static let ink = Color(hex: 0x222222)
  /// Secondary text (tick labels).
  public static let mutedInk = Color(hex: 0x555555)
  /// Grid lines.
  public static let gridLine = Color(hex: 0xE3E3E3)
}

/// The palettes: agents, resources and map features look the same in every chart.
public enum Palette {
  /// Okabe and Ito's colour-blind-safe palette (black replaced by grey, yellow moved last,
  /// where it is hardest to read on white); agent `i` gets entry `i mod 8`.
  public static let agents: [Color] = [
    Color(hex: 0x0072B2), Color(hex: 0xE69F00), Color(hex: 0x009E73), Color(hex: 0xCC79A7),
    Color(hex: 0x56B4E9), Color(hex: 0xD55E00), Color(hex: 0x7F7F7F), Color(hex: 0xC9B200),
  ]

  /// Agent `index`'s colour.
  public static func agent(_ index: Int) -> Color { agents[((index % agents.count) + agents.count) % agents.count] }

  /// Wood (trees): green.
  public static let wood = Color(hex: 0x2E8B57)
  /// Stone: slate grey.
  public static let stone = Color(hex: 0x6B7B8C)
  /// Water.
  public static let water = Color(hex: 0x7FB8E6)
  /// Coin: gold.
  public static let coin = Color(hex: 0xC9A227)
  /// An empty tile.
  public static let ground = Color(hex: 0xF4F1EA)
  /// Sequential colours for `count` ordered items (tax brackets), light to dark blue.
  public static func sequential(_ index: Int, of count: Int) -> Color {
    let light = Color(hex: 0x9ECAE1)
    let dark = Color(hex: 0x08306B)
    return light.mixed(with: dark, count > 1 ? Double(index) / Double(count - 1) : 1)
  }
}
