/// One spectrograph arm (or a whole single-arm spectrum) as read from a file.
public struct ArmSpectrum: Sendable {
    public var name: String
    public var wavelength: [Double]
    public var flux: [Float]
    public var ivar: [Float]
    public var mask: [Int64]

    public init(name: String, wavelength: [Double], flux: [Float], ivar: [Float], mask: [Int64]) {
        self.name = name
        self.wavelength = wavelength
        self.flux = flux
        self.ivar = ivar
        self.mask = mask
    }
}

/// Where a spectrum's z came from.
public enum RedshiftSource: String, Sendable, Codable {
    case redrock, catalog, sdss
    /// The z column of an upstream ARD Parquet tile (copied there from the QSO catalog).
    case ard
}

/// What a source file says about one target, before preprocessing.
public struct TargetInfo: Sendable {
    public var targetID: TargetID
    public var ra: Double
    public var dec: Double
    public var z: Double
    public var zSource: RedshiftSource
    public var spectype: String?
    public var zwarn: Int64?
    public var deltaChi2: Double?
    public var balProb: Double?
    public var biCIV: Double?
    public var aiCIV: Double?

    public init(targetID: TargetID, ra: Double = .nan, dec: Double = .nan, z: Double,
                zSource: RedshiftSource, spectype: String? = nil, zwarn: Int64? = nil,
                deltaChi2: Double? = nil, balProb: Double? = nil, biCIV: Double? = nil, aiCIV: Double? = nil) {
        self.targetID = targetID
        self.ra = ra
        self.dec = dec
        self.z = z
        self.zSource = zSource
        self.spectype = spectype
        self.zwarn = zwarn
        self.deltaChi2 = deltaChi2
        self.balProb = balProb
        self.biCIV = biCIV
        self.aiCIV = aiCIV
    }
}

/// A selected spectrum read from its file: target metadata, its arms, and
/// where it came from (for messages and provenance).
public struct ObservedSpectrum: Sendable {
    public var info: TargetInfo
    public var arms: [ArmSpectrum]
    public var survey: String
    public var sourceFile: String
    public var sourceHDU: String
    public var sourceRow: Int

    public init(info: TargetInfo, arms: [ArmSpectrum], survey: String,
                sourceFile: String, sourceHDU: String, sourceRow: Int) {
        self.info = info
        self.arms = arms
        self.survey = survey
        self.sourceFile = sourceFile
        self.sourceHDU = sourceHDU
        self.sourceRow = sourceRow
    }
}
