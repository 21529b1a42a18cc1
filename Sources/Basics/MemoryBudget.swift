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
}
