// One network tower: observation rows in, a fixed number of outputs per row out.

import EnvContract
import NN

/// A network from observation rows to `outputs` numbers per row (logits, or one value).
///
/// A tower instance owns its activation buffers, sized for `capacity` rows when built; the
/// parameters live in a slab passed to every call, so several instances (one per thread) share
/// one set of weights. Rows are sequence-major, `sequences × steps`; feed-forward towers treat
/// them as one flat batch and ignore states.
///
/// Shapes: `observations` `[rows × rowSize]`; `states`: sequence `s`'s state at
/// `states + s · stateStride`;
/// ``output`` `[rows × outputs]`.
package protocol Tower: AnyObject {
  /// Outputs per row.
  var outputs: Int { get }
  /// Recurrent state floats per sequence (0 for feed-forward towers).
  var stateSize: Int { get }
  /// Forward FLOPs per row.
  var forwardFLOPs: Int { get }
  /// Backward FLOPs per row (the matrix products of ``backward(_:grads:observations:dOutput:sequences:steps:)``).
  var backwardFLOPs: Int { get }
  /// The last forward pass's outputs.
  var output: FloatBuffer { get }
  /// Floats of activation and gradient buffers per row of capacity (memory estimates).
  var floatsPerRow: Int { get }
  /// Runs rows forward.
  func forward(
    _ params: UnsafePointer<Float>, observations: UnsafePointer<Float>, states: UnsafePointer<Float>?,
    stateStride: Int, sequences: Int, steps: Int)
  /// Backpropagates `dOutput` (`[rows × outputs]`) of the last forward pass into `grads`.
  func backward(
    _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, observations: UnsafePointer<Float>,
    dOutput: UnsafePointer<Float>, sequences: Int, steps: Int)
  /// Writes each sequence's state after its last step to `into + s · stride`.
  func finalStates(into: UnsafeMutablePointer<Float>, stride: Int, sequences: Int, steps: Int)
}

/// A multilayer perceptron: dense layers with one activation, then a linear head (RLlib's
/// `fcnet`).
package final class MLPTower: Tower {
  let hidden: [Dense]
  let head: Dense
  let activation: Activation
  let rowSize: Int
  let activations: [FloatBuffer]
  let gradients: [FloatBuffer]
  package let output: FloatBuffer
  package var outputs: Int { head.outputs }
  package var stateSize: Int { 0 }
  package var floatsPerRow: Int { 2 * hidden.reduce(0) { $0 + $1.outputs } + head.outputs }
  package var forwardFLOPs: Int { hidden.reduce(head.forwardFLOPs) { $0 + $1.forwardFLOPs } }
  /// Kernel gradients of every layer, input gradients of all but the first.
  package var backwardFLOPs: Int { 2 * forwardFLOPs - (hidden.first ?? head).forwardFLOPs }
  package func finalStates(into: UnsafeMutablePointer<Float>, stride: Int, sequences: Int, steps: Int) {}

  /// Adds `name/dense_i` and `name/out` to `layout` (RLlib's normc initializers).
  package init(
    _ name: String, rowSize: Int, sizes: [Int], activation: Activation, outputs: Int, headStd: Float,
    capacity: Int, layout: inout ParameterLayout
  ) {
    var layers: [Dense] = []
    var width = rowSize
    for (i, size) in sizes.enumerated() {
      layers.append(
        Dense(
          "\(name)/dense_\(i)", inputs: width, outputs: size, layout: &layout, initializer: .normalizedColumns(std: 1)))
      width = size
    }
    hidden = layers
    head = Dense(
      "\(name)/out", inputs: width, outputs: outputs, layout: &layout, initializer: .normalizedColumns(std: headStd))
    self.activation = activation
    self.rowSize = rowSize
    activations = sizes.map { FloatBuffer(count: capacity * $0) }
    gradients = sizes.map { FloatBuffer(count: capacity * $0) }
    output = FloatBuffer(count: capacity * outputs)
  }

  package func forward(
    _ params: UnsafePointer<Float>, observations: UnsafePointer<Float>, states: UnsafePointer<Float>?,
    stateStride: Int, sequences: Int, steps: Int
  ) {
    let rows = sequences * steps
    precondition(rows * head.outputs <= output.count, "\(rows) rows exceed the tower's capacity")
    var x = observations
    for (i, layer) in hidden.enumerated() {
      let y = activations[i].pointer
      layer.forward(params, x: x, y: y, rows: rows)
      activation.forward(y, count: rows * layer.outputs)
      x = UnsafePointer(y)
    }
    head.forward(params, x: x, y: output.pointer, rows: rows)
  }

  package func backward(
    _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, observations: UnsafePointer<Float>,
    dOutput: UnsafePointer<Float>, sequences: Int, steps: Int
  ) {
    let rows = sequences * steps
    var dy = dOutput
    var layer = head
    var index = hidden.count
    while true {
      let x = index == 0 ? observations : UnsafePointer(activations[index - 1].pointer)
      let dx = index == 0 ? nil : gradients[index - 1].pointer
      layer.backward(params, grads: grads, x: x, dy: dy, dx: dx, rows: rows)
      guard let dx else { break }
      activation.backward(y: activations[index - 1].pointer, dy: dx, count: rows * hidden[index - 1].outputs)
      dy = UnsafePointer(dx)
      index -= 1
      layer = hidden[index]
    }
  }
}
