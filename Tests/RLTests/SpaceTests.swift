import EnvContract
import Testing

@testable import RL

@Suite("Spaces")
struct SpaceTests {
  @Test func printedLikeGymnasium() {
    #expect(Space.discrete(50).description == "Discrete(50)")
    #expect(Space.multiDiscrete([22, 22, 5]).description == "MultiDiscrete([22 22 5])")
    #expect(Space.box(.unbounded([136], .float32)).description == "Box(-1e+20, 1e+20, (136,), float32)")
    #expect(Space.box(Box(shape: [2, 3], dtype: .int16, low: 0, high: 7)).description == "Box(0, 7, (2, 3), int16)")
    let dict = Space.dict(DictSpace([("b", .discrete(2)), ("a", .box(.unbounded([], .float64)))]))
    #expect(dict.description == "Dict('b': Discrete(2), 'a': Box(-1e+20, 1e+20, (), float64))")
    #expect(dict.keys == ["b", "a"])
  }

  @Test func flatCountsAndLookup() {
    let inner = Space.dict(DictSpace([("x", .box(.unbounded([], .float64))), ("y", .box(.unbounded([3], .float32)))]))
    let space = Space.dict(DictSpace([("map", .box(.unbounded([2, 3, 4], .float32))), ("p0", inner)]))
    #expect(space.flatCount == 24 + 1 + 3)
    #expect(space["p0"]?["y"] == .box(.unbounded([3], .float32)))
    #expect(space["missing"] == nil)
    #expect(Space.discrete(9).flatCount == 1)
    #expect(Space.multiDiscrete([3, 4]).flatCount == 2)
  }

  @Test func actionMembership() {
    #expect(Space.discrete(50).contains(.discrete(0)))
    #expect(Space.discrete(50).contains(.discrete(49)))
    #expect(!Space.discrete(50).contains(.discrete(50)))
    #expect(!Space.discrete(50).contains(.discrete(-1)))
    #expect(!Space.discrete(50).contains(.multiDiscrete([1])))
    #expect(Space.multiDiscrete([22, 22]).contains(.multiDiscrete([21, 0])))
    #expect(!Space.multiDiscrete([22, 22]).contains(.multiDiscrete([22, 0])))
    #expect(!Space.multiDiscrete([22, 22]).contains(.multiDiscrete([1])))
    #expect(!Space.multiDiscrete([22]).contains(.discrete(1)))
  }

  @Test func intBoxesUseTheirTypesRange() {
    let b = Box.unbounded([2], .int16)
    #expect(b.low == -32768 && b.high == 32767)
    #expect(Box.unbounded([1], .float64).high == 1e20)
  }
}

@Suite("Tensors and observations")
struct TensorTests {
  @Test func typedStorage() {
    let t = Tensor(shape: [2, 2], storage: .int16([1, 2, 3, -4]))
    #expect(t.dtype == .int16)
    #expect(t.count == 4)
    #expect(t.doubles == [1, 2, 3, -4])
    #expect(Tensor(shape: [], storage: .float64([0.5])).doubles == [0.5])
  }

  @Test func orderedKeysAndNesting() {
    var inner = Observation()
    inner.append("z", .tensor(Tensor(shape: [], storage: .float64([1]))))
    var o = Observation()
    o.append("b", .tensor(Tensor(shape: [1], storage: .float32([2]))))
    o.append("a", .dict(inner))
    #expect(o.keys == ["b", "a"])
    #expect(o.tensor("b")?.doubles == [2])
    #expect(o.tensor("a") == nil)
    if case .dict(let d)? = o["a"] { #expect(d.tensor("z")?.doubles == [1]) } else { Issue.record("no nested dict") }
  }
}

@Suite("Policy mapping and errors")
struct PolicyMappingTests {
  @Test func foundationMapping() {
    let m = PolicyMapping.foundation(mobileAgents: 3)
    #expect(m.policies == [.agents, .planner])
    #expect(m.agents(of: .agents) == ["0", "1", "2"])
    #expect(m.policy(of: "p") == .planner)
    #expect(m.policy(of: "2") == .agents)
    #expect(m.policies.map(\.name) == ["a", "p"] && m.policies.map(\.role) == [.agents, .planner])
    #expect(m.policy(of: "3") == nil)
  }

  @Test func errorMessages() {
    #expect(
      EnvError.actionOutsideSpace(agent: "2", action: "57", space: "Discrete(50)").description
        == "agent '2': action 57 is outside its action space Discrete(50)")
    #expect(
      EnvError.unknownAgent("7", known: ["0", "1", "2", "3", "p"]).description
        == "unknown agent '7' in the action dictionary; expected '0', '1', '2', '3', 'p'")
    #expect(
      EnvError.unknownAgent("x", known: (0..<10).map(String.init) + ["p"]).description
        == "unknown agent 'x' in the action dictionary; expected '0' to '9' or 'p'")
    #expect(
      EnvError.episodeOver(length: 1000).description
        == "step() after the episode ended (episode_length 1000); call reset() first")
  }
}
