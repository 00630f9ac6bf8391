/// The four causes the November 2025 write-ups name (DESIGN.md, "cause").
public enum Cause: String, Codable, Sendable, CaseIterable {
    case serverSide = "server-side"
    case clientConfig = "client-config"
    case networkIntermediary = "network-intermediary"
    case authentication = "authentication"
}
