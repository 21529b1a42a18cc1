// Writing charts: PNGs with provenance (tEXt `Source`, `Software`, `Command`) and text files,
// each written atomically.

import Basics
import Economy
import Foundation

extension ChartFile {
  /// Writes the file into `directory` (created if needed) and returns its path.
  ///
  /// PNGs get tEXt chunks: `Software` ("Economist"), `Source` (the log or run the chart was
  /// made from) and `Command` (the command line that made it).
  ///
  /// - Throws: ``PlotError`` naming the file when it cannot be encoded or written.
  @discardableResult
  public func write(to directory: String, source: String, command: String) throws(PlotError) -> String {
    let path = (directory as NSString).appendingPathComponent(name)
    do {
      try Directory.create(directory)
    } catch {
      throw PlotError(error.description)
    }
    let bytes: [UInt8]
    if let image {
      do {
        bytes = try image.pngData(
          text: [("Software", "Economist"), ("Source", source), ("Command", command)], compression: 6)
      } catch {
        throw PlotError("\(path): \(error.message)")
      }
    } else {
      bytes = Array((text ?? "").utf8)
    }
    do {
      try AtomicFile.write(bytes, to: path, createDirectories: true)
    } catch {
      throw PlotError("\(path): cannot write: \(error.message)")
    }
    return path
  }
}
