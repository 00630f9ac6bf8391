import NIOCore

/// Runs a probe's task on the event loop that owns its connections.
///
/// Without it every server answer resumes the probe on Swift's cooperative pool and every
/// command wakes the event loop again: two thread handoffs per round trip, which on two cores
/// cost more CPU than the protocol work. With the probe's jobs enqueued on the same loop,
/// `channelRead` resumes the probe in the loop's own turn and writes happen in place
/// (SE-0417 task executor preference). Probes do no blocking work; DNS goes to the thread pool.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute {
            job.runSynchronously(on: executor)
        }
    }
}
