// virtual-store: runs episodes of a config that names the VirtualStore component, with random
// valid actions, and writes their dense logs (then draw them with `economist plot`).
//
//   swift run virtual-store Examples/VirtualStore/virtual_store.yaml out/store [--episodes N]

import Basics
import Economy
import Foundation

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data((message + "\n").utf8))
  exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var episodes = 1
if let i = arguments.firstIndex(of: "--episodes") {
  guard i + 1 < arguments.count, let n = Int(arguments[i + 1]), n >= 1 else {
    fail("--episodes expects a positive integer")
  }
  episodes = n
  arguments.removeSubrange(i...(i + 1))
}
guard arguments.count == 2 else { fail("usage: virtual-store CONFIG OUT_DIR [--episodes N]") }
let (configPath, directory) = (arguments[0], arguments[1])

// The built-in components plus ours: configs can now name `VirtualStore`.
let registry: ComponentRegistry
do {
  registry = try ComponentRegistry.builtIn.adding(VirtualStore.self)
} catch {
  fail("\(error)")
}
var env: Environment
do {
  env = try Environment(configFile: configPath, registry: registry)
} catch {
  fail("\(error)")
}
do {
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
} catch {
  fail("\(directory): \(error.localizedDescription)")
}
for episode in 0..<episodes {
  let summary = EpisodeRunner.runRandomEpisode(&env, seed: UInt64(episode), forceDenseLog: true)
  let rations = summary.metric("VirtualStore/total_rations") ?? 0
  let productivity = summary.metric("social/productivity") ?? 0
  print("episode \(episode): \(Int(rations)) rations bought, productivity \(String(format: "%.1f", productivity))")
  guard let log = summary.denseLog else { fail("the episode kept no dense log") }
  let path = "\(directory)/episode_\(String(format: "%03d", episode)).json"
  do {
    try AtomicFile.write(log.jsonBytes(), to: path)
  } catch {
    fail("\(error)")
  }
  print("dense log: \(path)")
}
