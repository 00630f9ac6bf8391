import MailCanaryConfig
import MailCanaryCore
import MailCanaryNotify
import Testing

@Suite("Notification planning: transitions, keys, reminders, maintenance, routing")
struct NotificationPlannerTests {
    typealias F = NotificationFixtures
    let planner = NotificationPlanner(remindEveryMs: 4 * 3_600_000)

    @Test("an incident's life gives one opening, escalations, a recovery, one resolution, each with a stable key")
    func life() throws {
        let opened = try #require(planner.plan(previous: nil, incident: F.incident(), nowMs: F.base, muted: false))
        #expect(opened.transitions.map(\.key) == ["contoso-20251125-0914/opened"])
        // Nothing new: nothing to say (and the state is not rewritten).
        #expect(planner.plan(previous: opened.state, incident: F.incident(), nowMs: F.base + 60_000, muted: false) == nil)
        // Worse, and wider.
        let worse = try #require(planner.plan(previous: opened.state, incident: F.incident(status: .serviceInterruption, paths: ["mapi-http", "autodiscover"], regions: ["apac", "na"]),
                                              nowMs: F.base + 120_000, muted: false))
        #expect(worse.transitions.map(\.kind) == [.escalated])
        #expect(worse.transitions[0].key == "contoso-20251125-0914/escalated/1")
        #expect(worse.transitions[0].summary == "now a service interruption; also autodiscover; also in na")
        // Degradation after interruption is not an escalation.
        #expect(planner.plan(previous: worse.state, incident: F.incident(status: .serviceDegradation, paths: ["mapi-http"], regions: ["apac"]),
                             nowMs: F.base + 180_000, muted: false) == nil)
        let recovering = try #require(planner.plan(previous: worse.state, incident: F.incident(status: .restoringService, recoveredMs: F.base + 240_000),
                                                   nowMs: F.base + 240_000, muted: false))
        #expect(recovering.transitions.map(\.key) == ["contoso-20251125-0914/recovering/1"])
        // A relapse is announced as an escalation.
        let relapse = try #require(planner.plan(previous: recovering.state, incident: F.incident(status: .serviceInterruption),
                                                nowMs: F.base + 300_000, muted: false))
        #expect(relapse.transitions.map(\.key) == ["contoso-20251125-0914/escalated/2"])
        #expect(relapse.transitions[0].summary == "failures are back")
        let resolved = try #require(planner.plan(previous: relapse.state, incident: F.incident(status: .serviceRestored, resolvedMs: F.base + 900_000),
                                                 nowMs: F.base + 900_000, muted: false))
        #expect(resolved.transitions.map(\.key) == ["contoso-20251125-0914/resolved"])
        #expect(planner.plan(previous: resolved.state, incident: F.incident(status: .serviceRestored, resolvedMs: F.base + 900_000),
                             nowMs: F.base + 99_000_000, muted: false) == nil)
    }

    @Test("planning again from the same state gives the same keys (a restart or a second replica)")
    func deterministic() {
        let state = planner.plan(previous: nil, incident: F.incident(), nowMs: F.base, muted: false)!.state
        let wider = F.incident(regions: ["apac", "na"])
        let a = planner.plan(previous: state, incident: wider, nowMs: F.base + 60_000, muted: false)
        let b = planner.plan(previous: state, incident: wider, nowMs: F.base + 61_000, muted: false)
        #expect(a?.transitions.map(\.key) == b?.transitions.map(\.key))
    }

    @Test("an incident first seen resolved is announced opened and resolved")
    func seenResolved() {
        let plan = planner.plan(previous: nil, incident: F.incident(status: .serviceRestored, resolvedMs: F.base + 600_000), nowMs: F.base + 700_000, muted: false)
        #expect(plan?.transitions.map(\.kind) == [.opened, .resolved])
    }

    @Test("an operator's status is announced once, routed as an escalation; an operator's restored status is the resolution, by name")
    func operatorStatus() throws {
        let opened = try #require(planner.plan(previous: nil, incident: F.incident(), nowMs: F.base, muted: false))
        var set = F.incident(status: .serviceInterruption)
        set.operatorStatus = .init(atMs: F.base + 60_000, author: "alice", status: .serviceInterruption)
        let changed = try #require(planner.plan(previous: opened.state, incident: set, nowMs: F.base + 70_000, muted: false))
        // One message, not also an escalation for the same change.
        #expect(changed.transitions.map(\.key) == ["contoso-20251125-0914/status/\(F.base + 60_000)"])
        #expect(changed.transitions.map(\.kind) == [.statusSet])
        #expect(changed.transitions[0].summary == "status set to service interruption by alice")
        var route = NotificationRouteConfig()
        route.channels = ["pager"]
        route.events = [.escalated]
        #expect(NotificationRouter(routes: [route]).channels(for: .statusSet, incident: set, severity: 2) == ["pager"])
        #expect(planner.plan(previous: changed.state, incident: set, nowMs: F.base + 80_000, muted: false) == nil)

        var restored = F.incident(status: .serviceRestored, resolvedMs: F.base + 120_000)
        restored.operatorStatus = .init(atMs: F.base + 120_000, author: "bob", status: .serviceRestored)
        let resolved = try #require(planner.plan(previous: changed.state, incident: restored, nowMs: F.base + 130_000, muted: false))
        #expect(resolved.transitions.map(\.key) == ["contoso-20251125-0914/resolved"])
        #expect(resolved.transitions[0].summary == "resolved by bob")
        // Detection resolving it later says nothing more.
        var later = restored
        later.resolvedMs = F.base + 600_000
        #expect(planner.plan(previous: resolved.state, incident: later, nowMs: F.base + 600_000, muted: false) == nil)
    }

    /// An incident announced as opened, then resolved by the operator bob two minutes later.
    func openedThenResolvedByBob() throws -> (restored: IncidentDigest, resolved: NotificationPlanner.Plan) {
        let opened = try #require(planner.plan(previous: nil, incident: F.incident(), nowMs: F.base, muted: false))
        var restored = F.incident(status: .serviceRestored, resolvedMs: F.base + 120_000)
        restored.operatorStatus = .init(atMs: F.base + 120_000, author: "bob", status: .serviceRestored)
        let resolved = try #require(planner.plan(previous: opened.state, incident: restored, nowMs: F.base + 130_000, muted: false))
        return (restored, resolved)
    }

    @Test("an operator re-opening an incident they resolved is announced, and its next resolution is a transition of its own")
    func operatorReopens() throws {
        let (restored, resolved) = try openedThenResolvedByBob()
        #expect(resolved.transitions.map(\.key) == ["contoso-20251125-0914/resolved"])

        var again = F.incident(status: .investigating)
        again.operatorStatus = .init(atMs: F.base + 300_000, author: "carol", status: .investigating)
        let reopened = try #require(planner.plan(previous: resolved.state, incident: again, nowMs: F.base + 310_000, muted: false))
        #expect(reopened.transitions.map(\.key) == ["contoso-20251125-0914/status/\(F.base + 300_000)"])
        #expect(reopened.transitions[0].summary == "reopened by carol: status set to investigating")
        #expect(reopened.state.resolved == false)
        #expect(planner.plan(previous: reopened.state, incident: again, nowMs: F.base + 320_000, muted: false) == nil)

        var closed = F.incident(status: .serviceRestored, resolvedMs: F.base + 600_000)
        closed.operatorStatus = .init(atMs: F.base + 600_000, author: "carol", status: .serviceRestored)
        let resolvedAgain = try #require(planner.plan(previous: reopened.state, incident: closed, nowMs: F.base + 610_000, muted: false))
        #expect(resolvedAgain.transitions.map(\.key) == ["contoso-20251125-0914/resolved/2"])
        #expect(resolvedAgain.transitions[0].summary == "resolved by carol")
    }

    @Test("detection seeing more after an operator resolved the incident re-opens it, announced once with what is new; its next resolution is a transition of its own")
    func detectionReopens() throws {
        let (restored, resolved) = try openedThenResolvedByBob()
        // Detection still has it open and another region joins: the operator's resolution no longer holds.
        var grown = F.incident(status: .serviceDegradation, regions: ["apac", "emea"])
        grown.operatorStatus = restored.operatorStatus
        grown.detectionReopenedMs = F.base + 240_000
        let reopened = try #require(planner.plan(previous: resolved.state, incident: grown, nowMs: F.base + 250_000, muted: false))
        #expect(reopened.transitions.map(\.key) == ["contoso-20251125-0914/reopened/1"])
        #expect(reopened.transitions.map(\.kind) == [.escalated])
        #expect(reopened.transitions[0].summary == "reopened: detection sees it again after bob resolved it; now a service degradation; also in emea")
        #expect(reopened.state.resolved == false)
        #expect(planner.plan(previous: reopened.state, incident: grown, nowMs: F.base + 260_000, muted: false) == nil)

        var over = grown
        over.resolvedMs = F.base + 900_000   // detection's resolution
        over.detectionReopenedMs = nil
        let resolvedAgain = try #require(planner.plan(previous: reopened.state, incident: over, nowMs: F.base + 910_000, muted: false))
        #expect(resolvedAgain.transitions.map(\.key) == ["contoso-20251125-0914/resolved/2"])
        #expect(resolvedAgain.transitions[0].summary == "resolved")
    }

    @Test("reminders come while an incident stays open, counted from the last message; none when off")
    func reminders() throws {
        let opened = try #require(planner.plan(previous: nil, incident: F.incident(), nowMs: F.base, muted: false))
        #expect(planner.plan(previous: opened.state, incident: F.incident(), nowMs: F.base + 4 * 3_600_000 - 1, muted: false) == nil)
        let first = try #require(planner.plan(previous: opened.state, incident: F.incident(), nowMs: F.base + 4 * 3_600_000, muted: false))
        #expect(first.transitions.map(\.key) == ["contoso-20251125-0914/reminder/1"])
        let second = try #require(planner.plan(previous: first.state, incident: F.incident(), nowMs: F.base + 8 * 3_600_000, muted: false))
        #expect(second.transitions.map(\.key) == ["contoso-20251125-0914/reminder/2"])
        let off = NotificationPlanner(remindEveryMs: nil)
        #expect(off.plan(previous: opened.state, incident: F.incident(), nowMs: F.base + 99 * 3_600_000, muted: false) == nil)
    }

    @Test("a muted opening is announced once the window ends if the incident is still open; reminders wait")
    func maintenance() throws {
        let muted = try #require(planner.plan(previous: nil, incident: F.incident(), nowMs: F.base, muted: true))
        #expect(muted.state.mutedOpen)
        #expect(planner.plan(previous: muted.state, incident: F.incident(), nowMs: F.base + 5 * 3_600_000, muted: true) == nil)
        let after = try #require(planner.plan(previous: muted.state, incident: F.incident(), nowMs: F.base + 6 * 3_600_000, muted: false))
        #expect(after.transitions.map(\.kind) == [.unmuted])
        #expect(after.state.mutedOpen == false)
        // Resolved inside the window: the resolution is muted and nothing follows.
        let resolvedInside = try #require(planner.plan(previous: muted.state, incident: F.incident(resolvedMs: F.base + 60_000), nowMs: F.base + 60_000, muted: true))
        #expect(resolvedInside.transitions.map(\.kind) == [.resolved])
        #expect(planner.plan(previous: resolvedInside.state, incident: F.incident(resolvedMs: F.base + 60_000), nowMs: F.base + 9 * 3_600_000, muted: false) == nil)
    }

    @Test("maintenance windows mute only their services and paths, only while they run")
    func calendar() {
        var window = MaintenanceWindowConfig(name: "CU update", startMs: F.base, endMs: F.base + 3_600_000)
        window.services = ["contoso"]
        window.paths = [.mapiHTTP, .autodiscover]
        let calendar = MaintenanceCalendar(windows: [window])
        #expect(calendar.window(muting: F.incident(), atMs: F.base)?.name == "CU update")
        #expect(calendar.window(muting: F.incident(), atMs: F.base - 1) == nil)
        #expect(calendar.window(muting: F.incident(), atMs: F.base + 3_600_000) == nil)
        #expect(calendar.window(muting: F.incident(service: "fabrikam"), atMs: F.base) == nil)
        // Reaching beyond the work being done: not muted.
        #expect(calendar.window(muting: F.incident(paths: ["mapi-http", "imap"]), atMs: F.base) == nil)
    }

    @Test("routes choose channels by service, path, severity and event")
    func routing() {
        var everything = NotificationRouteConfig()
        everything.channels = ["ops"]
        var pager = NotificationRouteConfig()
        pager.channels = ["pager", "ops"]
        pager.services = ["contoso"]
        pager.paths = [.mapiHTTP]
        pager.minimumSeverity = .interruption
        pager.events = [.opened, .escalated, .resolved]
        let router = NotificationRouter(routes: [everything, pager])
        #expect(router.channels(for: .opened, incident: F.incident(), severity: 0) == ["ops"])
        #expect(router.channels(for: .escalated, incident: F.incident(), severity: 2) == ["ops", "pager"])
        #expect(router.channels(for: .reminder, incident: F.incident(), severity: 2) == ["ops"])
        #expect(router.channels(for: .resolved, incident: F.incident(paths: ["imap"]), severity: 2) == ["ops"])
        #expect(router.channels(for: .resolved, incident: F.incident(service: "fabrikam"), severity: 2) == ["ops"])
        #expect(router.channels(for: .recovering, incident: F.incident(), severity: 2).isEmpty)
        #expect(router.channels(for: .unmuted, incident: F.incident(), severity: 2) == ["ops", "pager"])
    }
}
