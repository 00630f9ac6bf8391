import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailCanaryNotify
import MailCanaryStorage
import MailCanaryWatch

/// The Prometheus text exposition (version 0.0.4) of what the store and the scheduler know.
/// A pure function of its inputs.
public enum MetricsRenderer {
    public struct Inputs: Sendable {
        public var latest: [StoredResult]
        public var scheduler: SchedulerSnapshot?
        public var written: Int
        public var dropped: Int
        public var agents: [AgentRecord]
        public var agentRegions: [String: String]
        public var detection: DetectionService.Status?
        /// Open incidents per service.
        public var openIncidents: [String: Int] = [:]
        /// This replica's notification outcomes since start (nil without notification channels).
        public var notifications: NotificationService.Status?
        /// Whether the store answers its health checks (nil where nothing watches it: SQLite).
        public var storeUp: Bool?
    }

    typealias Labels = [(String, String)]
    typealias Sample = (labels: Labels, value: Double)

    public static func render(_ inputs: Inputs) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [Sample]) {
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples {
                let labels = sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                out += labels.isEmpty ? "\(name) \(format(sample.value))\n" : "\(name){\(labels)} \(format(sample.value))\n"
            }
        }
        func base(_ result: StoredResult) -> Labels {
            [("service", result.service), ("path", result.path), ("probe", result.probeID), ("region", result.region)]
        }
        family("mailcanary_probe_success", "gauge", "1 when the latest run of the probe succeeded, 0 when it failed.",
               inputs.latest.map { result -> Sample in (base(result), result.outcome == .ok ? 1 : 0) })
        family("mailcanary_probe_duration_seconds", "gauge", "Duration of the latest run, in total and by step.",
               inputs.latest.flatMap { result -> [Sample] in
                   let total: Sample = (base(result) + [("step", "total")], result.durationMs / 1_000)
                   let steps = result.steps.map { step -> Sample in (base(result) + [("step", step.name.rawValue)], step.durationMs / 1_000) }
                   return [total] + steps
               })
        family("mailcanary_probe_failure", "gauge", "1 for the failure class and step of a failing probe's latest run.",
               inputs.latest.compactMap { result -> Sample? in
                   guard let failureClass = result.failureClass else { return nil }
                   return (base(result) + [("class", failureClass.rawValue), ("step", result.failedStep ?? "")], 1)
               })
        family("mailcanary_certificate_days_left", "gauge", "Days until the server certificate seen by the latest run expires.",
               inputs.latest.compactMap { result -> Sample? in result.certificateDaysLeft.map { (base(result), Double($0)) } })
        family("mailcanary_probe_last_run_timestamp_seconds", "gauge", "When the latest run started (Unix time).",
               inputs.latest.map { result -> Sample in (base(result), Double(result.startedAtMs) / 1_000) })
        if let scheduler = inputs.scheduler {
            family("mailcanary_scheduler_runs_total", "counter", "Probe runs started by this server.", [([], Double(scheduler.started))])
            family("mailcanary_scheduler_skipped_total", "counter", "Planned runs not started, by reason.", [
                ([("reason", "overlap")], Double(scheduler.skippedOverlaps)),
                ([("reason", "behind")], Double(scheduler.skippedBehind)),
                ([("reason", "claimed-by-another-replica")], Double(scheduler.notClaimed)),
            ])
            family("mailcanary_scheduler_running", "gauge", "Probes running now.", [([], Double(scheduler.running))])
            family("mailcanary_scheduler_lag_seconds", "summary", "Actual minus planned start of probe runs.",
                   [0.5, 0.9, 0.99].compactMap { q -> Sample? in scheduler.lag.quantile(q).map { ([("quantile", "\(q)")], $0 / 1_000) } })
        }
        if let up = inputs.storeUp {
            family("mailcanary_store_up", "gauge", "1 while the store answers its health checks (every 5 s); the store's other figures are left out while it does not.",
                   [([], up ? 1 : 0)])
        }
        family("mailcanary_results_written_total", "counter", "Results of this server's probes written to the store.", [([], Double(inputs.written))])
        family("mailcanary_results_dropped_total", "counter", "Results dropped because the store stayed unavailable.", [([], Double(inputs.dropped))])
        if let detection = inputs.detection {
            family("mailcanary_detection_signals_total", "counter", "Stored signals read by detection since start (telemetry, reports, logs, probe results, advisories).",
                   [([], Double(detection.signalsIn))])
            family("mailcanary_detection_waiting_signals", "gauge", "Signals waiting for their minute to be judged.", [([], Double(detection.waiting))])
            family("mailcanary_detection_warmed_up", "gauge", "1 once detection has replayed the stored history after a start.",
                   [([], detection.warmedUp ? 1 : 0)])
            family("mailcanary_detection_leading", "gauge", "1 while this replica holds the detection lease and writes incidents.",
                   [([], detection.leading ? 1 : 0)])
            family("mailcanary_incident_save_failures_total", "counter", "Incident changes the store did not take (retried with the next change).",
                   [([], Double(detection.storeFailures))])
            family("mailcanary_incidents_open", "gauge", "Open incidents per service.",
                   inputs.openIncidents.sorted { $0.key < $1.key }.map { ([("service", $0.key)], Double($0.value)) })
        }
        if let notifications = inputs.notifications {
            family("mailcanary_notifications_total", "counter", "Notification messages by outcome since start (planned, delivered, retried, failed, abandoned, muted).", [
                ([("outcome", "planned")], Double(notifications.planned)), ([("outcome", "delivered")], Double(notifications.delivered)),
                ([("outcome", "retried")], Double(notifications.retried)), ([("outcome", "failed")], Double(notifications.failed)),
                ([("outcome", "abandoned")], Double(notifications.abandoned)), ([("outcome", "muted")], Double(notifications.muted)),
            ])
        }
        family("mailcanary_agent_last_seen_timestamp_seconds", "gauge", "When an agent last uploaded (Unix time).",
               inputs.agents.compactMap { agent -> Sample? in
                   agent.lastSeenMs.map { ([("agent", agent.id), ("region", inputs.agentRegions[agent.id] ?? agent.region ?? "")], Double($0) / 1_000) }
               })
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%g", value)
    }
}
