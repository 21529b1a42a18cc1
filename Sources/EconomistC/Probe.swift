import Economy
import EconomyEnv

@_cdecl("economist_probe")
public func economistProbe() -> Int32 {
  (try? EconomyVectorEnv(config: EnvironmentConfig.parse(yaml: "n_agents: 2", file: nil), envs: 1)) == nil ? 0 : 1
}
