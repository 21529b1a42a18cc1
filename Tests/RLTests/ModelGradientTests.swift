// PolicyModel's parameter gradients against central differences, for every trainable kind.

import EnvContract
import NN
import Testing

@testable import RL

@Suite("Policy model gradients")
struct ModelGradientTests {
  /// A model config and the batch shape it runs on.
  struct Setup: Sendable, CustomTestStringConvertible {
    var name: String
    var config: ModelConfig
    var sequences: Int
    var steps: Int
    /// Coordinates checked per parameter tensor (all of it when smaller).
    var perTensor: Int
    /// Tensors the layout must have, so the check covers them.
    var expected: [String]
    var epsilon: Float = 5e-3
    /// A smaller step for coordinates that miss at `epsilon` (see ``FiniteDifference``).
    var retryEpsilon: Float?
    var testDescription: String { name }
  }

  /// A 2-channel 7×7 map, one 7×7 index-map channel and 3 + 1 non-spatial features.
  ///
  /// 7×7 rather than 5×5 so that the second 3×3 stride-2 convolution is built (5×5 leaves a
  /// 2×2 output, too small for it, and the tower would skip it).
  static let parts = ObservationParts(fields: [
    .init(key: "world-map", offset: 0, shape: [2, 7, 7], dtype: .float32),
    .init(key: "world-idx_map", offset: 98, shape: [1, 7, 7], dtype: .int16),
    .init(key: "flat", offset: 147, shape: [3], dtype: .float32),
    .init(key: "time", offset: 150, shape: [1], dtype: .float32),
  ])
  static let vocabulary = 4
  static let nvec = [3, 4]

  static let setups: [Setup] = {
    var fcnet = ModelConfig()
    fcnet.kind = .fcnet
    fcnet.hiddens = [6, 5]
    fcnet.activation = .tanh
    var shared = fcnet
    shared.vfShareLayers = true
    var conv = ModelConfig()
    conv.kind = .kerasConvLSTM
    conv.fcDim = 6
    conv.lstmCellSize = 5
    conv.numConv = 2
    conv.numFC = 1
    conv.idxEmbDim = 2
    conv.inputEmbVocab = vocabulary
    conv.maxSeqLen = 3
    return [
      Setup(
        name: "fcnet", config: fcnet, sequences: 2, steps: 3, perTensor: .max,
        expected: ["policy/dense_1/kernel", "policy/out/kernel", "value/out/bias"]),
      Setup(
        name: "fcnet, shared value layers", config: shared, sequences: 2, steps: 3, perTensor: .max,
        expected: ["policy/dense_1/kernel", "policy/out/kernel"]),
      Setup(
        name: "keras_conv_lstm", config: conv, sequences: 2, steps: 3, perTensor: 16,
        expected: [
          "policy/embedding/embeddings", "policy/conv_1/kernel", "policy/fc_0/kernel", "policy/layer_norm/gamma",
          "policy/lstm/recurrent_kernel", "value/lstm/kernel", "value/out/kernel",
        ],
        // ReLUs after the convolutions and dense layers: thousands of kinks a 5e-3 step can cross.
        epsilon: 1e-3, retryEpsilon: 2e-4),
    ]
  }()

  /// Rows of observations: map values in [−1, 1], index codes in `0..<vocabulary` as floats.
  static func observations(rows: Int, seed: UInt64) -> [Float] {
    var obs = randomValues(rows * parts.rowSize, seed: seed)
    var rng = NNRandom(seed: seed + 1)
    if let idx = parts.indices {
      let pixels = parts.height * parts.width
      for r in 0..<rows {
        for i in 0..<(idx.channels * pixels) {
          obs[r * parts.rowSize + idx.offset + i] = Float(rng.next() % UInt64(vocabulary))
        }
      }
    }
    return obs
  }

  /// Floats held by every buffer reachable from `value` (towers, layers' workspaces, arrays).
  static func bufferFloats(_ value: Any) -> Int {
    if let buffer = value as? FloatBuffer { return buffer.count }
    return Mirror(reflecting: value).children.reduce(0) { $0 + bufferFloats($1.value) }
  }

