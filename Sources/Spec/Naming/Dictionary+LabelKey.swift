extension Dictionary where Key == String, Value == String {
    /// The value of a managed label, read or written through its typed key.
    public subscript(label key: LabelKey) -> String? {
        get { self[key.rawValue] }
        set { self[key.rawValue] = newValue }
    }
}
