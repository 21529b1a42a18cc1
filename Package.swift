// swift-tools-version:6.0
// Economist: economic simulation and multi-agent reinforcement learning in Swift.
//
// Module boundaries (each target's dependencies below are the whole truth):
// - `Basics` is the leaf: plumbing with no domain in it (random bits, files, JSON, CSV, fixed
//   buffers, the worker pool); it imports nothing of ours.
// - `Economy` (world, components, scenarios, configs, dense logs) imports `Basics`, the `CLZ4`
//   shim (Foundation's `.lz4` dense logs) and Yams (YAML configs).
// - `NN` (layers, Adam) imports `Basics` and is the only module that calls OpenBLAS, through the
//   `CBLAS` shim.
// - `RL` (env contract, spaces, batches, PPO, trainer, checkpoints) imports `Basics` and `NN`,
//   never `Economy`.
// - `EconomyEnv` is the only module that knows both `Economy` and `RL`: the adapter, vectorized
//   envs, training, evaluation and comparison runs.
// - `Plots` draws dense logs and training results: `Economy` for the logs, Cairo through
//   `CCairo`, PNG through `CPNG`.
// - The `economist` executable is thin glue over the libraries (swift-argument-parser);
//   `virtual-store` is tutorial 2's example component, built against `Economy` alone.
// - One test target per library, named after it, importing only what it tests (and the
//   modules below it that its fixtures need).
import PackageDescription

let package = Package(
  name: "Economist",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "economist", targets: ["economist"]),
    .library(name: "Economy", targets: ["Economy"]),
    .library(name: "NN", targets: ["NN"]),
    .library(name: "RL", targets: ["RL"]),
    .library(name: "EnvContract", targets: ["EnvContract"]),
    .library(name: "EconomyEnv", targets: ["EconomyEnv"]),
    .library(name: "EconomyTraining", targets: ["EconomyTraining"]),
    .library(name: "Plots", targets: ["Plots"]),
    .library(name: "economist_c", type: .dynamic, targets: ["EconomistC"]),
    .library(name: "economist_plots", type: .dynamic, targets: ["EconomistPlotsC"]),
    .library(name: "economist_fuzz", type: .dynamic, targets: ["FuzzTargets"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
  ],
  targets: [
    // Plumbing every module shares and nothing of ours below it: the xoshiro256** generator,
    // atomic durable file writes and whole-file reads, the JSON reader and writer, the CSV
    // reader, fixed-size buffers, the worker pool.
    .target(name: "Basics"),
    .systemLibrary(
      name: "CLZ4",
      pkgConfig: "liblz4",
      providers: [.apt(["liblz4-dev"])]
    ),
    .target(
      name: "Economy",
      dependencies: ["Basics", "CLZ4", .product(name: "Yams", package: "Yams")]
    ),
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .target(name: "NN", dependencies: ["Basics", "CBLAS"]),
    .target(name: "EnvContract", dependencies: ["Basics"]),
    .target(name: "RL", dependencies: ["Basics", "EnvContract", "NN"]),
    .target(name: "EconomyEnv", dependencies: ["Basics", "Economy", "EnvContract"]),
    .target(name: "EconomyTraining", dependencies: ["Basics", "Economy", "EconomyEnv", "EnvContract", "NN", "RL"]),
    .systemLibrary(
      name: "CCairo",
      pkgConfig: "cairo",
      providers: [.apt(["libcairo2-dev"])]
    ),
    .systemLibrary(
      name: "CPNG",
      pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]
    ),
    .target(name: "Plots", dependencies: ["Basics", "CCairo", "CPNG", "Economy"]),
    .executableTarget(
      name: "economist",
      dependencies: [
        "Basics", "Economy", "EnvContract", "NN", "RL", "EconomyEnv", "EconomyTraining", "Plots",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Tutorial 2's example: a component written against Economy's public API.
    .target(name: "ABISupport"),
    .target(
      name: "EconomistC", dependencies: ["ABISupport", "Basics", "Economy", "EconomyEnv", "EnvContract"],
      exclude: ["exports.map"],
      linkerSettings: [
        .unsafeFlags([
          "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/EconomistC/exports.map",
          "-Xlinker", "--gc-sections", "-Xlinker", "--as-needed",
        ])
      ]),
    .target(
      name: "EconomistPlotsC", dependencies: ["ABISupport", "Basics", "Economy", "Plots"],
      linkerSettings: [
        .unsafeFlags([
          "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/EconomistC/exports.map",
          "-Xlinker", "--gc-sections", "-Xlinker", "--as-needed",
        ])
      ]),
    .executableTarget(
      name: "virtual-store", dependencies: ["Basics", "Economy"], path: "Examples/VirtualStore",
      exclude: ["virtual_store.yaml"]),
    // Seeded mutation of valid inputs, shared by the fuzz tests of each test target.
    .target(name: "FuzzSupport", dependencies: ["Basics"], path: "Tests/FuzzSupport"),
    .target(name: "FuzzTargets", dependencies: ["Basics", "Economy", "Plots", "RL"], path: "Tests/FuzzTargets"),
    .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
    .testTarget(
      name: "EconomyTests",
      dependencies: ["Basics", "Economy", "FuzzSupport"],
      exclude: ["Snapshots"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(name: "NNTests", dependencies: ["Basics", "NN"]),
    .testTarget(name: "RLTests", dependencies: ["Basics", "EnvContract", "RL", "NN", "FuzzSupport"]),
    .testTarget(
      name: "EconomyEnvTests",
      dependencies: ["Basics", "EconomyEnv", "EconomyTraining", "Economy", "EnvContract", "NN", "RL", "FuzzSupport"]),
    .testTarget(
      name: "PlotsTests", dependencies: ["Basics", "Plots", "Economy", "FuzzSupport"], exclude: ["Golden", "Fixtures"]),
  ]
)