  /// The memory estimate's row size is what the model really allocates per row of capacity,
  /// counted over every buffer it holds, for each kind (and a random policy).
  @Test(arguments: setups)
  func rowBuffersMatchTheEstimate(_ s: Setup) {
    for config in [
      s.config,
      {
        var c = s.config; c.kind = .random; return c
      }(),
    ] {
      let empty = PolicyModel(config: config, parts: Self.parts, nvec: Self.nvec, capacity: 0)
      let seven = PolicyModel(config: config, parts: Self.parts, nvec: Self.nvec, capacity: 7)
      #expect(Self.bufferFloats(empty) == 0)
      #expect(Self.bufferFloats(seven) == 7 * seven.floatsPerRow, "\(config.kind)")
      #expect(empty.floatsPerRow == seven.floatsPerRow && empty.layout.count == seven.layout.count)
    }
  }

  /// The gradient of `L = Σ w₁·logits + Σ w₂·values` matches central differences in the parameters.
  ///
  /// Only parameters are perturbed: the model gives no input gradients, and index codes are not
  /// differentiable anyway.
  @Test(arguments: setups)
  func parameterGradient(_ s: Setup) {
    let rows = s.sequences * s.steps
    let model = PolicyModel(config: s.config, parts: Self.parts, nvec: Self.nvec, capacity: rows)
    let names = Set(model.layout.tensors.map(\.name))
    for name in s.expected { #expect(names.contains(name), "no tensor \(name)") }

    let buffer = FloatBuffer(count: model.layout.count)
    var rng = NNRandom(seed: 7)
    model.layout.initialize(buffer, rng: &rng)
    // Perturb zero biases and the tiny (std 0.01) heads, so every path carries signal.
    let params = zip(buffer.array, randomValues(buffer.count, seed: 8, scale: 0.2)).map { $0 + $1 }
    let obs = Self.observations(rows: rows, seed: 9)
    let states = randomValues(s.sequences * model.stateSize, seed: 10, scale: 0.5)
    let logitCount = model.logitCount
    let w1 = randomValues(rows * logitCount, seed: 11)
    let w2 = randomValues(rows, seed: 12)

    func forward(_ p: [Float]) {
      states.withUnsafeBufferPointer { ps in
        model.forward(
          p, observations: obs, states: model.stateSize > 0 ? ps.baseAddress : nil, sequences: s.sequences,
          steps: s.steps)
      }
    }
    func loss(_ p: [Float]) -> Double {
      forward(p)
      var total = 0.0
      for r in 0..<rows {
        for j in 0..<logitCount {
          total += Double(w1[r * logitCount + j]) * Double(model.logits[r * model.logitStride + j])
        }
        total += Double(w2[r]) * Double(model.values[r * model.valueStride])
      }
      return total
    }

    forward(params)
    let (dValues, dValueStride) = model.dValues
    for r in 0..<rows {
      for j in 0..<logitCount { model.dPolicy[r * model.logitStride + j] = w1[r * logitCount + j] }
      dValues[r * dValueStride] = w2[r]
    }
    var grads = [Float](repeating: 0, count: params.count)
    grads.withUnsafeMutableBufferPointer {
      model.backward(params, grads: $0.baseAddress!, observations: obs, sequences: s.sequences, steps: s.steps)
    }

    let check = FiniteDifference(epsilon: s.epsilon, retryEpsilon: s.retryEpsilon)
    for tensor in model.layout.tensors {
      let indices =
        tensor.count <= s.perTensor
        ? Array(0..<tensor.count) : Array((0..<tensor.count).shuffled(using: &rng).prefix(s.perTensor))
      for i in indices {
        let k = tensor.offset + i
        check.expectDerivative(grads[k], of: loss, at: params, index: k, "\(tensor.name)[\(i)]")
      }
    }
  }
}
