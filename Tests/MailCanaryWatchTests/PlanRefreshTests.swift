import MailCanaryConfig
import MailCanaryCore
import MailCanaryWatch
import Testing

@Suite("Plan refresh decisions")
struct PlanRefreshTests {
    static func probe(_ name: String, interval: Duration = .seconds(60)) -> ProbeConfig {
        ProbeConfig(id: "lab/\(name)", service: "lab", path: .tcp, target: "tcp://127.0.0.1:1", interval: interval,
                    timeout: .seconds(5), regions: ["apac"])
    }

    static let current = AgentPlan(agent: "apac-1", region: "apac", scheduler: SchedulerConfig(),
                                   probes: [probe("a"), probe("b")], credentials: [:])

    @Test("the same plan is kept; another region's plan is ignored with the reason")
    func keepAndIgnore() {
        #expect(PlanRefresh.decide(current: Self.current, fetched: Self.current) == .keep)
        var other = Self.current
        other.region = "na"
        #expect(PlanRefresh.decide(current: Self.current, fetched: other) == .ignore("the server sent a plan for region na, not apac"))
    }

    @Test("a changed plan replaces the running one, and the log says what changed")
    func replace() {
        var fetched = Self.current
        fetched.probes = [Self.probe("b", interval: .seconds(30)), Self.probe("c")]
        fetched.scheduler.concurrency = 8
        #expect(PlanRefresh.decide(current: Self.current, fetched: fetched)
                == .replace(fetched, summary: "added lab/c; removed lab/a; changed lab/b; scheduler settings changed"))
    }
}
