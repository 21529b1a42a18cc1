import Testing

@testable import Basics

@Suite struct CSVTests {
  private func fields(_ text: String) -> [[String]] {
    CSV.records(Array(text.utf8)).map(\.fields)
  }

  @Test func readsQuotedFieldsAndBothLineEndings() {
    #expect(fields("a,b\r\n1,\"x, \"\"y\"\"\"\n") == [["a", "b"], ["1", "x, \"y\""]])
    #expect(fields("\"two\nlines\",z\n") == [["two\nlines", "z"]])
    #expect(fields("a\n\nb\n") == [["a"], [""], ["b"]])
    #expect(fields("") == [])
  }

  @Test func keepsAnUnterminatedLastRecordAndMarksIt() {
    let bytes = Array("h,i\n1,2\n3,".utf8)
    let records = CSV.records(bytes)
    #expect(records.map(\.fields) == [["h", "i"], ["1", "2"], ["3", ""]])
    #expect(records.map(\.isTerminated) == [true, true, false])
    #expect(records.map(\.end) == [4, 8, 10])
    #expect(CSV.records(Array("x\r".utf8)).map(\.fields) == [["x"]])
  }

  @Test func quotesOnlyWhatNeedsQuoting() {
    #expect(CSV.field("plain") == "plain")
    #expect(CSV.field("a,b") == "\"a,b\"")
    #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSV.field("two\nlines") == "\"two\nlines\"")
    let row = ["a,b", "c\"d", "e"].map(CSV.field).joined(separator: ",") + "\n"
    #expect(fields(row) == [["a,b", "c\"d", "e"]])
  }
}
