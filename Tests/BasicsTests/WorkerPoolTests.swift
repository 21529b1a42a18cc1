import Testing

@testable import Basics

@Suite("Worker pool")
struct WorkerPoolTests {
  @Test(arguments: [1, 2, 3])
  func runsEveryIndexOnceAndWaits(threads: Int) {
    let pool = WorkerPool(threads: threads)
    var hits = [Int](repeating: 0, count: threads)
    for round in 1...500 {
      hits.withUnsafeMutableBufferPointer { h in
        pool.run { i in h[i] += 1 }
      }
      // Every index ran exactly once per round, and run() returned after all of them.
      #expect(hits.allSatisfy { $0 == round })
      if hits.contains(where: { $0 != round }) { break }
    }
  }

  @Test func chunksCoverTheRangeContiguously() {
    for count in [0, 1, 5, 32, 33] {
      for parts in 1...4 {
        let chunks = (0..<parts).map { WorkerPool.chunk($0, of: parts, count: count) }
        #expect(chunks.flatMap { Array($0) } == Array(0..<count))
        #expect((chunks.map(\.count).max() ?? 0) - (chunks.map(\.count).min() ?? 0) <= 1)
      }
    }
  }
}
