// Every layer's backward pass against finite differences.

import Testing

@testable import NN

@Suite("Layer gradients")
struct LayerGradientTests {
  /// Initialized parameters of a layout.
  func initial(_ layout: ParameterLayout, seed: UInt64 = 1) -> [Float] {
    let buffer = FloatBuffer(count: layout.count)
    var rng = NNRandom(seed: seed)
    layout.initialize(buffer, rng: &rng)
    // Perturb zero-initialized biases so every path carries signal.
    return zip(buffer.array, randomValues(layout.count, seed: seed + 1, scale: 0.1)).map { $0 + $1 }
  }

  @Test func dense() {
    var layout = ParameterLayout()
    let layer = Dense("d", inputs: 5, outputs: 3, layout: &layout)
    let rows = 4
    GradientCheck(params: initial(layout), input: randomValues(rows * 5, seed: 3)).run(
      forward: { p, x in
        var y = [Float](repeating: 0, count: rows * 3)
        withPointers(p, x) { pp, px in
          y.withUnsafeMutableBufferPointer { layer.forward(pp, x: px, y: $0.baseAddress!, rows: rows) }
        }
        return y
      },
      backward: { p, x, dy in
        var g = [Float](repeating: 0, count: p.count)
        var dx = [Float](repeating: 0, count: x.count)
        withPointers(p, x) { pp, px in
          withPointers(dy, []) { pdy, _ in
            g.withUnsafeMutableBufferPointer { pg in
              dx.withUnsafeMutableBufferPointer { pdx in
                layer.backward(pp, grads: pg.baseAddress!, x: px, dy: pdy, dx: pdx.baseAddress!, rows: rows)
              }
            }
          }
        }
        return (g, dx)
      })
  }

  @Test(arguments: [Activation.relu, .tanh])
  func activation(_ activation: Activation) {
    // Dense followed by the activation, so the check covers the in-place backward.
    var layout = ParameterLayout()
    let layer = Dense("d", inputs: 4, outputs: 6, layout: &layout)
    let rows = 3
    GradientCheck(params: initial(layout), input: randomValues(rows * 4, seed: 5), epsilon: 1e-3).run(
      forward: { p, x in
        var y = [Float](repeating: 0, count: rows * 6)
        withPointers(p, x) { pp, px in
          y.withUnsafeMutableBufferPointer {
            layer.forward(pp, x: px, y: $0.baseAddress!, rows: rows)
            activation.forward($0.baseAddress!, count: rows * 6)
          }
        }
        return y
      },
      backward: { p, x, dy in
        var y = [Float](repeating: 0, count: rows * 6)
        var d = dy
        var g = [Float](repeating: 0, count: p.count)
        var dx = [Float](repeating: 0, count: x.count)
        withPointers(p, x) { pp, px in
          y.withUnsafeMutableBufferPointer { py in
            d.withUnsafeMutableBufferPointer { pd in
              layer.forward(pp, x: px, y: py.baseAddress!, rows: rows)
              activation.forward(py.baseAddress!, count: rows * 6)
              activation.backward(y: py.baseAddress!, dy: pd.baseAddress!, count: rows * 6)
              g.withUnsafeMutableBufferPointer { pg in
                dx.withUnsafeMutableBufferPointer { pdx in
                  layer.backward(
                    pp, grads: pg.baseAddress!, x: px, dy: pd.baseAddress!, dx: pdx.baseAddress!, rows: rows)
                }
              }
            }
          }
        }
        return (g, dx)
      })
  }

  @Test func layerNorm() {
    var layout = ParameterLayout()
    let layer = LayerNorm("n", features: 6, layout: &layout)
    let rows = 3
    GradientCheck(params: initial(layout), input: randomValues(rows * 6, seed: 7), epsilon: 1e-3).run(
      forward: { p, x in
        var y = [Float](repeating: 0, count: rows * 6)
        var stats = [Float](repeating: 0, count: rows * 2)
        withPointers(p, x) { pp, px in
          withPointers(y, stats) { py, ps in
            layer.forward(pp, x: px, y: py, stats: ps, rows: rows)
            y = Array(UnsafeBufferPointer(start: py, count: rows * 6))
          }
        }
        _ = stats
        return y
      },
      backward: { p, x, dy in
        var g = [Float](repeating: 0, count: p.count)
        var dx = [Float](repeating: 0, count: x.count)
        withPointers(p, x) { pp, px in
          withPointers([Float](repeating: 0, count: rows * 6), [Float](repeating: 0, count: rows * 2)) { py, ps in
            layer.forward(pp, x: px, y: py, stats: ps, rows: rows)
            withPointers(dy, []) { pdy, _ in
              g.withUnsafeMutableBufferPointer { pg in
                dx.withUnsafeMutableBufferPointer { pdx in
                  layer.backward(
                    pp, grads: pg.baseAddress!, x: px, stats: ps, dy: pdy, dx: pdx.baseAddress!, rows: rows)
                }
              }
            }
          }
        }
        return (g, dx)
      })
  }

