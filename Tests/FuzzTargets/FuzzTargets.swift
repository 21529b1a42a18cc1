// libFuzzer entry points over every reader of a file a user hands to economist: configs (and the
// environments they build), layouts, traces (and their replay), dense logs (JSON and LZ4, and
// the charts drawn from them), safetensors, checkpoint states and result logs on resume.
//
// Built only by scripts/fuzz.sh, with `-sanitize=fuzzer,address`, as a dynamic library that
// Fuzz/driver.swift links into a libFuzzer binary. A reader may accept or refuse an input; it
// must never trap, hang or read out of bounds.

import Basics
import Economy
import Foundation
import Plots

@testable import RL

/// The readers, by the names scripts/fuzz.sh uses (the corpus folders under Fuzz/corpus).
let targets: [(name: String, run: @Sendable ([UInt8]) -> Void)] = [
  ("config", config), ("layout", layout), ("trace", trace), ("denselog", denseLog), ("lz4", lz4),
  ("safetensors", safetensors), ("state", checkpointState), ("results", results),
]

/// The index of the target named `name` (a C string), or -1.
@_cdecl("economist_fuzz_target")
public func economistFuzzTarget(_ name: UnsafePointer<CChar>) -> CInt {
  let wanted = String(cString: name)
  return CInt(targets.firstIndex { $0.name == wanted } ?? -1)
}

/// Runs target `index` on `count` bytes.
@_cdecl("economist_fuzz_one")
public func economistFuzzOne(_ index: CInt, _ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  targets[Int(index)].run(Array(UnsafeBufferPointer(start: data, count: count)))
  return 0
}

/// A scratch directory for the readers that take paths, made once per process.
let scratch: String = {
  let path = NSTemporaryDirectory() + "economist-fuzz-\(getpid())"
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}()

func written(_ bytes: [UInt8], as name: String) -> String {
  let path = scratch + "/" + name
  FileManager.default.createFile(atPath: path, contents: Data(bytes))
  return path
}

func config(_ bytes: [UInt8]) {
  guard let parsed = try? EnvironmentConfig.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "f.yaml"),
    var env = try? Environment(config: parsed)
  else { return }
  env.reset(seed: 1)
  var sampler = RandomActions(seed: 2)
  for _ in 0..<3 where !env.isDone {
    sampler.fill(&env)
    env.step()
  }
}

func layout(_ bytes: [UInt8]) {
  _ = try? LayoutFile(text: String(decoding: bytes, as: UTF8.self), origin: "m.txt")
}

func trace(_ bytes: [UInt8]) {
  guard let trace = try? Trace.load(path: written(bytes, as: "trace.json")),
    trace.config.episodeLength <= 200
  else { return }
  _ = try? Replay.run(trace)
}

func denseLog(_ bytes: [UInt8]) {
  guard let log = try? DenseLog.load(path: written(bytes, as: "log.json")) else { return }
  guard let charts = try? EpisodeCharts(data: EpisodeData(log)) else { return }
  _ = charts.all()
}

func lz4(_ bytes: [UInt8]) {
  _ = try? LZ4Frame.decompress(bytes, limit: 1 << 24)
}

func safetensors(_ bytes: [UInt8]) {
  _ = try? SafeTensors(decoding: bytes, file: "f.safetensors")
}

func checkpointState(_ bytes: [UInt8]) {
  _ = try? Trainer.decodeState(Data(bytes), file: "state.json")
}

func results(_ bytes: [UInt8]) {
  let directory = scratch + "/run"
  try? FileManager.default.removeItem(atPath: directory)
  try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  // The input is result.json; progress.csv is rebuilt from it when it does not match.
  FileManager.default.createFile(atPath: directory + "/result.json", contents: Data(bytes))
  _ = try? ResultLog(directory: directory, resumeAfterIteration: 2)
}
