import Testing

@testable import Basics

@Suite struct FixedBufferTests {
  @Test func startsZeroedAndKeepsItsAddress() {
    let buffer = FixedBuffer<Float>(count: 5)
    let address = buffer.pointer
    #expect(buffer.array == [0, 0, 0, 0, 0])
    buffer.assign([1, 2, 3, 4, 5])
    buffer[2] = 9
    #expect(buffer.array == [1, 2, 9, 4, 5])
    #expect(buffer.buffer.reduce(0, +) == 21)
    buffer.zero()
    #expect(buffer.array == [0, 0, 0, 0, 0])
    #expect(buffer.pointer == address)
  }

  @Test func holdsAnyBitwiseCopyableValue() {
    let flags = FixedBuffer<UInt8>(count: 3, repeating: 7)
    #expect(flags.array == [7, 7, 7])
    flags.fill(with: 1)
    #expect(flags.array == [1, 1, 1])
    let empty = FixedBuffer<Int32>(count: 0)
    #expect(empty.array == [])
    #expect(empty.buffer.isEmpty)
  }
}
