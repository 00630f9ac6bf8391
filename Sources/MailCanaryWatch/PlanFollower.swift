import Logging
import ServiceLifecycle

/// Runs the agent's plan and follows the server's changes to it: every `refresh` it asks for the
/// plan again, and when ``PlanRefresh`` says it changed (the server restarted with another
/// configuration), the running schedule stops (probes in flight finish and their results are
/// spooled as usual) and one for the new plan starts. While the server is away the plan in use
/// stays; nothing is dropped. Ends on graceful shutdown, with the scheduler.
public final class PlanFollower: Service {
    public typealias Fetch = @Sendable () async throws -> AgentPlan
    public typealias MakeScheduler = @Sendable (AgentPlan) -> ProbeScheduler

    let initial: AgentPlan
    let refresh: Duration
    let fetch: Fetch
    let makeScheduler: MakeScheduler
    let adopted: @Sendable (AgentPlan) -> Void
    let logger: Logger

    /// - Parameters:
    ///   - adopted: called with each new plan before it runs (the agent keeps it on disk).
    public init(plan: AgentPlan, refresh: Duration, fetch: @escaping Fetch, makeScheduler: @escaping MakeScheduler,
                adopted: @escaping @Sendable (AgentPlan) -> Void = { _ in }, logger: Logger) {
        initial = plan
        self.refresh = refresh
        self.fetch = fetch
        self.makeScheduler = makeScheduler
        self.adopted = adopted
        self.logger = logger
    }

    public func run() async throws {
        var plan = initial
        while true {
            let scheduler = makeScheduler(plan)
            let current = plan
            let next: AgentPlan? = await withTaskGroup(of: AgentPlan?.self) { group in
                group.addTask {
                    do { try await scheduler.run() } catch { self.logger.error("scheduler failed", metadata: ["error": "\(error)"]) }
                    return nil
                }
                group.addTask { await self.watch(current) }
                // Whichever ends first ends the other: a new plan stops the scheduler (its timer
                // is cancelled, running probes finish); a scheduler stopped by shutdown stops the watch.
                var changed: AgentPlan?
                for await outcome in group {
                    if let outcome { changed = outcome }
                    group.cancelAll()
                }
                return changed
            }
            guard let next, !Task.isShuttingDownGracefully else { return }
            plan = next
        }
    }

    /// Asks for the plan every `refresh` until it changes (returned) or the task is cancelled (nil).
    private func watch(_ current: AgentPlan) async -> AgentPlan? {
        var lastProblem: String?
        while !Task.isCancelled {
            do { try await Task.sleep(for: refresh) } catch { return nil }
            let fetched: AgentPlan
            do {
                fetched = try await fetch()
            } catch {
                let problem = "\(error)"
                if problem != lastProblem { logger.warning("cannot refresh the plan; keeping the one in use", metadata: ["reason": "\(problem)"]) }
                lastProblem = problem
                continue
            }
            lastProblem = nil
            switch PlanRefresh.decide(current: current, fetched: fetched) {
            case .keep:
                continue
            case .ignore(let why):
                logger.warning("plan from the server ignored", metadata: ["reason": "\(why)"])
            case .replace(let plan, let summary):
                logger.notice("the server's plan changed; restarting the schedule", metadata: [
                    "change": "\(summary)", "probes": "\(plan.probes.count)"])
                adopted(plan)
                return plan
            }
        }
        return nil
    }
}
