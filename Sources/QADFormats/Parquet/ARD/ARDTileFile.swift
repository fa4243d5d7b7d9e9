import QADCore

/// One row of an ARD tile: target metadata and its spectrum split back into
/// arms, or the reason the spectrum cannot be used.
public struct ARDTileRow: Sendable {
    public var targetID: TargetID?
    public var ra: Double?
    public var dec: Double?
    public var z: Double?
    public var arms: [ArmSpectrum]
    /// Why the row's spectrum is unusable (nil when it is fine).
    public var problem: (column: String, message: String)?
    public var rowGroup: Int
    /// Row number in the file.
    public var row: Int
}

/// An upstream ARD Parquet tile (`tile_*/qso_data_TILE*.parquet`): one row
/// per quasar with `target_id`, `ra`, `dec`, `z` and the B, R and Z arms
/// concatenated in `wavelength`, `flux`, `ivar`, `mask_array` (7,927 pixels
/// in the real archive). Rows are read one row group at a time, projecting
/// only these columns.
public final class ARDTileFile: @unchecked Sendable {
    public let path: String
    public let parquet: ParquetFile
    public let hasPosition: Bool
    public let hasMask: Bool

    public static let requiredColumns = ["target_id", "z", "wavelength", "flux", "ivar"]

    public init(path: String) throws(ParquetError) {
        self.path = path
        parquet = try ParquetFile(path: path)
        let leaves = Dictionary(parquet.schema.leaves.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func require(_ name: String, list: Bool, types: [ParquetPhysicalType]) throws(ParquetError) {
            guard let leaf = leaves[name] else {
                throw ParquetError(file: path, column: name, message: "not an ARD tile: no column '\(name)'")
            }
            guard leaf.isList == list, types.contains(leaf.physicalType) else {
                throw ParquetError(file: path, column: name, message:
                    "ARD column '\(name)' is \(leaf.isList ? "a list of " : "")\(leaf.physicalType), expected \(list ? "a list of " : "")\(types.map(\.description).joined(separator: " or "))")
            }
        }
        try require("target_id", list: false, types: [.int64, .int32])
        try require("z", list: false, types: [.double, .float])
        for name in ["wavelength", "flux", "ivar"] { try require(name, list: true, types: [.float, .double]) }
        hasPosition = leaves["ra"] != nil && leaves["dec"] != nil
        if hasPosition {
            try require("ra", list: false, types: [.double, .float])
            try require("dec", list: false, types: [.double, .float])
        }
        hasMask = leaves["mask_array"] != nil
        if hasMask { try require("mask_array", list: true, types: [.int64, .int32]) }
    }

    public var rowCount: Int { parquet.rowCount }
    public var rowGroupCount: Int { parquet.rowGroupCount }

    /// The rows of one row group.
    public func rows(ofRowGroup g: Int) throws(ParquetError) -> [ARDTileRow] {
        var columns = Self.requiredColumns
        if hasPosition { columns += ["ra", "dec"] }
        if hasMask { columns.append("mask_array") }
        let table = try parquet.readRowGroup(g, columns: columns)
        let firstRow = (0..<g).reduce(0) { $0 + parquet.rowCount(ofRowGroup: $1) }
        let ids = table["target_id"]!, z = table["z"]!
        let wave = table["wavelength"]!, flux = table["flux"]!, ivar = table["ivar"]!
        let mask = table["mask_array"]
        let ra = table["ra"], dec = table["dec"]

        var rows: [ARDTileRow] = []
        rows.reserveCapacity(table.rowCount)
        for r in 0..<table.rowCount {
            var row = ARDTileRow(targetID: Self.integer(ids, r), ra: ra.flatMap { Self.real($0, r) },
                                 dec: dec.flatMap { Self.real($0, r) }, z: Self.real(z, r), arms: [],
                                 problem: nil, rowGroup: g, row: firstRow + r)
            do {
                row.arms = try Self.arms(wave: wave, flux: flux, ivar: ivar, mask: mask, row: r)
            } catch {
                row.problem = (error.column, error.message)
            }
            rows.append(row)
        }
        return rows
    }

    struct RowProblem: Error {
        var column: String
        var message: String
    }

    static func integer(_ c: ParquetColumn, _ r: Int) -> Int64? {
        guard !c.isNull(row: r) else { return nil }
        return c.int64s?[r] ?? c.int32s.map { Int64($0[r]) }
    }

    static func real(_ c: ParquetColumn, _ r: Int) -> Double? {
        guard !c.isNull(row: r) else { return nil }
        return c.doubles?[r] ?? c.floats.map { Double($0[r]) }
    }

    /// Values of list row `r` as Double, with `missing` for null elements.
    static func reals(_ c: ParquetColumn, _ r: Int, missing: Double) throws(RowProblem) -> [Double] {
        guard !c.isNull(row: r) else { throw RowProblem(column: c.name, message: "the \(c.name) list is null") }
        let slots = c.elements(ofRow: r)
        var out: [Double]
        if let d = c.doubles { out = Array(d[slots]) } else { out = c.floats![slots].map(Double.init) }
        if let ev = c.elementValidity {
            for (i, s) in slots.enumerated() where !ev[s] { out[i] = missing }
        }
        return out
    }

    /// Splits a row's concatenated arrays into arms where the wavelength
    /// steps back (the arm overlaps), recovering DESI's exact wavelengths.
    static func arms(wave: ParquetColumn, flux: ParquetColumn, ivar: ParquetColumn, mask: ParquetColumn?,
                     row r: Int) throws(RowProblem) -> [ArmSpectrum] {
        guard !wave.isNull(row: r) else { throw RowProblem(column: "wavelength", message: "the wavelength list is null") }
        let slots = wave.elements(ofRow: r)
        if let ev = wave.elementValidity, let bad = slots.first(where: { !ev[$0] }) {
            throw RowProblem(column: "wavelength", message: "null wavelength at pixel \(bad - slots.lowerBound)")
        }
        let w32: [Float] = wave.floats.map { Array($0[slots]) } ?? []
        let w64: [Double] = wave.doubles.map { Array($0[slots]) } ?? w32.map(Double.init)
        // Null flux/ivar elements become NaN: the merge gives them weight 0 and flags them.
        let f = try reals(flux, r, missing: .nan)
        let iv = try reals(ivar, r, missing: .nan)
        var m: [Int64]
        if let mask {
            guard !mask.isNull(row: r) else { throw RowProblem(column: "mask_array", message: "the mask_array list is null") }
            let ms = mask.elements(ofRow: r)
            m = mask.int64s.map { Array($0[ms]) } ?? mask.int32s![ms].map(Int64.init)
            if let ev = mask.elementValidity {
                for (i, s) in ms.enumerated() where !ev[s] { m[i] = 1 }  // unknown: masked
            }
        } else {
            m = [Int64](repeating: 0, count: w64.count)
        }
        let n = w64.count
        guard n > 0 else { throw RowProblem(column: "wavelength", message: "the spectrum has no pixels") }
        guard f.count == n, iv.count == n, m.count == n else {
            throw RowProblem(column: "flux/ivar/mask_array",
                             message: "arrays of different lengths (wavelength \(n), flux \(f.count), ivar \(iv.count), mask_array \(m.count))")
        }
        var starts = [0]
        for i in 1..<n where w64[i] < w64[i - 1] { starts.append(i) }
        starts.append(n)
        var arms: [ArmSpectrum] = []
        for k in 0..<(starts.count - 1) {
            let range = starts[k]..<starts[k + 1]
            var name = starts.count == 4 ? ["B", "R", "Z"][k] : "ARM\(k)"
            var wavelengths = Array(w64[range])
            if !w32.isEmpty, let recovered = DESIWavelengthGrid.recover(w32[range]) {
                wavelengths = recovered.wavelengths
                name = recovered.arm
            }
            arms.append(ArmSpectrum(name: name, wavelength: wavelengths, flux: f[range].map { Float($0) },
                                    ivar: iv[range].map { Float($0) }, mask: Array(m[range])))
        }
        return arms
    }
}
