/// Collects every page of a list, refusing a list whose paging never ends.
public enum Paging {
    /// Fetches pages until `fetch` returns no next cursor.
    /// - Parameters:
    ///   - maximumPages: a guard against a server whose paging never ends.
    ///   - fetch: fetches one page given the cursor (nil for the first) and returns its items and
    ///     the next cursor.
    public static func collect<Item: Sendable, Cursor: Sendable & Equatable>(
        provider: String,
        operation: String,
        maximumPages: Int = 10_000,
        _ fetch: (Cursor?) async throws -> (items: [Item], next: Cursor?)
    ) async throws -> [Item] {
        var items: [Item] = []
        var cursor: Cursor?
        for _ in 0..<maximumPages {
            let page = try await fetch(cursor)
            items += page.items
            guard let next = page.next else { return items }
            guard next != cursor else {
                throw ProviderError(.permanent, provider: provider, operation: operation, message: "the server returned the same page cursor twice")
            }
            cursor = next
        }
        throw ProviderError(.permanent, provider: provider, operation: operation, message: "paging did not end after \(maximumPages) pages")
    }
}
