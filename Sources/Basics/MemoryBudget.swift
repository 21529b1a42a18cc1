// How much memory one process may plan to use: the limit that up-front size checks compare
// their estimates with.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The memory a run may plan for: 80% of the machine's physical memory, or
/// `ECONOMIST_MEMORY_LIMIT_GB` gigabytes when that variable is set.
///
/// Checks that would otherwise fail deep inside an allocation (a batch of 10⁸ steps, thousands
/// of environments) compare their estimate with it first and refuse with both numbers.
public enum MemoryBudget {
  /// The variable that overrides the limit, in GiB (`ECONOMIST_MEMORY_LIMIT_GB=64`).
  public static let variable = "ECONOMIST_MEMORY_LIMIT_GB"

  /// The machine's physical memory in bytes (0 when the system does not say).
  public static var physicalBytes: Double {
    Double(max(0, sysconf(Int32(_SC_PHYS_PAGES)))) * Double(max(0, sysconf(Int32(_SC_PAGESIZE))))
  }

  /// The limit in bytes and where it came from, for messages.
  public static var limit: (bytes: Double, source: String) {
    if let text = getenv(variable).map({ String(cString: $0) }), let gib = Double(text), gib > 0, gib.isFinite {
      return (gib * 1_073_741_824, "\(variable)")
    }
    let physical = physicalBytes
    return (0.8 * physical, "80% of this machine's \(gibibytes(physical)) GiB; \(variable) overrides it")
  }

  /// `bytes` in GiB with one decimal.
  public static func gibibytes(_ bytes: Double) -> String {
    let tenths = (bytes / 1_073_741_824 * 10).rounded()
    return tenths.isFinite && tenths < 1e15 ? "\(Int(tenths) / 10).\(Int(tenths) % 10)" : "\(bytes / 1_073_741_824)"
  }

  /// `bytes` with one decimal in the largest unit of B, KiB, MiB, GiB that keeps it at least 1.
  public static func size(_ bytes: Double) -> String {
    var value = bytes
    for unit in ["B", "KiB", "MiB"] {
      if abs(value) < 1024 || !value.isFinite {
        return unit == "B" ? "\(Int(value.isFinite ? value : 0)) B" : tenths(value, unit)
      }
      value /= 1024
    }
    return tenths(value, "GiB")
  }

  private static func tenths(_ value: Double, _ unit: String) -> String {
    let t = (value * 10).rounded()
    return t.isFinite && abs(t) < 1e15 ? "\(Int(t) / 10).\(abs(Int(t)) % 10) \(unit)" : "\(value) \(unit)"
  }

  /// Why `bytes` of planned memory do not fit under ``limit``, or nil when they do: "`what` need
  /// about N GiB (`detail`), more than the memory limit of M GiB (source): `advice`" (sizes in
  /// ``size(_:)``'s units).
  public static func problem(
    bytes: Double, what: String, detail: String, advice: String,
    limit: (bytes: Double, source: String) = MemoryBudget.limit
  ) -> String? {
    guard bytes > limit.bytes || !bytes.isFinite else { return nil }
    return "\(what) need about \(size(bytes)) (\(detail)), more than the memory limit of "
      + "\(size(limit.bytes)) (\(limit.source)): \(advice)"
  }
}
