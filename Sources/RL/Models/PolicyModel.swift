// A policy's network: logits for a masked (multi-)categorical action and a value estimate.

import EnvContract
import NN

/// The network of one policy: a policy tower (logits) and a value tower, or one shared tower
/// with both heads (`vf_share_layers`), or no network at all (`random`).
///
/// Each instance owns buffers for `capacity` rows; parameters live in a slab shared by all
/// instances of the same config (``layout`` is identical for equal configs), so one instance per
/// thread works on one slab. Shapes: ``logits`` `[rows × logitCount]` at row stride
/// ``logitStride``; ``values`` `[rows]` at stride ``valueStride``; states
/// `[sequences × stateSize]` (policy tower's `[h, c]`, then the value tower's).
package final class PolicyModel {
  /// The parameter tensors.
  package let layout: ParameterLayout
  /// Sub-action sizes (one entry for a `Discrete` action).
  package let nvec: [Int]
  /// Logits per row (`nvec` summed).
  package let logitCount: Int
  /// The model kind.
  package let kind: ModelConfig.Kind
  /// Outputs per row of the policy tower (the logits, and the value when the layers are shared).
  let policyOutputs: Int
  /// Truncated-BPTT length (1 for feed-forward models).
  package let sequenceLength: Int
  let policyTower: Tower?
  let valueTower: Tower?
  let zeros: FloatBuffer
  /// Gradient of the loss with respect to the policy tower's outputs.
  package let dPolicy: FloatBuffer
  /// Gradient with respect to the value tower's output (unused when shared).
  package let dValue: FloatBuffer

  /// Builds the network for observation rows laid out as `parts`.
  package init(config: ModelConfig, parts: ObservationParts, nvec: [Int], capacity: Int) {
    self.nvec = nvec
    logitCount = nvec.reduce(0, +)
    kind = config.kind
    var layout = ParameterLayout()
    let shared = config.vfShareLayers
    let policyOutputs = logitCount + (shared ? 1 : 0)
    self.policyOutputs = policyOutputs
    func tower(_ name: String, outputs: Int) -> Tower {
      switch config.kind {
      case .fcnet, .random:
        return MLPTower(
          name, rowSize: parts.rowSize, sizes: config.hiddens, activation: Activation(config.activation),
          outputs: outputs, headStd: 0.01, capacity: capacity, layout: &layout)
      case .kerasConvLSTM:
        return ConvLSTMTower(name, parts: parts, config: config, outputs: outputs, capacity: capacity, layout: &layout)
      }
    }
    if config.kind == .random {
      policyTower = nil
      valueTower = nil
    } else {
      policyTower = tower("policy", outputs: policyOutputs)
      valueTower = shared ? nil : tower("value", outputs: 1)
    }
    self.layout = layout
    sequenceLength = config.kind == .kerasConvLSTM ? config.maxSeqLen : 1
    zeros = FloatBuffer(count: config.kind == .random ? capacity * max(logitCount, 1) : 0)
    dPolicy = FloatBuffer(count: capacity * policyOutputs)
    dValue = FloatBuffer(count: valueTower == nil ? 0 : capacity)
  }

  /// Floats of the instance's row buffers per row of capacity: the towers' activations and
  /// gradients, the output gradients, and the zeros of a random policy.
  package var floatsPerRow: Int {
    (policyTower?.floatsPerRow ?? 0) + (valueTower?.floatsPerRow ?? 0) + policyOutputs
      + (valueTower == nil ? 0 : 1) + (kind == .random ? max(logitCount, 1) : 0)
  }

  /// Recurrent state floats per sequence.
  package var stateSize: Int { (policyTower?.stateSize ?? 0) + (valueTower?.stateSize ?? 0) }
  /// Forward FLOPs per row.
  package var forwardFLOPs: Int { (policyTower?.forwardFLOPs ?? 0) + (valueTower?.forwardFLOPs ?? 0) }
  /// Backward FLOPs per row.
  package var backwardFLOPs: Int { (policyTower?.backwardFLOPs ?? 0) + (valueTower?.backwardFLOPs ?? 0) }

  /// The logits of the last forward pass.
  package var logits: UnsafePointer<Float> { UnsafePointer(policyTower?.output.pointer ?? zeros.pointer) }
  /// Row stride of ``logits`` and of ``dPolicy``.
  package var logitStride: Int { policyTower?.outputs ?? logitCount }
  /// The values of the last forward pass.
  package var values: UnsafePointer<Float> {
    if let valueTower { return UnsafePointer(valueTower.output.pointer) }
    if let policyTower { return UnsafePointer(policyTower.output.pointer + logitCount) }
    return UnsafePointer(zeros.pointer)
  }
  /// Row stride of ``values``.
  package var valueStride: Int { valueTower == nil ? (policyTower == nil ? 0 : logitCount + 1) : 1 }
  /// Where the loss writes value gradients, and its row stride.
  package var dValues: (pointer: UnsafeMutablePointer<Float>, stride: Int) {
    valueTower == nil ? (dPolicy.pointer + logitCount, logitCount + 1) : (dValue.pointer, 1)
  }

  /// Runs `sequences × steps` rows forward; `states` nil means zero initial states.
  package func forward(
    _ params: UnsafePointer<Float>, observations: UnsafePointer<Float>, states: UnsafePointer<Float>?,
    sequences: Int, steps: Int
  ) {
    let split = policyTower?.stateSize ?? 0
    policyTower?.forward(
      params, observations: observations, states: states, stateStride: stateSize, sequences: sequences,
      steps: steps)
    valueTower?.forward(
      params, observations: observations, states: states.map { $0 + split }, stateStride: stateSize,
      sequences: sequences, steps: steps)
  }

  /// Backpropagates ``dPolicy`` and ``dValue`` (written by the loss) of the last forward pass
  /// into `grads`.
  package func backward(
    _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, observations: UnsafePointer<Float>,
    sequences: Int, steps: Int
  ) {
    policyTower?.backward(
      params, grads: grads, observations: observations, dOutput: dPolicy.pointer, sequences: sequences,
      steps: steps)
    valueTower?.backward(
      params, grads: grads, observations: observations, dOutput: dValue.pointer, sequences: sequences,
      steps: steps)
  }

  /// Writes each sequence's state after its last step to `into` (`[sequences × stateSize]`).
  package func finalStates(into: UnsafeMutablePointer<Float>, sequences: Int, steps: Int) {
    let split = policyTower?.stateSize ?? 0
    policyTower?.finalStates(into: into, stride: stateSize, sequences: sequences, steps: steps)
    valueTower?.finalStates(into: into + split, stride: stateSize, sequences: sequences, steps: steps)
  }
}

extension Activation {
  /// The layer activation for a config's `fcnet_activation`.
  init(_ kind: ActivationKind) {
    switch kind {
    case .tanh: self = .tanh
    case .relu: self = .relu
    case .linear: self = .linear
    }
  }
}
