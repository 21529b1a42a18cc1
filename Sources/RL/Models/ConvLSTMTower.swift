// Foundation's paper model (`keras_conv_lstm`) as one tower: index-map embedding, convolutions,
// dense layers, layer norm, LSTM, linear head.

import EnvContract
import NN

/// One tower of Foundation's `keras_conv_lstm` model.
///
/// From Zheng et al. 2020 (the AI Economist):
///
/// 1. Each index-map channel is embedded (`input_emb_vocab` codes → `idx_emb_dim`) and
///    concatenated with the map channels, channels-last.
/// 2. Conv 16, then (`num_conv` − 1) × conv 32, all 3×3 stride 2 valid, relu; flattened.
/// 3. Concatenated with the non-spatial fields.
/// 4. `num_fc` × dense(`fc_dim`, relu), then layer norm.
/// 5. LSTM(`lstm_cell_size`); state `[h, c]` per sequence.
/// 6. A linear head (logits or the value), normc(0.01).
///
/// Without maps the convolutional branch is skipped, as in Foundation.
package final class ConvLSTMTower: Tower {
  let parts: ObservationParts
  let embedding: Embedding?
  let convs: [Conv2D]
  let fcs: [Dense]
  let norm: LayerNorm
  let lstm: LSTM
  let head: Dense
  let inChannels: Int
  let concatSize: Int
  // Buffers, sized for `capacity` rows.
  let convIn: FloatBuffer
  let dConvIn: FloatBuffer
  let columns: [FloatBuffer]
  let convOut: [FloatBuffer]
  let dConvOut: [FloatBuffer]
  let scratch: FloatBuffer
  let concat: FloatBuffer
  let dConcat: FloatBuffer
  let fcOut: [FloatBuffer]
  let dFC: [FloatBuffer]
  let normOut: FloatBuffer
  let normStats: FloatBuffer
  let dNorm: FloatBuffer
  let lstmWork: LSTM.Workspace
  let dLSTM: FloatBuffer
  let h0: FloatBuffer
  let c0: FloatBuffer
  package let output: FloatBuffer

  package var outputs: Int { head.outputs }
  package var stateSize: Int { 2 * lstm.hidden }
  package var floatsPerRow: Int {
    let input = parts.height * parts.width * inChannels
    let columns = convs.map(\.columnsSize)
    return (parts.hasMaps ? input : 0) + (embedding != nil ? input : 0) + columns.reduce(0, +)
      + 2 * convs.reduce(0) { $0 + $1.outputSize } + (columns.max() ?? 0) + 2 * concatSize
      + 2 * fcs.reduce(0) { $0 + $1.outputs } + 2 * norm.features + 2 + 14 * lstm.hidden + 3 * lstm.hidden
      + head.outputs
  }
  package var forwardFLOPs: Int {
    convs.reduce(0) { $0 + $1.forwardFLOPs } + fcs.reduce(0) { $0 + $1.forwardFLOPs } + lstm.forwardFLOPs
      + head.forwardFLOPs
  }
  /// Kernel and input gradients everywhere, except the input gradient of the first layer that
  /// has nothing trainable below it.
  package var backwardFLOPs: Int {
    let first = convs.first?.forwardFLOPs ?? fcs.first?.forwardFLOPs ?? 0
    let firstNeedsDx = convs.isEmpty ? false : embedding != nil
    return 2 * forwardFLOPs - (firstNeedsDx ? 0 : first)
  }

  /// Why `config` cannot run on maps of `parts`' size, or nil when it can.
  ///
  /// Each 3×3 stride-2 valid convolution needs an input of at least 3×3 (Keras raises for a
  /// smaller one too), so `num_conv` is bounded by the map size: 11×11 allows 2.
  package static func problem(parts: ObservationParts, config: ModelConfig) -> String? {
    guard parts.hasMaps else { return nil }
    var (h, w) = (parts.height, parts.width)
    for i in 0..<config.numConv {
      guard h >= 3 && w >= 3 else {
        return "keras_conv_lstm: conv layer \(i + 1) of num_conv \(config.numConv) needs a map of at least 3×3, "
          + "but the \(parts.height)×\(parts.width) observation map is \(h)×\(w) there"
      }
      (h, w) = ((h - 3) / 2 + 1, (w - 3) / 2 + 1)
    }
    return nil
  }

  /// Adds the tower's tensors under `name/` to `layout`.
  package init(
    _ name: String, parts: ObservationParts, config: ModelConfig, outputs: Int, capacity: Int,
    layout: inout ParameterLayout
  ) {
    self.parts = parts
    let mapChannels = parts.map?.channels ?? 0
    let idxChannels = parts.indices?.channels ?? 0
    embedding =
      idxChannels > 0
      ? Embedding("\(name)/embedding", vocabulary: config.inputEmbVocab, dimension: config.idxEmbDim, layout: &layout)
      : nil
    inChannels = mapChannels + idxChannels * config.idxEmbDim
    var convs: [Conv2D] = []
    if parts.hasMaps {
      var (h, w, c) = (parts.height, parts.width, inChannels)
      // ``problem(parts:config:)`` rejects configs whose maps shrink below 3×3 before the last layer.
      for i in 0..<config.numConv where h >= 3 && w >= 3 {
        let filters = i == 0 ? 16 : 32
        let conv = Conv2D(
          "\(name)/conv_\(i)", height: h, width: w, inChannels: c, outChannels: filters, kernel: 3, stride: 2,
          layout: &layout)
        convs.append(conv)
        (h, w, c) = (conv.outHeight, conv.outWidth, filters)
      }
    }
    self.convs = convs
    let convFeatures = convs.last?.outputSize ?? 0
    concatSize = convFeatures + parts.flatCount
    var fcs: [Dense] = []
    var width = concatSize
    for i in 0..<config.numFC {
      fcs.append(Dense("\(name)/fc_\(i)", inputs: width, outputs: config.fcDim, layout: &layout))
      width = config.fcDim
    }
    self.fcs = fcs
    norm = LayerNorm("\(name)/layer_norm", features: width, layout: &layout)
    lstm = LSTM("\(name)/lstm", inputs: width, hidden: config.lstmCellSize, layout: &layout)
    head = Dense(
      "\(name)/out", inputs: config.lstmCellSize, outputs: outputs, layout: &layout,
      initializer: .normalizedColumns(std: 0.01))
    let pixels = parts.height * parts.width
    convIn = FloatBuffer(count: parts.hasMaps ? capacity * pixels * inChannels : 0)
    dConvIn = FloatBuffer(count: embedding != nil ? capacity * pixels * inChannels : 0)
    columns = convs.map { FloatBuffer(count: capacity * $0.columnsSize) }
    convOut = convs.map { FloatBuffer(count: capacity * $0.outputSize) }
    dConvOut = convs.map { FloatBuffer(count: capacity * $0.outputSize) }
    scratch = FloatBuffer(count: capacity * (convs.map(\.columnsSize).max() ?? 0))
    concat = FloatBuffer(count: capacity * concatSize)
    dConcat = FloatBuffer(count: capacity * concatSize)
    fcOut = fcs.map { FloatBuffer(count: capacity * $0.outputs) }
    dFC = fcs.map { FloatBuffer(count: capacity * $0.outputs) }
    normOut = FloatBuffer(count: capacity * width)
    normStats = FloatBuffer(count: capacity * 2)
    dNorm = FloatBuffer(count: capacity * width)
    lstmWork = LSTM.Workspace(rows: capacity, hidden: config.lstmCellSize)
    dLSTM = FloatBuffer(count: capacity * config.lstmCellSize)
    h0 = FloatBuffer(count: capacity * config.lstmCellSize)
    c0 = FloatBuffer(count: capacity * config.lstmCellSize)
    output = FloatBuffer(count: capacity * outputs)
  }

  // MARK: - Forward

  package func forward(
    _ params: UnsafePointer<Float>, observations: UnsafePointer<Float>, states: UnsafePointer<Float>?,
    stateStride: Int, sequences: Int, steps: Int
  ) {
    let rows = sequences * steps
    precondition(rows * head.outputs <= output.count, "\(rows) rows exceed the tower's capacity")
    if !convs.isEmpty { buildConvInput(params, observations, rows: rows) }
    var x = UnsafePointer(convIn.pointer)
    for (i, conv) in convs.enumerated() {
      conv.forward(params, x: x, y: convOut[i].pointer, columns: columns[i].pointer, rows: rows)
      Activation.relu.forward(convOut[i].pointer, count: rows * conv.outputSize)
      x = UnsafePointer(convOut[i].pointer)
    }
    buildConcat(observations, rows: rows)
    x = UnsafePointer(concat.pointer)
    for (i, fc) in fcs.enumerated() {
      fc.forward(params, x: x, y: fcOut[i].pointer, rows: rows)
      Activation.relu.forward(fcOut[i].pointer, count: rows * fc.outputs)
      x = UnsafePointer(fcOut[i].pointer)
    }
    norm.forward(params, x: x, y: normOut.pointer, stats: normStats.pointer, rows: rows)
    let h = lstm.hidden
    if let states {
      for s in 0..<sequences {
        (h0.pointer + s * h).update(from: states + s * stateStride, count: h)
        (c0.pointer + s * h).update(from: states + s * stateStride + h, count: h)
      }
    } else {
      h0.pointer.update(repeating: 0, count: sequences * h)
      c0.pointer.update(repeating: 0, count: sequences * h)
    }
    lstm.forward(
      params, x: normOut.pointer, h0: h0.pointer, c0: c0.pointer, work: lstmWork, sequences: sequences,
      steps: steps)
    head.forward(params, x: lstmWork.outputs.pointer, y: output.pointer, rows: rows)
  }

  /// Writes map channels and embedded index codes channels-last into `convIn`.
  private func buildConvInput(_ params: UnsafePointer<Float>, _ obs: UnsafePointer<Float>, rows: Int) {
    let pixels = parts.height * parts.width
    let cin = inChannels
    let mapChannels = parts.map?.channels ?? 0
    for n in 0..<rows {
      let row = obs + n * parts.rowSize
      let dst = convIn.pointer + n * pixels * cin
      if let map = parts.map {
        for c in 0..<map.channels {
          let src = row + map.offset + c * pixels
          for p in 0..<pixels { dst[p * cin + c] = src[p] }
        }
      }
      if let embedding, let idx = parts.indices {
        let d = embedding.dimension
        for k in 0..<idx.channels {
          embedding.forward(
            params, codes: row + idx.offset + k * pixels, y: dst + mapChannels + k * d, ldy: cin, count: pixels)
        }
      }
    }
  }

  /// Writes the last convolution's output and the non-spatial fields into `concat`.
  private func buildConcat(_ obs: UnsafePointer<Float>, rows: Int) {
    let convFeatures = convs.last?.outputSize ?? 0
    for n in 0..<rows {
      var dst = concat.pointer + n * concatSize
      if let last = convOut.last {
        dst.update(from: last.pointer + n * convFeatures, count: convFeatures)
        dst += convFeatures
      }
      let row = obs + n * parts.rowSize
      for range in parts.flat {
        dst.update(from: row + range.lowerBound, count: range.count)
        dst += range.count
      }
    }
  }

  package func finalStates(into: UnsafeMutablePointer<Float>, stride: Int, sequences: Int, steps: Int) {
    let h = lstm.hidden
    for s in 0..<sequences {
      let r = s * steps + steps - 1
      (into + s * stride).update(from: lstmWork.outputs.pointer + r * h, count: h)
      (into + s * stride + h).update(from: lstmWork.cells.pointer + r * h, count: h)
    }
  }

  // MARK: - Backward

  package func backward(
    _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, observations: UnsafePointer<Float>,
    dOutput: UnsafePointer<Float>, sequences: Int, steps: Int
  ) {
    let rows = sequences * steps
    head.backward(params, grads: grads, x: lstmWork.outputs.pointer, dy: dOutput, dx: dLSTM.pointer, rows: rows)
    lstm.backward(
      params, grads: grads, x: normOut.pointer, c0: c0.pointer, work: lstmWork, dy: dLSTM.pointer,
      dx: dNorm.pointer, sequences: sequences, steps: steps)
    let last = fcs.count - 1
    let normInput = last >= 0 ? UnsafePointer(fcOut[last].pointer) : UnsafePointer(concat.pointer)
    let dNormInput = last >= 0 ? dFC[last].pointer : dConcat.pointer
    norm.backward(
      params, grads: grads, x: normInput, stats: normStats.pointer, dy: dNorm.pointer, dx: dNormInput, rows: rows)
    for i in stride(from: last, through: 0, by: -1) {
      Activation.relu.backward(y: fcOut[i].pointer, dy: dFC[i].pointer, count: rows * fcs[i].outputs)
      let x = i == 0 ? UnsafePointer(concat.pointer) : UnsafePointer(fcOut[i - 1].pointer)
      let needDx = i > 0 || !convs.isEmpty
      let dx = i == 0 ? dConcat.pointer : dFC[i - 1].pointer
      fcs[i].backward(params, grads: grads, x: x, dy: dFC[i].pointer, dx: needDx ? dx : nil, rows: rows)
    }
    guard !convs.isEmpty else { return }
    let convFeatures = convs[convs.count - 1].outputSize
    let dLast = dConvOut[convs.count - 1].pointer
    for n in 0..<rows {
      (dLast + n * convFeatures).update(from: dConcat.pointer + n * concatSize, count: convFeatures)
    }
    for i in stride(from: convs.count - 1, through: 0, by: -1) {
      Activation.relu.backward(y: convOut[i].pointer, dy: dConvOut[i].pointer, count: rows * convs[i].outputSize)
      let wantDx = i > 0 || embedding != nil
      let dx = i == 0 ? dConvIn.pointer : dConvOut[i - 1].pointer
      convs[i].backward(
        params, grads: grads, columns: columns[i].pointer, dy: dConvOut[i].pointer, dx: wantDx ? dx : nil,
        scratch: wantDx ? scratch.pointer : nil, rows: rows)
    }
    if let embedding, let idx = parts.indices {
      let pixels = parts.height * parts.width
      let mapChannels = parts.map?.channels ?? 0
      let d = embedding.dimension
      for n in 0..<rows {
        let row = observations + n * parts.rowSize
        let src = dConvIn.pointer + n * pixels * inChannels
        for k in 0..<idx.channels {
          embedding.backward(
            grads: grads, codes: row + idx.offset + k * pixels, dy: src + mapChannels + k * d, ldy: inChannels,
            count: pixels)
        }
      }
    }
  }
}
