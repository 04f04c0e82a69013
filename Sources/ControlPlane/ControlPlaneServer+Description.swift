extension ControlPlaneServer: CustomStringConvertible {
    /// The address only: service-lifecycle logs each service's description, and the server's
    /// properties hold the admin token and the webhook key.
    public var description: String {
        "ControlPlaneServer(\(self.configuration.host):\(self.configuration.port))"
    }
}
