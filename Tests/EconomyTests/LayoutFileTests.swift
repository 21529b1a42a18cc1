import Testing

@testable import Economy

/// Layout text: every `;`-separated segment is a row, blank rows included.
@Suite("Layout files")
struct LayoutFileTests {
  @Test func blankRowsAreRowsOfEmptyTiles() throws {
    // Two blank bottom rows: still a 4×3 map, not a 2×3 one.
    let map = try LayoutFile(text: "W S;  @;   ;   ;\n", origin: "m.txt")
    #expect(map.height == 4 && map.width == 3)
    #expect(map.woodSource == [1, 0, 0] + [0, 0, 0] + [0, 0, 0] + [0, 0, 0])
    #expect(map.water == [0, 0, 0] + [0, 0, 1] + [0, 0, 0] + [0, 0, 0])
    // Without the final ';' and with Windows line ends, the same map.
    #expect(try LayoutFile(text: "W S;  @;   ;   \r\n", origin: "m.txt") == map)
    // A map of empty tiles only is a map.
    let blank = try LayoutFile(text: "    ;    ;", origin: "b.txt")
    #expect(blank.height == 2 && blank.width == 4 && blank.water.allSatisfy { $0 == 0 })
  }

  @Test func whatIsNotARowIsAnError() {
    #expect(throws: LayoutError(origin: "e.txt", message: "the layout is empty: expected rows separated by ';'")) {
      try LayoutFile(text: ";\n", origin: "e.txt")
    }
    // Spaces after the last ';' are a row: the message says so.
    #expect(
      throws: LayoutError(
        origin: "t.txt",
        message:
          "row 3 has 2 columns, expected 3 like row 1 (rows must all have the same length); spaces after the last ';' form a row of empty tiles"
      )
    ) { try LayoutFile(text: "W S;   ;  ", origin: "t.txt") }
  }

  @Test func everyShippedLayoutKeepsItsSize() throws {
    // The sizes in the file names are what the files hold (but Foundation's "8x8" is 9×9).
    for name in LayoutFile.bundledNames {
      let map = try LayoutFile.load(name, configDirectory: nil)
      let named = name.firstMatch(of: /(\d+)x(\d+)/).map { (Int($0.1)!, Int($0.2)!) } ?? (0, 0)
      let size = name == "quadrant_8x8_4each_8clump.txt" ? (9, 9) : named
      #expect(map.height == size.0 && map.width == size.1, "\(name): \(map.height)×\(map.width)")
    }
  }
}
