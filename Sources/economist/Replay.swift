import ArgumentParser
import Economy
import Foundation

struct Replay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Re-simulate an episode from a trace file and write its dense log.")

  @Argument(help: "Trace file: {\"env\": {...}, \"initial_state\": {...}, \"actions\": [...]}.")
  var trace: String

  @Option(help: "Where to write the dense log (.json, or .lz4 for Foundation's format).")
  var denseLog: String

  func validate() throws {
    guard !denseLog.isEmpty else { throw ValidationError("--dense-log needs a file name, found an empty one") }
    let paths = [trace, denseLog].map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
    guard paths[0] != paths[1] else {
      throw ValidationError(
        "--dense-log \(denseLog) is the trace itself; writing the log there would replace the trace")
    }
  }

  func run() throws {
    do {
      let t = try Trace.load(path: trace)
      let result = try Economy.Replay.run(t)
      try DenseLog.write(bytes: result.log.jsonBytes(), path: denseLog)
      print("replayed \(result.log.steps) steps; dense log written to \(denseLog)")
    } catch let error as ConfigError {
      throw ExitMessage(text: error.description)
    } catch let error as DenseLogError {
      throw ExitMessage(text: error.description)
    }
  }
}
