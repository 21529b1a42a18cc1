// swift-tools-version:6.0
// Economist: economic simulation and multi-agent reinforcement learning in Swift.
//
// Module boundaries (see DEVELOPERS.md): `Economy` imports nothing of ours
// except the `CLZ4` system-library shim it needs for Foundation's `.lz4` dense
// logs; `RL` (env contract, spaces, vectorized batches) never imports `Economy`;
// `NN` (slabs, layers, Adam) is the only module that calls OpenBLAS, through
// the `CBLAS` shim; `RL` (PPO, trainer) imports `NN`; `EconomyEnv` is the only module that knows both;
// `Plots` draws dense logs and training results (Cairo through `CCairo`, PNG through `CPNG`); the
// `economist` executable is thin glue over the libraries.
import PackageDescription

let package = Package(
  name: "Economist",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "economist", targets: ["economist"]),
    .library(name: "Economy", targets: ["Economy"]),
    .library(name: "NN", targets: ["NN"]),
    .library(name: "RL", targets: ["RL"]),
    .library(name: "EconomyEnv", targets: ["EconomyEnv"]),
    .library(name: "Plots", targets: ["Plots"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
  ],
  targets: [
    // Plumbing every module shares and nothing of ours below it: the xoshiro256** generator,
    // atomic durable file writes and whole-file reads, the JSON reader and writer, the CSV
    // reader, fixed-size buffers.
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
    .target(name: "RL", dependencies: ["Basics", "NN"]),
    .target(name: "EconomyEnv", dependencies: ["Basics", "Economy", "NN", "RL"]),
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
        "Basics", "Economy", "NN", "RL", "EconomyEnv", "Plots",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Tutorial 2's example: a component written against Economy's public API.
    .executableTarget(
      name: "virtual-store", dependencies: ["Basics", "Economy"], path: "Examples/VirtualStore", exclude: ["virtual_store.yaml"]),
    .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
    .testTarget(
      name: "EconomyTests",
      dependencies: ["Basics", "Economy"],
      exclude: ["Snapshots"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(name: "NNTests", dependencies: ["Basics", "NN"]),
    .testTarget(name: "RLTests", dependencies: ["Basics", "RL", "NN"]),
    .testTarget(name: "EconomyEnvTests", dependencies: ["Basics", "EconomyEnv", "Economy", "NN", "RL"]),
    .testTarget(name: "PlotsTests", dependencies: ["Basics", "Plots", "Economy"], exclude: ["Golden", "Fixtures"]),
  ]
)
