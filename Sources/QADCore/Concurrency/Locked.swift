import Synchronization

/// A value shared between threads, read and changed only under its lock
/// (a class around Swift's `Mutex`, so it can be captured and stored).
public final class Locked<Value: ~Copyable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: consuming sending Value) {
        mutex = Mutex(value)
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        try mutex.withLock(body)
    }
}

extension Locked where Value: Copyable {
    /// A copy of the value.
    public var value: Value {
        withLock { v in
            let copy = v
            return copy
        }
    }
}
