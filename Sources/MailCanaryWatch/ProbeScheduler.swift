import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryStorage
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Runs every job at its planned times with bounded concurrency: a timer task hands due runs to
/// a fixed pool of workers. Decisions (what is due, overlaps, missed runs) are the planner's;
/// this type only sleeps, runs and records. A hung target holds one worker for at most the
/// probe's timeout (probes are bounded), so the others keep going.
public final class ProbeScheduler: Service {
    public typealias Claim = @Sendable (PlannedRun) async -> Bool

    let jobs: [String: ProbeJob]
    let planner: NIOLockedValueBox<SchedulePlanner>
    let concurrency: Int
    let origin: String
    let sink: any ResultSink
    let claim: Claim?
    let logger: Logger
    public let stats = SchedulerStats()

    /// - Parameters:
    ///   - jobs: the jobs with the region each runs for.
    ///   - origin: `server` or `agent:ID`, stamped on every result.
    ///   - claim: asked before each run when several replicas share the work (PostgreSQL).
    public init(jobs: [(job: ProbeJob, region: String)], scheduler: SchedulerConfig, origin: String,
                sink: any ResultSink, claim: Claim? = nil, nowMs: Int64, logger: Logger) {
        var byKey: [String: ProbeJob] = [:]
        for (job, region) in jobs { byKey["\(job.probe.id)@\(region)"] = job }
        self.jobs = byKey
        planner = NIOLockedValueBox(SchedulePlanner(
            probes: jobs.map { (probeID: $0.job.probe.id, region: $0.region, interval: $0.job.probe.interval) },
            jitter: scheduler.jitter, nowMs: nowMs))
        concurrency = max(scheduler.concurrency, 1)
        self.origin = origin
        self.sink = sink
        self.claim = claim
        self.logger = logger
    }

    public var jobCount: Int { jobs.count }

    public func run() async throws {
        let (runs, queue) = AsyncStream.makeStream(of: PlannedRun.self)
        let stopping = NIOLockedValueBox(false)
        await withDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask {
                    for await run in runs {
                        // Runs still queued at shutdown are dropped, not started.
                        if !stopping.withLockedValue({ $0 }) { await self.execute(run) }
                        self.planner.withLockedValue { $0.finished(run) }
                    }
                }
            }
            group.addTask {
                // The timer stops at once on graceful shutdown; running probes finish (bounded by
                // their timeouts) and queued ones are dropped.
                await withGracefulShutdownHandler {
                    await cancelWhenGracefulShutdown { await self.tick(queue) }
                } onGracefulShutdown: {
                    stopping.withLockedValue { $0 = true }
                }
                queue.finish()
            }
        }
        logger.info("scheduler stopped", metadata: ["started": "\(stats.snapshot.started)"])
    }

    private func tick(_ queue: AsyncStream<PlannedRun>.Continuation) async {
        while !Task.isCancelled {
            let now = Self.nowMs()
            let (due, next, overlaps, behind) = planner.withLockedValue { planner in
                let due = planner.due(nowMs: now)
                return (due, planner.nextDueMs, planner.skippedOverlaps, planner.skippedBehind)
            }
            stats.skipped(overlaps: overlaps, behind: behind)
            for run in due {
                if case .terminated = queue.yield(run) { return }
            }
            // With nothing scheduled the timer idles until shutdown: a service that returned early
            // would stop the whole group.
            let wait = next.map { max($0 - Self.nowMs(), 0) } ?? 1_000
            if wait > 0 {
                do { try await Task.sleep(for: .milliseconds(min(wait, 1_000))) } catch { return }
            }
        }
    }

    private func execute(_ run: PlannedRun) async {
        guard let job = jobs[run.key] else { return }
        if let claim, await !claim(run) {
            stats.notClaimed()
            return
        }
        let startedAt = Date()
        stats.started(lagMs: Double(startedAt.millisecondsSince1970 - run.plannedAtMs))
        let result = await job.run(now: startedAt)
        stats.finished()
        await sink.accept(StoredResult(result, probeID: job.probe.id, service: job.probe.service, region: run.region,
                                       origin: origin, startedAt: startedAt,
                                       plannedAt: Date(millisecondsSince1970: run.plannedAtMs)))
    }

    static func nowMs() -> Int64 { Date().millisecondsSince1970 }
}
