import Foundation
import MailCanaryCore

/// The incidents: opens one when a confirmed anomaly has no related open incident, joins later
/// anomalies to the incident they are related to, follows its status, links provider advisories,
/// and resolves it after `resolveMinutes` without any alarm. An anomaly is related to an open
/// incident of its service that shares its access path or its region (the same failure spreading
/// across regions, or several paths failing in one place) or that fails the same way and began at
/// about the same time (``isRelated(_:alarm:to:)``). Two faults at once that share none of these
/// (Outlook on the web down in Europe while IMAP sign-in fails in Asia Pacific) are two incidents,
/// each with its own cause and workaround; open incidents of one cause are marked concurrent.
/// One open incident per fingerprint, by construction.
struct IncidentBook: Sendable {
    let settings: DetectionSettings
    private var open: [String: Incident] = [:]
    private var closed: [Incident] = []
    /// The latest version of each advisory, by ``advisoryKey(_:)``: the same issue polled from
    /// tenants that watch different services is matched once per scope.
    private var advisories: [String: ServiceHealthIssue] = [:]
    private var advisoryOrder: [String] = []
    /// Keys of advisories linked to some incident.
    private var linked: Set<String> = []
    /// Alarms still running when the incident they belonged to was resolved.
    private var settled: Set<AlarmKey> = []

    struct AlarmKey: Hashable, Sendable {
        var series: SeriesID
        var onsetMinute: Int
    }

    init(settings: DetectionSettings) {
        self.settings = settings
    }

    var all: [Incident] {
        (closed + open.values).sorted { ($0.openedMs, $0.id) < ($1.openedMs, $1.id) }
    }

    /// The open incidents, without sorting every incident there ever was.
    var openIncidents: [Incident] { Array(open.values) }

    /// The incidents with these ids, open or closed.
    func incidents(withIDs ids: Set<String>) -> [Incident] {
        open.values.filter { ids.contains($0.id) } + closed.filter { ids.contains($0.id) }
    }

    var unmatchedAdvisories: [ServiceHealthIssue] {
        advisoryOrder.filter { !linked.contains($0) }.compactMap { advisories[$0] }
    }

    // MARK: - Advisories

    mutating func receive(_ issue: ServiceHealthIssue, atMs timeMs: Int64) -> [IncidentEvent] {
        let key = Self.advisoryKey(issue)
        if advisories[key] == nil { advisoryOrder.append(key) }
        advisories[key] = issue
        var events: [IncidentEvent] = []
        // A linked advisory's update goes on the incident's timeline.
        for (fingerprint, incident) in open {
            guard let link = incident.advisories.firstIndex(where: { $0.id == issue.id }) else { continue }
            var updated = incident
            var changed = Self.showPosts(issue, link: link, in: &updated)
            if updated.advisories[link].status != issue.status {
                updated.advisories[link].status = issue.status
                updated.timeline.append(TimelineEntry(timeMs: timeMs, kind: .advisory,
                                                      text: "Provider updated \(issue.id): \(issue.status.rawValue)"))
                changed = true
            }
            if (issue.isResolved || issue.status.isRestored), updated.advisories[link].restoredMs == nil {
                updated.advisories[link].restoredMs = issue.endMs ?? timeMs
                changed = true
            }
            if changed { events.append(IncidentEvent(kind: .advisoryLinked, incidentID: updated.id, timeMs: timeMs, status: updated.status)) }
            open[fingerprint] = updated
        }
        return events + linkAdvisories(nowMs: timeMs)
    }

    /// The provider's posts not yet on the incident's timeline, each at its own time, as text.
    static func showPosts(_ issue: ServiceHealthIssue, link: Int, in incident: inout Incident) -> Bool {
        let shown = incident.advisories[link].postsShown
        guard issue.posts.count > shown else { return false }
        for post in issue.posts.sorted(by: { $0.createdMs < $1.createdMs }).dropFirst(shown) {
            incident.timeline.append(TimelineEntry(timeMs: post.createdMs, kind: .advisory, text: "Provider update on \(issue.id): \(plainText(post.content))"))
        }
        incident.advisories[link].postsShown = issue.posts.count
        return true
    }

