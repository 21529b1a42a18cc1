import Foundation
import Synchronization

/// A fixed set of threads that run one job on every thread index and wait for all of them.
///
/// ``run(_:)`` calls `body(0)` on the calling thread and `body(1)…body(threads - 1)` on the pool's
/// threads, then returns when all have finished. Nothing is allocated per call, so it can sit on
/// a hot path (a vectorized environment step). Idle threads spin briefly for the next job (a
/// wake-up through the kernel costs tens of microseconds) and then sleep. The threads end when
/// the pool is released.
public final class WorkerPool: Sendable {
  /// Number of thread indices a job runs on (the caller's thread included).
  public let threads: Int
  private let shared: Shared

  /// State shared with the threads.
  private final class Shared: @unchecked Sendable {
    /// Bumped (releasing) after `job` is set: a new job to run.
    let generation = Atomic<Int>(0)
    /// Threads still running the current job.
    let pending = Atomic<Int>(0)
    /// Threads sleeping on `condition`.
    let sleepers = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    let condition = NSCondition()
    /// Written only while no job runs.
    var job: ((Int) -> Void)?
    let spins: Int

    init(spins: Int) { self.spins = spins }

    func loop(index: Int) {
      var seen = 0
      while true {
        var spun = 0
        while generation.load(ordering: .acquiring) == seen && spun < spins && !stopping.load(ordering: .relaxed) {
          spun += 1
        }
        if generation.load(ordering: .acquiring) == seen {
          condition.lock()
          sleepers.add(1, ordering: .sequentiallyConsistent)
          while generation.load(ordering: .sequentiallyConsistent) == seen && !stopping.load(ordering: .relaxed) {
            condition.wait()
          }
          sleepers.subtract(1, ordering: .sequentiallyConsistent)
          condition.unlock()
        }
        if stopping.load(ordering: .relaxed) { return }
        seen = generation.load(ordering: .acquiring)
        runJob(index)
        pending.subtract(1, ordering: .releasing)
      }
    }

    // A separate function, so the worker's reference to the job ends before `pending` drops.
    @inline(never) func runJob(_ index: Int) { job?(index) }

    func wakeSleepers() {
      guard sleepers.load(ordering: .sequentiallyConsistent) > 0 else { return }
      condition.lock()
      condition.broadcast()
      condition.unlock()
    }
  }

  /// Starts `threads - 1` threads.
  ///
  /// - Parameters:
  ///   - threads: thread indices per job, the caller's thread included.
  ///   - spins: polls of an idle thread before it sleeps (about 10–50 µs at the default).
  /// - Precondition: `threads >= 1`.
  public init(threads: Int, spins: Int = 20_000) {
    precondition(threads >= 1, "a worker pool needs at least one thread")
    self.threads = threads
    shared = Shared(spins: spins)
    for index in 1..<threads {
      let shared = self.shared
      let thread = Thread { shared.loop(index: index) }
      thread.name = "economist-worker-\(index)"
      thread.start()
    }
  }

  deinit {
    shared.stopping.store(true, ordering: .sequentiallyConsistent)
    shared.condition.lock()
    shared.condition.broadcast()
    shared.condition.unlock()
  }

  /// Runs `body(i)` for every `i` in `0..<threads`, in parallel, and returns when all are done.
  ///
  /// `body` must only write memory no other index writes.
  public func run(_ body: (Int) -> Void) {
    guard threads > 1 else {
      body(0)
      return
    }
    let s = shared
    withoutActuallyEscaping(body) { body in
      s.job = body
      s.pending.store(threads - 1, ordering: .relaxed)
      s.generation.add(1, ordering: .sequentiallyConsistent)
      s.wakeSleepers()
      body(0)
      var spun = 0
      while s.pending.load(ordering: .acquiring) > 0 {
        spun += 1
        if spun > s.spins { sched_yield() }
      }
      s.job = nil
    }
  }

  /// The range of `0..<count` that part `part` of `parts` handles (contiguous, sizes differ by
  /// at most one).
  public static func chunk(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
    let base = count / parts
    let extra = count % parts
    let start = part * base + min(part, extra)
    return start..<(start + base + (part < extra ? 1 : 0))
  }
}
