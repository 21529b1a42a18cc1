// How a policy network reads an observation row: the spatial maps and the non-spatial rest.

import EnvContract
import NN

/// The parts of one observation row that a network reads, found from the batch fields.
///
/// A rank-3 float field (`world-map`, `[C, H, W]`) is the map; a rank-3 integer field
/// (`world-idx_map`) holds index codes that are embedded; every other field is non-spatial
/// (concatenated in field order). The action mask is not part of the row.
public struct ObservationParts: Sendable, Equatable {
  /// Floats per observation row.
  public let rowSize: Int
  /// The map: offset, channels, height, width.
  public let map: (offset: Int, channels: Int)?
  /// The index maps: offset and channels.
  public let indices: (offset: Int, channels: Int)?
  /// Map height (0 without maps).
  public let height: Int
  /// Map width (0 without maps).
  public let width: Int
  /// Non-spatial ranges of the row, in order.
  public let flat: [Range<Int>]

  /// Sorts `fields` into maps and non-spatial ranges.
  public init(fields: [PolicyBatchSpec.Field]) {
    rowSize = fields.last.map { $0.offset + $0.count } ?? 0
    var map: (Int, Int)?
    var indices: (Int, Int)?
    var size: (Int, Int)?
    var flat: [Range<Int>] = []
    for f in fields {
      let isInteger = f.dtype == .int16 || f.dtype == .int64
      if f.shape.count == 3, size.map({ $0 == (f.shape[1], f.shape[2]) }) ?? true {
        if isInteger, indices == nil {
          indices = (f.offset, f.shape[0])
          size = (f.shape[1], f.shape[2])
          continue
        }
        if !isInteger, map == nil {
          map = (f.offset, f.shape[0])
          size = (f.shape[1], f.shape[2])
          continue
        }
      }
      if let last = flat.last, last.upperBound == f.offset {
        flat[flat.count - 1] = last.lowerBound..<(f.offset + f.count)
      } else {
        flat.append(f.offset..<(f.offset + f.count))
      }
    }
    self.map = map
    self.indices = indices
    height = size?.0 ?? 0
    width = size?.1 ?? 0
    self.flat = flat
  }

  /// Non-spatial floats per row.
  public var flatCount: Int { flat.reduce(0) { $0 + $1.count } }

  /// Whether there are maps for a convolutional branch.
  public var hasMaps: Bool { map != nil || indices != nil }

  /// Whether two layouts read the same parts.
  public static func == (a: ObservationParts, b: ObservationParts) -> Bool {
    a.rowSize == b.rowSize && a.map?.offset == b.map?.offset && a.map?.channels == b.map?.channels
      && a.indices?.offset == b.indices?.offset && a.indices?.channels == b.indices?.channels
      && a.height == b.height && a.width == b.width && a.flat == b.flat
  }
}
