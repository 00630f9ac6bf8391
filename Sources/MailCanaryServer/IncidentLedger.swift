import Foundation
import MailCanaryCore
import MailCanaryDetection
import MailCanaryStorage

/// How the engine's incidents map onto stored ones. After a restart the engine re-derives an
/// incident from the stored window; if it started before the window, the engine's copy has a
/// later opening and another id, and the store already holds the incident open under its first
/// id: the ledger adopts that id (and opening time) for the engine's copy. Pure bookkeeping.
struct IncidentLedger {
    /// Engine id → the stored incident it continues.
    private var aliases: [String: IncidentRecord] = [:]
    /// Incidents found open in the store at start, by fingerprint, until saved resolved.
    private var adoptedOpen: [String: IncidentRecord] = [:]
    private var lastMinute = Int64.min

    mutating func adopt(_ records: [IncidentRecord]) {
        for record in records where record.isOpen { adoptedOpen[record.fingerprint] = record }
    }

    func storedID(_ engineID: String) -> String { aliases[engineID]?.id ?? engineID }

    /// True once per minute: open incidents are saved each minute (their evidence moves).
    mutating func noteMinute(_ nowMs: Int64) -> Bool {
        let minute = nowMs / 60_000
        defer { lastMinute = minute }
        return minute != lastMinute
    }

    /// The record to store for an engine incident: under the stored id it continues, if any.
    mutating func record(for incident: Incident, nowMs: Int64) -> IncidentRecord {
        var incident = incident
        if aliases[incident.id] == nil, let adopted = adoptedOpen[incident.fingerprint], adopted.openedMs <= incident.openedMs {
            aliases[incident.id] = adopted
        }
        if let stored = aliases[incident.id] {
            incident.id = stored.id
            incident.openedMs = stored.openedMs
            incident.firstAnomalyMs = min(incident.firstAnomalyMs, stored.openedMs)
        }
        return IncidentRecord(id: incident.id, fingerprint: incident.fingerprint, service: incident.service,
                              status: incident.status.rawValue, openedMs: incident.openedMs, resolvedMs: incident.resolvedMs,
                              updatedMs: nowMs, body: IncidentJSON.render(incident))
    }

    mutating func alias(_ engineID: String, to stored: IncidentRecord) {
        aliases[engineID] = stored
    }

    mutating func saved(_ record: IncidentRecord) {
        if !record.isOpen, adoptedOpen[record.fingerprint]?.id == record.id { adoptedOpen[record.fingerprint] = nil }
    }

    /// Stored open incidents that no open engine incident continues.
    func staleOpen(_ incidents: [Incident]) -> [IncidentRecord] {
        let continued = Set(incidents.filter(\.isOpen).map { storedID($0.id) })
        return adoptedOpen.values.filter { !continued.contains($0.id) }.sorted { $0.openedMs < $1.openedMs }
    }

    /// A stored open incident closed because the replayed window shows nothing failing any more.
    func resolvedAfterRestart(_ record: IncidentRecord, nowMs: Int64) -> IncidentRecord {
        var resolved = record
        resolved.status = ServiceHealthStatus.serviceRestored.rawValue
        resolved.resolvedMs = nowMs
        resolved.updatedMs = nowMs
        if var body = (try? JSONSerialization.jsonObject(with: Data(record.body.utf8))) as? [String: Any] {
            body["status"] = resolved.status
            body["resolvedAt"] = UTCTimestamp.format(nowMs)
            var timeline = body["timeline"] as? [[String: Any]] ?? []
            timeline.append(["at": UTCTimestamp.format(nowMs), "kind": "resolved",
                             "text": "Resolved at restart: the stored signals show no anomaly any more"])
            body["timeline"] = timeline
            if let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) {
                resolved.body = String(decoding: data, as: UTF8.self)
            }
        }
        return resolved
    }
}
