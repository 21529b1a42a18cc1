/// The components a config may name, keyed by Foundation's names.
///
/// The registry is an explicit list of component types, built without import side effects:
/// users who write their own component pass `ComponentRegistry.builtIn.adding(MyComponent.self)`
/// to the environment. Names are unique; lookups are case-insensitive, like Foundation's.
public struct ComponentRegistry: Sendable {
  /// The registered types, in registration order.
  public let types: [any Component.Type]

  /// The built-in components: Build, ContinuousDoubleAuction, Gather, PeriodicBracketTax,
  /// SimpleLabor, WealthRedistribution.
  public static let builtIn = ComponentRegistry(uncheckedTypes: [
    Build.self, ContinuousDoubleAuction.self, Gather.self, PeriodicBracketTax.self, SimpleLabor.self,
    WealthRedistribution.self,
  ])

  /// Creates a registry.
  ///
  /// - Throws: ``RegistryError`` if two types share a name (case-insensitively).
  public init(_ types: [any Component.Type]) throws(RegistryError) {
    var seen: [String] = []
    for t in types {
      if seen.contains(t.name.lowercased()) { throw RegistryError(message: "duplicate component name '\(t.name)'") }
      if t.name.contains(".") { throw RegistryError(message: "component name '\(t.name)' must not contain '.'") }
      seen.append(t.name.lowercased())
    }
    self.types = types
  }

  private init(uncheckedTypes: [any Component.Type]) { self.types = uncheckedTypes }

  /// A registry with `type` added.
  public func adding(_ type: any Component.Type) throws(RegistryError) -> ComponentRegistry {
    try ComponentRegistry(types + [type])
  }

  /// The registered names, in registration order.
  public var names: [String] { types.map { $0.name } }

  /// The type registered under `name` (case-insensitive), or nil.
  public func type(named name: String) -> (any Component.Type)? {
    types.first { $0.name.lowercased() == name.lowercased() }
  }

  /// "Unknown component 'X'" with the closest registered name.
  public func unknownMessage(_ name: String) -> String {
    if let guess = closestName(to: name, among: names) {
      return "Unknown component '\(name)'. Did you mean '\(guess)'?"
    }
    return "Unknown component '\(name)'. Known components: \(names.joined(separator: ", "))"
  }
}

/// A registry built from conflicting component types.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong.
  public let message: String
  /// A readable description of the value.
  public var description: String { message }
}
