// "Did you mean …?" suggestions for misspelled names in configs.

/// Returns the name in `candidates` closest to `name`, if one is close enough to be a likely typo.
///
/// Distance is the case-insensitive optimal-string-alignment distance (Levenshtein plus
/// transposition of adjacent characters, so `Bulid` is one edit from `Build`). A candidate that
/// differs only in case has distance 0 and is always suggested.
///
/// The default threshold is `max(2, name.count / 3)` edits, but fewer edits than `name` has
/// characters, so short names are not "corrected" into unrelated ones (`e` never suggests `a`).
///
/// - Parameters:
///   - name: The unknown name the user wrote.
///   - candidates: The valid names, in the order they should win ties.
///   - maxDistance: The largest distance still worth suggesting; `nil` uses the default above.
/// - Returns: The closest candidate within the threshold; the first such candidate on ties; `nil`
///   when none is close enough. A candidate equal to `name` is never returned.
/// - Complexity: O(*m* · *n* · *k*) for *k* candidates of length *n* and a name of length *m*.
public func closestName(
  to name: String, among candidates: [String], maxDistance: Int? = nil
) -> String? {
  let typed = Array(name.lowercased())
  let limit = maxDistance ?? min(max(2, typed.count / 3), typed.count - 1)
  var best: (name: String, distance: Int)?
  for candidate in candidates where candidate != name {
    let distance = editDistance(typed, Array(candidate.lowercased()))
    if distance <= limit, distance < best?.distance ?? .max {
      best = (candidate, distance)
    }
  }
  return best?.name
}

/// Formats the " (did you mean 'x'?)" suffix for `name`, or an empty string when nothing is close.
func didYouMean(_ name: String, among candidates: [String]) -> String {
  closestName(to: name, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}

/// The optimal-string-alignment distance between two character arrays.
///
/// Insertions, deletions, substitutions and swaps of two adjacent characters each cost one edit.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  // Three rolling rows: i - 2, i - 1 and i.
  var previous2 = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        value = min(value, previous2[j - 2] + 1)
      }
      current[j] = value
    }
    (previous2, previous, current) = (previous, current, previous2)
  }
  return previous[b.count]
}
