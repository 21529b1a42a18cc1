import Foundation
import Testing

@testable import Economy

/// The tutorials cannot rot: every command in their `sh` blocks runs.
///
/// Commands run in order, with small budgets (1 training iteration, 1 episode), in a scratch
/// directory that sees the repository's `scenarios/`, `Examples/` and `pretrained/`. The Python
/// tutorials are run by the Python tests: `5-python.md` by `python/tests/test_tutorial.py`,
/// `6-rllib.md` by `python/tests_rllib/test_tutorial.py`.
@Suite("Tutorials", .serialized)
struct TutorialTests {
  static let directory = repositoryRoot + "/tutorials"
  static let tutorials: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".md") && !["5-python.md", "6-rllib.md"].contains($0) }.sorted()
  }()

  /// The commands of the `sh` blocks of a Markdown text, continuation lines joined.
  static func commands(_ markdown: String) -> [String] {
    var out: [String] = []
    var inBlock = false
    var pending = ""
    for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("```") {
        inBlock = !inBlock && line == "```sh"
        continue
      }
      guard inBlock, !line.isEmpty, !line.hasPrefix("#") else { continue }
      if line.hasSuffix("\\") {
        pending += line.dropLast() + " "
      } else {
        out.append(pending + line)
        pending = ""
      }
    }
    return out
  }

  /// `command` with test-sized budgets: one training iteration, one episode, one warm-up episode.
  static func budgeted(_ words: [String]) -> [String] {
    var words = words
    for (flag, value) in [("--iterations", "1"), ("--episodes", "1"), ("--warmup", "1")] {
      if let i = words.firstIndex(of: flag), i + 1 < words.count { words[i + 1] = value }
    }
    if words.count > 1 && words[0] == "economist" && words[1] == "train" && !words.contains("--iterations") {
      words += ["--iterations", "1"]
    }
    return words
  }

  @Test func theSwiftTutorialsAreThereAndEachHasCommands() throws {
    #expect(
      Self.tutorials == [
        "1-basics.md", "2-extending.md", "3-optimal-taxation.md", "4-training.md", "7-one-step-economy.md",
      ])
    for name in Self.tutorials {
      let text = try String(contentsOfFile: Self.directory + "/" + name, encoding: .utf8)
      #expect(!Self.commands(text).isEmpty, "\(name)")
    }
  }

  @Test(arguments: tutorials)
  func everyCommandRuns(_ name: String) throws {
    let text = try String(contentsOfFile: Self.directory + "/" + name, encoding: .utf8)
    let scratch = try makeTemporaryDirectory("economist-tutorial")
    defer { removeTemporaryDirectory(scratch) }
    let fm = FileManager.default
    for linked in ["scenarios", "Examples", "pretrained"] {
      try fm.createSymbolicLink(
        atPath: joinPath(scratch, linked), withDestinationPath: joinPath(repositoryRoot, linked))
    }
    for command in Self.commands(text) {
      #expect(!command.contains("\"") && !command.contains("'"), "\(name): quoting is not supported: \(command)")
      let words = Self.budgeted(command.split(separator: " ").map(String.init))
      let program: String?
      let arguments: [String]
      switch words.first {
      case "economist":
        (program, arguments) = (builtExecutable("economist"), Array(words.dropFirst()))
      case "swift" where words.count > 2 && words[1] == "run":
        (program, arguments) = (builtExecutable(words[2]), Array(words.dropFirst(3)))
      default:
        Issue.record("\(name): a command this runner does not know: \(command)")
        continue
      }
      let path = try #require(program, "\(name): not built next to the tests: \(command)")
      let result = try runProgram(path, arguments, in: scratch)
      #expect(result.status == 0, "\(name): `\(command)` failed:\n\(result.stderr)")
      if result.status != 0 { return }
    }
  }
}
