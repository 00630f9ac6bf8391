/// One watched service as the dashboard and the status page show it: its name and its matrix.
public struct ServiceHealth: Sendable {
    public var id: String
    public var name: String
    public var matrix: HealthMatrix

    public init(id: String, name: String, matrix: HealthMatrix) {
        self.id = id
        self.name = name
        self.matrix = matrix
    }
}