  @Test func embedding() {
    var layout = ParameterLayout()
    let layer = Embedding("e", vocabulary: 7, dimension: 3, layout: &layout)
    let codes: [Float] = [0, 3, 3, 6, 1, 2]
    var check = GradientCheck(params: initial(layout), input: codes)
    check.skipInput = true
    check.run(
      forward: { p, x in
        var y = [Float](repeating: 0, count: codes.count * 3)
        withPointers(p, x) { pp, px in
          y.withUnsafeMutableBufferPointer {
            layer.forward(pp, codes: px, y: $0.baseAddress!, ldy: 3, count: codes.count)
          }
        }
        return y
      },
      backward: { p, x, dy in
        var g = [Float](repeating: 0, count: p.count)
        withPointers(x, dy) { px, pdy in
          g.withUnsafeMutableBufferPointer {
            layer.backward(grads: $0.baseAddress!, codes: px, dy: pdy, ldy: 3, count: codes.count)
          }
        }
        return (g, nil)
      })
  }

  @Test(arguments: [(7, 7, 3, 2), (5, 6, 2, 1), (3, 3, 3, 2)])
  func conv2D(_ shape: (Int, Int, Int, Int)) {
    let (h, w, k, stride) = shape
    var layout = ParameterLayout()
    let layer = Conv2D(
      "c", height: h, width: w, inChannels: 3, outChannels: 4, kernel: k, stride: stride, layout: &layout)
    let rows = 2
    GradientCheck(params: initial(layout), input: randomValues(rows * layer.inputSize, seed: 11)).run(
      forward: { p, x in
        var y = [Float](repeating: 0, count: rows * layer.outputSize)
        let columns = FloatBuffer(count: rows * layer.columnsSize)
        withPointers(p, x) { pp, px in
          y.withUnsafeMutableBufferPointer {
            layer.forward(pp, x: px, y: $0.baseAddress!, columns: columns.pointer, rows: rows)
          }
        }
        return y
      },
      backward: { p, x, dy in
        var g = [Float](repeating: 0, count: p.count)
        var dx = [Float](repeating: 0, count: x.count)
        let columns = FloatBuffer(count: rows * layer.columnsSize)
        let scratch = FloatBuffer(count: rows * layer.columnsSize)
        let y = FloatBuffer(count: rows * layer.outputSize)
        withPointers(p, x) { pp, px in
          layer.forward(pp, x: px, y: y.pointer, columns: columns.pointer, rows: rows)
          withPointers(dy, []) { pdy, _ in
            g.withUnsafeMutableBufferPointer { pg in
              dx.withUnsafeMutableBufferPointer { pdx in
                layer.backward(
                  pp, grads: pg.baseAddress!, columns: columns.pointer, dy: pdy, dx: pdx.baseAddress!,
                  scratch: scratch.pointer, rows: rows)
              }
            }
          }
        }
        return (g, dx)
      })
  }

  @Test(arguments: [(1, 1), (3, 4), (2, 6)])
  func lstm(_ shape: (Int, Int)) {
    let (sequences, steps) = shape
    var layout = ParameterLayout()
    let layer = LSTM("l", inputs: 3, hidden: 4, layout: &layout)
    let rows = sequences * steps
    let h0 = randomValues(sequences * 4, seed: 21, scale: 0.5)
    let c0 = randomValues(sequences * 4, seed: 22, scale: 0.5)
    let work = LSTM.Workspace(rows: rows, hidden: 4)
    func run(_ p: [Float], _ x: [Float]) {
      withPointers(p, x) { pp, px in
        withPointers(h0, c0) { ph, pc in
          layer.forward(pp, x: px, h0: ph, c0: pc, work: work, sequences: sequences, steps: steps)
        }
      }
    }
    GradientCheck(params: initial(layout), input: randomValues(rows * 3, seed: 13), epsilon: 1e-3).run(
      forward: { p, x in
        run(p, x)
        return work.outputs.array
      },
      backward: { p, x, dy in
        run(p, x)
        var g = [Float](repeating: 0, count: p.count)
        var dx = [Float](repeating: 0, count: x.count)
        withPointers(p, x) { pp, px in
          withPointers(dy, c0) { pdy, pc in
            g.withUnsafeMutableBufferPointer { pg in
              dx.withUnsafeMutableBufferPointer { pdx in
                layer.backward(
                  pp, grads: pg.baseAddress!, x: px, c0: pc, work: work, dy: pdy, dx: pdx.baseAddress!,
                  sequences: sequences, steps: steps)
              }
            }
          }
        }
        return (g, dx)
      })
  }
}
