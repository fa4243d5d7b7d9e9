import QADCore
/// Points in a d-dimensional space (latent vectors, typically d = 16), stored
/// row-major in Float32: point i is `values[i*dimensions ..< (i+1)*dimensions]`.
/// Construction checks the shape and that every coordinate is finite, so the
/// scorers never meet a NaN (which would silently poison a split or a distance).
public struct PointMatrix: Sendable {
    public let values: [Float]
    public let count: Int
    public let dimensions: Int

    /// `name` is what errors call this input ("latents", "queries", …).
    public init(values: [Float], dimensions: Int, name: String = "points") throws {
        guard dimensions > 0 else {
            throw LocatedError(column: name, message: "dimensions must be positive, got \(dimensions)")
        }
        guard values.count % dimensions == 0 else {
            throw LocatedError(column: name,
                                      message: "\(values.count) values are not a whole number of \(dimensions)-D points")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw LocatedError(column: name,
                                      message: "point \(bad / dimensions), coordinate \(bad % dimensions) is \(values[bad])")
        }
        self.values = values
        self.dimensions = dimensions
        self.count = values.count / dimensions
    }
}
