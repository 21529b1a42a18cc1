extension JSONObject: ExpressibleByDictionaryLiteral {
  /// An object with the literal's entries, in order.
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self.init(elements.map { (key: $0.0, value: $0.1) })
  }
}
