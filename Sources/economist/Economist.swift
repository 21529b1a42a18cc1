import ArgumentParser

/// The `economist` command-line tool.
@main
struct Economist: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "economist",
    abstract: "Economic simulation and multi-agent reinforcement learning: Foundation's economy, in Swift.",
    subcommands: [
      Simulate.self, Inspect.self, Train.self, Evaluate.self, Compare.self, Replay.self, Plot.self, Bench.self,
    ]
  )
}