    /// A post's HTML as one line of text, at most 300 characters (tags dropped, entities of the five kinds read).
    static func plainText(_ html: String) -> String {
        var text = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true; continue }
            if character == ">" { inTag = false; text.append(" "); continue }
            if !inTag { text.append(character.isNewline ? " " : character) }
        }
        for (entity, value) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: value)
        }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return words.count > 300 ? String(words.prefix(300)) + "…" : words
    }

    static func advisoryKey(_ issue: ServiceHealthIssue) -> String {
        guard let watched = issue.watchedServices else { return issue.id }
        return issue.id + "|" + watched.sorted().joined(separator: ",")
    }

    /// Links each open incident to the advisories that match it and it does not have yet (an
    /// advisory already linked elsewhere may match an incident that opens later, or another
    /// watched service's).
    private mutating func linkAdvisories(nowMs: Int64) -> [IncidentEvent] {
        var events: [IncidentEvent] = []
        for key in advisoryOrder {
            guard let issue = advisories[key] else { continue }
            for (fingerprint, incident) in open where !incident.advisories.contains(where: { $0.id == issue.id })
                && AdvisoryMatcher.matches(issue, incident: incident, advisoryServices: settings.advisoryServices, nowMs: nowMs) {
                var updated = incident
                let firstPost = issue.firstPostMs
                updated.advisories.append(AdvisoryLink(
                    id: issue.id, title: issue.title, status: issue.status, firstPostMs: firstPost, linkedMs: nowMs,
                    leadMinutes: firstPost.map { Double($0 - incident.openedMs) / 60_000 }))
                let lead = firstPost.map { " (MailCanary was \(Self.minutes(Double($0 - incident.openedMs) / 60_000)) ahead)" } ?? ""
                updated.timeline.append(TimelineEntry(timeMs: firstPost ?? nowMs, kind: .advisory,
                                                      text: "Provider posted \(issue.id) (\(issue.status.rawValue)): \(issue.title)\(lead)"))
                let index = updated.advisories.count - 1
                updated.advisories[index].postsShown = min(1, issue.posts.count)
                _ = Self.showPosts(issue, link: index, in: &updated)
                if issue.isResolved || issue.status.isRestored { updated.advisories[index].restoredMs = issue.endMs ?? nowMs }
                open[fingerprint] = updated
                linked.insert(key)
                events.append(IncidentEvent(kind: .advisoryLinked, incidentID: updated.id, timeMs: nowMs, status: updated.status))
            }
        }
        return events
    }

    // MARK: - Minutes

    mutating func update(detectors: [SeriesDetector], active: [Int], buckets: [MinuteBucket],
                         context: MinuteContext) -> [IncidentEvent] {
        var events: [IncidentEvent] = []
        joinAlarms(detectors: detectors, active: active, buckets: buckets, now: context.timeMs, events: &events)
        let alarmedCells = Set(active.compactMap { series -> ScopeCell? in
            let id = detectors[series].id
            return id.path.map { ScopeCell(path: $0, region: id.region) }
        })
        let alarmed = Dictionary(active.map { (detectors[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
        for fingerprint in open.keys.sorted() {
            guard var incident = open[fingerprint] else { continue }
            follow(&incident, detectors: detectors, alarmed: alarmed, context: context, events: &events)
            if incident.isOpen {
                noteReportSurge(&incident, alarmed: alarmed, now: context.timeMs, events: &events)
                judge(&incident, context: context, alarmedCells: alarmedCells)
                open[fingerprint] = incident
            } else {
                // The tails of its alarms still running must not open another incident.
                settled = settled.filter { context.minute - $0.onsetMinute < 24 * 60 }
                for (id, series) in alarmed where incident.members[id] != nil {
                    if let alarm = detectors[series].alarm { settled.insert(AlarmKey(series: id, onsetMinute: alarm.onsetMinute)) }
                }
                open[fingerprint] = nil
                closed.append(incident)
            }
        }
        linkConcurrent(nowMs: context.timeMs)
        return events + linkAdvisories(nowMs: context.timeMs)
    }

    /// Open incidents with the same cause are marked concurrent, each naming the other once, with
    /// a timeline entry for the first few (``concurrentTimelineEntries``; a provider problem seen
    /// by a hundred watched tenants would otherwise fill every timeline): for such a provider,
    /// thirty incidents at once are one problem. A link stays when either resolves or its cause is
    /// judged otherwise later.
    private mutating func linkConcurrent(nowMs: Int64) {
        guard open.count > 1 else { return }
        let keys = open.keys.sorted()
        for (position, key) in keys.enumerated() {
            for other in keys[(position + 1)...] {
                guard var first = open[key], var second = open[other], first.cause == second.cause,
                      !first.concurrent.contains(where: { $0.id == second.id }) else { continue }
                first.concurrent.append(ConcurrentIncident(id: second.id, service: second.service, sinceMs: nowMs))
                second.concurrent.append(ConcurrentIncident(id: first.id, service: first.service, sinceMs: nowMs))
                if first.concurrent.count <= Self.concurrentTimelineEntries {
                    first.timeline.append(TimelineEntry(timeMs: nowMs, kind: .concurrent, text: Self.describeConcurrent(second)))
                }
                if second.concurrent.count <= Self.concurrentTimelineEntries {
                    second.timeline.append(TimelineEntry(timeMs: nowMs, kind: .concurrent, text: Self.describeConcurrent(first)))
                }
                open[key] = first
                open[other] = second
            }
        }
    }

    /// Concurrent incidents an incident's timeline names one by one; all are in ``Incident/concurrent``.
    static let concurrentTimelineEntries = 5

    static func describeConcurrent(_ other: Incident) -> String {
        let paths = other.paths.map(\.rawValue).joined(separator: ", ")
        let regions = other.regions.joined(separator: ", ")
        return "Concurrent with \(other.id) on \(other.service), also \(other.cause.rawValue)"
            + (paths.isEmpty ? "" : " (\(paths) in \(regions))")
    }

    /// Confirmed alarms join the open incident they are related to; members add this minute's
    /// evidence; a report surge joins an incident open in its region without further confirmation.
    /// Confirmed alarms related to no open incident wait until the others of the minute have been
    /// looked at; then each joins what it relates to now, and only one related to nothing opens an
    /// incident: a fault seen on many paths in many regions in one minute is one incident whatever
    /// the order of its series.
    private mutating func joinAlarms(detectors: [SeriesDetector], active: [Int], buckets: [MinuteBucket], now: Int64,
                                     events: inout [IncidentEvent]) {
        var unrelated: [(series: Int, alarm: SeriesAlarm)] = []
        for series in active {
            let detector = detectors[series]
            guard let alarm = detector.alarm else { continue }
            if let fingerprint = incidentFor(detector.id, alarm: alarm), var incident = open[fingerprint] {
                if incident.members[detector.id] != nil {
                    incident.evidence.add(buckets[series], baseline: detector.lastBaseline, source: detector.id.source)
                } else if alarm.confirmedMinute != nil || (detector.id.source == .reports && incident.regions.contains(detector.id.region)) {
                    join(&incident, detector: detector, alarm: alarm, now: now, events: &events)
                }
                open[fingerprint] = incident
            } else if alarm.confirmedMinute != nil, detector.id.source != .reports || settings.reportsOpenIncidents,
                      !settled.contains(AlarmKey(series: detector.id, onsetMinute: alarm.onsetMinute)) {
                unrelated.append((series, alarm))
            }
        }
        // An anomaly that relates to an open incident now (one opened or grown since it was
        // looked at) joins it; only when none does, the first left opens one.
        while !unrelated.isEmpty {
            var related: (index: Int, fingerprint: String)?
            for (index, waiting) in unrelated.enumerated() {
                if let fingerprint = incidentFor(detectors[waiting.series].id, alarm: waiting.alarm) {
                    related = (index, fingerprint)
                    break
                }
            }
            let (series, alarm) = unrelated.remove(at: related?.index ?? 0)
            if let fingerprint = related?.fingerprint, var incident = open[fingerprint] {
                join(&incident, detector: detectors[series], alarm: alarm, now: now, events: &events)
                open[fingerprint] = incident
            } else {
                openIncident(detector: detectors[series], alarm: alarm, now: now, events: &events)
            }
        }
    }

    private mutating func openIncident(detector: SeriesDetector, alarm: SeriesAlarm, now: Int64, events: inout [IncidentEvent]) {
        // The service's first open incident keeps the service as its fingerprint (as it is
        // adopted after a restart); one opened beside it is told apart by its region, which no
        // other open incident of the service can have (an alarm there would have joined it).
        let service = detector.id.service
        let fingerprint = open[service] == nil ? service : "\(service)|\(detector.id.region)"
        var incident = Incident(
            id: Self.incidentID(service: service, timeMs: now, region: fingerprint == service ? nil : detector.id.region),
            service: service, fingerprint: fingerprint, openedMs: now, firstAnomalyMs: Int64(alarm.onsetMinute) * 60_000,
            status: .investigating, scope: [], cause: .serverSide, layer: StepName.operation.rawValue)
        incident.timeline.append(TimelineEntry(timeMs: incident.firstAnomalyMs, kind: .firstAnomaly,
                                               text: "First anomaly: \(Self.describe(detector, alarm))"))
        incident.timeline.append(TimelineEntry(timeMs: now, kind: .opened, text: "Incident opened (investigating)"))
        join(&incident, detector: detector, alarm: alarm, now: now, events: &events, announce: false)
        open[fingerprint] = incident
        events.append(IncidentEvent(kind: .opened, incidentID: incident.id, timeMs: now, status: incident.status))
    }

    /// The open incident a series' alarm belongs to: the one it is a member of, else the earliest
    /// opened of its service that is related to it (``isRelated(_:alarm:to:)``).
    private func incidentFor(_ id: SeriesID, alarm: SeriesAlarm) -> String? {
        if let member = open.values.first(where: { $0.members[id] != nil }) { return member.fingerprint }
        return open.values.filter { $0.service == id.service && isRelated(id, alarm: alarm, to: $0) }
            .min { ($0.openedMs, $0.id) < ($1.openedMs, $1.id) }?.fingerprint
    }

    /// Whether an alarm is part of an open incident's failure: it shares the incident's region or
    /// access path (a report surge has no path), or it fails the same way (the class
    /// ``CauseJudge`` reads from probes and error texts alike) and began within the corroboration
    /// window of the incident's first anomaly, as a certificate expiring on every path in every
    /// region first shows on cells that share neither.
    func isRelated(_ id: SeriesID, alarm: SeriesAlarm, to incident: Incident) -> Bool {
        if incident.scope.contains(where: { $0.region == id.region || $0.path == id.path }) { return true }
        if incident.scope.isEmpty, incident.reportRegions.contains(id.region) { return true }
        guard abs(Int64(alarm.onsetMinute) * 60_000 - incident.firstAnomalyMs) <= Int64(settings.corroborationMinutes) * 60_000,
              let failing = CauseJudge.failureClass(of: alarm.evidence) else { return false }
        return failing == CauseJudge.failureClass(of: incident.evidence)
    }

    /// One minute of an open incident: recovery and relapse, resolution after `resolveMinutes`
    /// without an alarming member, status by magnitude.
    private func follow(_ incident: inout Incident, detectors: [SeriesDetector], alarmed: [SeriesID: Int],
                        context: MinuteContext, events: inout [IncidentEvent]) {
        let now = context.timeMs
        let alarmedMembers = incident.members.keys.compactMap { id in id.source == .reports ? nil : alarmed[id] }
        if alarmedMembers.isEmpty {
            guard let recovered = incident.recoveredMs else {
                incident.recoveredMs = now
                incident.timeline.append(TimelineEntry(timeMs: now, kind: .recovered, text: "Every affected series is back to its baseline"))
                setStatus(&incident, .restoringService, now: now, events: &events)
                events.append(IncidentEvent(kind: .recovered, incidentID: incident.id, timeMs: now, status: incident.status))
                return
            }
            guard now - recovered >= Int64(settings.resolveMinutes) * 60_000 else { return }
            incident.resolvedMs = now
            judge(&incident, context: context, alarmedCells: [])
            setStatus(&incident, .serviceRestored, now: now, events: &events)
            incident.timeline.append(TimelineEntry(timeMs: now, kind: .resolved,
                                                   text: "Resolved after \(settings.resolveMinutes) minutes without an anomaly"))
            events.append(IncidentEvent(kind: .resolved, incidentID: incident.id, timeMs: now, status: incident.status))
            return
        }
        if incident.recoveredMs != nil {
            incident.recoveredMs = nil
            incident.timeline.append(TimelineEntry(timeMs: now, kind: .relapsed, text: "Failures are back"))
            events.append(IncidentEvent(kind: .relapsed, incidentID: incident.id, timeMs: now, status: incident.status))
        }
        if now - incident.openedMs >= Int64(settings.investigatingMinutes) * 60_000 || incident.status != .investigating {
            let interrupted = alarmedMembers.contains { detectors[$0].lastRatio >= 0.5 }
            setStatus(&incident, interrupted ? .serviceInterruption : .serviceDegradation, now: now, events: &events)
        }
    }

    /// The first surge of user reports in an affected region, and how far ahead MailCanary was.
    private func noteReportSurge(_ incident: inout Incident, alarmed: [SeriesID: Int], now: Int64, events: inout [IncidentEvent]) {
        guard incident.reportSurgeMs == nil else { return }
        let surging = alarmed.keys.filter { $0.source == .reports && $0.service == incident.service && incident.regions.contains($0.region) }
        if let region = surging.map(\.region).min() {
            incident.reportSurgeMs = now
            incident.timeline.append(TimelineEntry(
                timeMs: now, kind: .reportSurge,
                text: "User reports surged in \(region) (MailCanary was \(Self.minutes(Double(now - incident.openedMs) / 60_000)) ahead)"))
            events.append(IncidentEvent(kind: .reportSurge, incidentID: incident.id, timeMs: now, status: incident.status))
        }
    }

    private func join(_ incident: inout Incident, detector: SeriesDetector, alarm: SeriesAlarm, now: Int64,
                               events: inout [IncidentEvent], announce: Bool = true) {
        incident.members[detector.id] = now
        incident.sources.insert(detector.id.source)
        incident.anomalyKinds.insert(alarm.kind.rawValue)
        incident.evidence.merge(alarm.evidence)
        var grew = false
        if let path = detector.id.path {
            grew = incident.scope.insert(ScopeCell(path: path, region: detector.id.region)).inserted
        } else {
            grew = incident.reportRegions.insert(detector.id.region).inserted
        }
        if announce {
            incident.timeline.append(TimelineEntry(timeMs: now, kind: .joined, text: "Joined: \(Self.describe(detector, alarm))"))
            if grew { events.append(IncidentEvent(kind: .scopeChanged, incidentID: incident.id, timeMs: now, status: incident.status)) }
        }
    }

    private func judge(_ incident: inout Incident, context: MinuteContext, alarmedCells: Set<ScopeCell>) {
        let regions = Set(incident.scope.map(\.region))
        let latencyOnly = !incident.anomalyKinds.contains(SeriesAlarm.Kind.failure.rawValue)
        let judgement = CauseJudge.judge(incident.evidence, regions: regions, allRegions: context.regions[incident.service] ?? [],
                                         latencyOnly: latencyOnly)
        incident.cause = judgement.cause
        incident.layer = judgement.layer
        if incident.isOpen || incident.workaround == nil {
            incident.workaround = WorkaroundAdvisor.advise(
                paths: Set(incident.scope.map(\.path)), regions: regions, layer: judgement.layer,
                knownClients: context.knownClients(incident.service), alarmedCells: alarmedCells.union(incident.scope))
        }
    }

    private func setStatus(_ incident: inout Incident, _ status: ServiceHealthStatus, now: Int64, events: inout [IncidentEvent]) {
        guard incident.status != status else { return }
        incident.status = status
        incident.timeline.append(TimelineEntry(timeMs: now, kind: .status, text: "Status: \(status.rawValue)"))
        events.append(IncidentEvent(kind: .statusChanged, incidentID: incident.id, timeMs: now, status: status))
    }

    /// `SERVICE-YYYYMMDD-HHMM`, and `-REGION` after it for an incident opened beside another of the
    /// service (two may open in the same minute).
    static func incidentID(service: String, timeMs: Int64, region: String? = nil) -> String {
        let stamp = UTCTimestamp.format(timeMs)   // 2025-11-25T09:14:00Z
        let compact = stamp.prefix(16).filter { $0 != "-" && $0 != ":" }.replacingOccurrences(of: "T", with: "-")
        return "\(service)-\(compact)" + (region.map { "-\($0)" } ?? "")
    }

    static func describe(_ detector: SeriesDetector, _ alarm: SeriesAlarm) -> String {
        let id = detector.id
        let where_ = "\(id.path?.rawValue ?? "user reports") in \(id.region) (\(id.source.rawValue))"
        switch alarm.kind {
        case .failure:
            return "\(where_): failing \(percent(detector.lastRatio)) against a usual \(percent(detector.lastBaseline))"
        case .latency:
            return "\(where_): latency \(String(format: "%.1f", alarm.evidence.peakLatencyFactor))× its usual median"
        case .reports:
            return "\(where_): \(Int(detector.lastRatio)) new reporters in a minute against a usual \(String(format: "%.2f", detector.lastBaseline))"
        }
    }

    static func percent(_ ratio: Double) -> String {
        ratio >= 0.1 ? "\(Int((ratio * 100).rounded())) %" : String(format: "%.1f %%", ratio * 100)
    }

    static func minutes(_ value: Double) -> String {
        String(format: "%.0f min", value)
    }
}
