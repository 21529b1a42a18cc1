// Adam's split step: norm by blocks, clipping, bias-corrected update, ranges in parallel.

import Basics
import Testing

@testable import NN

@Suite("Adam")
struct AdamTests {
  /// Runs one step over `grads` with the update split at `split`; returns params and the norm.
  func step(_ adam: Adam, params: [Float], grads: [Float], lr: Double, clip: Double?, split: Int) -> ([Float], Double) {
    let p = FloatBuffer(count: params.count)
    p.assign(params)
    let g = FloatBuffer(count: grads.count)
    g.assign(grads)
    let blocks = (grads.count + Adam.normBlock - 1) / Adam.normBlock
    let squares = UnsafeMutablePointer<Double>.allocate(capacity: blocks)
    defer { squares.deallocate() }
    Adam.blockSquares(g.pointer, count: grads.count, blocks: 0..<blocks, into: squares)
    let norm = (0..<blocks).reduce(0) { $0 + squares[$1] }.squareRoot()
    let c = adam.beginStep(norm: norm, lr: lr, clipNorm: clip)
    adam.update(params: p.pointer, grads: g.pointer, range: 0..<split, c)
    adam.update(params: p.pointer, grads: g.pointer, range: split..<grads.count, c)
    return (p.array, norm)
  }

  @Test func firstStepMovesEachParameterByTheLearningRateAgainstItsGradientSign() {
    let n = 2500  // three norm blocks, the last one partial
    let grads = (0..<n).map { Float($0 % 7) - 3 }
    let params = [Float](repeating: 1, count: n)
    let (p, norm) = step(Adam(count: n), params: params, grads: grads, lr: 0.01, clip: nil, split: 1234)
    #expect(abs(norm - grads.reduce(0) { $0 + Double($1 * $1) }.squareRoot()) < 1e-9)
    for i in 0..<n {
      // Bias-corrected m/√v is sign(g) on the first step (|g| ≫ ε); zero gradients stay put.
      let expected: Float = grads[i] == 0 ? 1 : 1 - 0.01 * (grads[i] > 0 ? 1 : -1)
      #expect(abs(p[i] - expected) < 1e-6, "parameter \(i): \(p[i]) vs \(expected)")
    }
  }

  @Test func splitDoesNotChangeTheResultAndClippingScalesTheGradient() {
    let n = 1100
    let grads = (0..<n).map { Float(($0 * 37) % 11) - 5 }
    let params = (0..<n).map { Float($0) * 0.001 }
    let a = Adam(count: n)
    let b = Adam(count: n)
    var pa = params
    var pb = params
    for _ in 0..<3 {
      pa = step(a, params: pa, grads: grads, lr: 0.1, clip: 1, split: 0).0
      pb = step(b, params: pb, grads: grads, lr: 0.1, clip: 1, split: 777).0
    }
    #expect(pa == pb && a.m.array == b.m.array && a.v.array == b.v.array && a.steps == 3)
    // With clipping, the first moment holds (1 − β₁)·g·(clip / ‖g‖) after one step.
    let c = Adam(count: n)
    let (_, norm) = step(c, params: params, grads: grads, lr: 0.1, clip: 1, split: n)
    for i in [0, 5, 1099] {
      #expect(abs(Double(c.m.array[i]) - 0.1 * Double(grads[i]) / norm) < 1e-7)
    }
  }

  @Test(arguments: [1, 2, 3])
  func shardedStepEqualsTheStepOnTheSummedGradient(threads: Int) {
    let n = 2500
    let shards: [[Float]] = (0..<3).map { k in
      (0..<n).map { i -> Float in Float(((i + 5 * k) * 13) % 9) - 4 }
    }
    var summed = shards[0]
    for i in 0..<n { summed[i] = (shards[0][i] + shards[1][i]) + shards[2][i] }
    let params = (0..<n).map { Float($0) * 0.002 - 1 }
    // Reference: the split step of the first tests on the sum, summed in shard order.
    let reference = Adam(count: n)
    let (expected, expectedNorm) = step(reference, params: params, grads: summed, lr: 0.05, clip: 10, split: 999)
    let adam = Adam(count: n)
    let p = FloatBuffer(count: n)
    p.assign(params)
    let gradients = shards.map { values -> FloatBuffer in
      let g = FloatBuffer(count: n)
      g.assign(values)
      return g
    }
    let norm = adam.step(
      parameters: p, shardGradients: gradients, lr: 0.05, clipNorm: 10, pool: WorkerPool(threads: threads))
    #expect(norm == expectedNorm)
    #expect(p.array == expected && adam.m.array == reference.m.array && adam.v.array == reference.v.array)
    #expect(gradients[0].array == summed && adam.steps == 1)
    #expect(norm > 10)  // the clip was active
  }
}
