import MailCanaryCore

/// One series' current departure from its baseline: from its onset (the minute its test statistic
/// left zero) until the statistic falls back.
struct SeriesAlarm {
    enum Kind: String { case failure, latency, reports }

    var onsetMinute: Int
    var kind: Kind
    /// When the alarm became an anomaly worth an incident (sustained or corroborated).
    var confirmedMinute: Int?
    var evidence = AnomalyEvidence()
}
