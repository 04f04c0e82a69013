import Spec

extension LabelKey {
    /// The `instances.list` filter that keeps instances whose label `self` equals `value`
    /// (`labels.dd-fleet = acme`).
    public func gceFilter(equals value: String) -> String {
        "labels.\(self.rawValue) = \(value)"
    }
}
