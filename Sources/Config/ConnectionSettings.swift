/// The `[server]` keys behind the server's connection policy, as configured (README.md
/// documents them).
package struct ConnectionSettings: Equatable, Sendable {
    /// Connections held at once; kept below the descriptor limit at start.
    package var maxConnections = 10_000
    package var idleTimeout = 30.0
    package var headerTimeout = 10.0
    package var bodyTimeout = 30.0

    package init(maxConnections: Int = 10_000, idleTimeout: Double = 30, headerTimeout: Double = 10, bodyTimeout: Double = 30) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }
}
