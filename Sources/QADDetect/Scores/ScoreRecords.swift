import Foundation
import QADCore

/// Every score of one spectrum under one model (`qad score`), with each score's
/// percentile over the scored sample, where its most significant localized
/// residual sits, the windows that carry the residual, and its nearest latent
/// neighbours. Larger scores are more anomalous.
public struct ScoreRecord: Sendable, Equatable {
    public var model: String
    public var targetid: TargetID
    /// One value per `ScoreName.allCases`, in that order.
    public var values: [Double]
    /// Each score's percentile (0–100), in `ScoreName.allCases` order.
    public var percentiles: [Double]
    /// Centre and full width (Å) of the most significant rest-frame window.
    public var localRestLambda: Double
    public var localRestWidth: Double
    /// Centre and full width (Å) of the most significant observed-frame window.
    public var localObsLambda: Double
    public var localObsWidth: Double
    /// The named windows carrying most of the excess residual, largest share first.
    public var explanation: [ExplanationWindow]
    /// The nearest latent neighbours' TARGETIDs.
    public var neighbors: [TargetID]

    public init(model: String, targetid: TargetID, values: [ScoreName: Double], percentiles: [ScoreName: Double],
                localRestLambda: Double, localRestWidth: Double, localObsLambda: Double, localObsWidth: Double,
                explanation: [ExplanationWindow], neighbors: [TargetID]) {
        self.model = model
        self.targetid = targetid
        self.values = ScoreName.allCases.map { values[$0] ?? .nan }
        self.percentiles = ScoreName.allCases.map { percentiles[$0] ?? .nan }
        self.localRestLambda = localRestLambda
        self.localRestWidth = localRestWidth
        self.localObsLambda = localObsLambda
        self.localObsWidth = localObsWidth
        self.explanation = explanation
        self.neighbors = neighbors
    }

    public func value(_ name: ScoreName) -> Double { values[name.index] }
    public func percentile(_ name: ScoreName) -> Double { percentiles[name.index] }

    public var score: Double { value(.score) }
    public var scorePct: Double { percentile(.score) }
}

extension ScoreName {
    /// Position in `allCases` (and in `ScoreRecord.values`).
    public var index: Int { Self.indices[self]! }
    private static let indices = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
}

extension ScoreRecord: StoredRecord {
    /// Two columns per score (value, percentile), each added by its score's schema step.
    public static let table: StoredTable<ScoreRecord> = {
        var columns: [StoredColumn<ScoreRecord>] = [.text("model", \.model), .int64("targetid", \.targetid)]
        for name in ScoreName.allCases {
            columns.append(.double(name.rawValue, \.values[name.index], addedBy: name.definition.addedBy,
                                   defaultValue: name.definition.addedBy == nil ? nil : 0))
        }
        for name in ScoreName.allCases {
            columns.append(.double(name.percentileColumn, \.percentiles[name.index], addedBy: name.definition.addedBy,
                                   defaultValue: name.definition.addedBy == nil ? nil : 0))
        }
        columns += [
            .double("local_rest_lambda", \.localRestLambda), .double("local_rest_width", \.localRestWidth),
            .double("local_obs_lambda", \.localObsLambda), .double("local_obs_width", \.localObsWidth),
            .init("explanation", .text, encode: { .text(ExplanationWindow.storedText($0.explanation)) },
                  decode: { r, v throws(StoredValueError) in r.explanation = try ExplanationWindow.parse(try v.string()) }),
            .init("neighbors", .text, encode: { .text(TargetIDList.storedText($0.neighbors)) },
                  decode: { r, v throws(StoredValueError) in r.neighbors = try TargetIDList.parse(try v.string()) }),
        ]
        return StoredTable("score", createdBy: SchemaHistory.scores, columns: columns, primaryKey: ["model", "targetid"],
                           indexes: [
                               // The queue, `qad rank` and export read candidates in score order.
                               StoredIndex("score_by_score", ["model", "score"], createdBy: SchemaHistory.scores),
                               // The review queue: descending score, TARGETID breaking ties.
                               StoredIndex("score_queue_order", ["model", "score DESC", "targetid"],
                                           createdBy: SchemaHistory.reviews),
                           ])
    }()

    public static var blank: ScoreRecord {
        ScoreRecord(model: "", targetid: 0, values: [:], percentiles: [:], localRestLambda: 0, localRestWidth: 0,
                    localObsLambda: 0, localObsWidth: 0, explanation: [], neighbors: [])
    }
}

/// One named window's share of a spectrum's excess residual.
public struct ExplanationWindow: Codable, Sendable, Equatable {
    /// "CIV", "MgII", "Lya forest", "arm join b/r", "sky 5577", …
    public var window: String
    /// "rest" or "obs".
    public var frame: String
    /// Fraction of the spectrum's excess χ² inside the window (0–1).
    public var share: Double

    public init(window: String, frame: String, share: Double) {
        self.window = window
        self.frame = frame
        self.share = share
    }

    /// A list of windows as stored and shown in JSON: an array of
    /// {"frame", "share", "window"} objects, keys sorted, so the same windows
    /// always give the same text.
    public static func storedText(_ windows: [ExplanationWindow]) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(windows)) ?? Data("[]".utf8), as: UTF8.self)
    }

    public static func parse(_ text: String) throws(StoredValueError) -> [ExplanationWindow] {
        // Every stored score row carries one: the text `storedText` writes is
        // read directly; anything else (escapes, other spacing) by JSONDecoder.
        if let fast = parseStored(text) { return fast }
        do {
            return try JSONDecoder().decode([ExplanationWindow].self, from: Data(text.utf8))
        } catch {
            throw StoredValueError("not a JSON array of explanation windows: \(text.prefix(80))")
        }
    }

    /// `[{"frame":"…","share":N,"window":"…"},…]` without escapes or spaces,
    /// as `storedText` writes it; nil for any other text.
    static func parseStored(_ text: String) -> [ExplanationWindow]? {
        var text = text
        return text.withUTF8 { b -> [ExplanationWindow]? in
            var i = 0
            func take(_ literal: StaticString) -> Bool {
                let n = literal.utf8CodeUnitCount
                guard i + n <= b.count else { return false }
                for k in 0..<n where b[i + k] != literal.utf8Start[k] { return false }
                i += n
                return true
            }
            func string() -> String? {  // after the opening quote, up to the closing one
                let start = i
                while i < b.count && b[i] != UInt8(ascii: "\"") {
                    if b[i] == UInt8(ascii: "\\") { return nil }
                    i += 1
                }
                guard i < b.count else { return nil }
                defer { i += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            }
            func number() -> Double? {
                let start = i
                while i < b.count && b[i] != UInt8(ascii: ",") && b[i] != UInt8(ascii: "}") { i += 1 }
                return Double(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
            }
            guard take("[") else { return nil }
            var out: [ExplanationWindow] = []
            if take("]") { return i == b.count ? out : nil }
            while true {
                guard take("{\"frame\":\""), let frame = string(), take(",\"share\":"), let share = number(),
                      take(",\"window\":\""), let window = string(), take("}") else { return nil }
                out.append(ExplanationWindow(window: window, frame: frame, share: share))
                if take("]") { return i == b.count ? out : nil }
                guard take(",") else { return nil }
            }
        }
    }
}

/// TARGETIDs as a JSON array of exact integers: "[39627…,39627…]".
public enum TargetIDList {
    public static func storedText(_ ids: [TargetID]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    /// Reads the bytes directly (every stored score row carries a list):
    /// spaces around the brackets and commas are allowed, nothing else.
    public static func parse(_ text: String) throws(StoredValueError) -> [TargetID] {
        var text = text
        let parsed: [TargetID]? = text.withUTF8 { b in
            var i = 0
            func skipSpaces() { while i < b.count && (b[i] == 0x20 || b[i] == 0x09) { i += 1 } }
            skipSpaces()
            guard i < b.count, b[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            skipSpaces()
            var out: [TargetID] = []
            if i < b.count, b[i] == UInt8(ascii: "]") {
                i += 1
                skipSpaces()
                return i == b.count ? out : nil
            }
            while true {
                skipSpaces()
                var negative = false
                if i < b.count, b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
                var value: Int64 = 0, digits = 0
                while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                    let (times, o1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = negative ? times.subtractingReportingOverflow(Int64(b[i] - 48))
                                             : times.addingReportingOverflow(Int64(b[i] - 48))
                    guard !o1, !o2 else { return nil }
                    value = sum
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { return nil }
                out.append(value)
                skipSpaces()
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                guard b[i] == UInt8(ascii: "]") else { return nil }
                i += 1
                skipSpaces()
                return i == b.count ? out : nil
            }
        }
        guard let parsed else { throw StoredValueError("not a JSON array of TARGETIDs: \(text.prefix(80))") }
        return parsed
    }
}

/// Which weights, settings and calibration a model's scores came from.
/// Replacing a model's scores replaces this record in the same transaction.
public struct ScoreRunRecord: Sendable, Equatable {
    public var model: String
    /// The weights hash of the model card: scores of other weights are stale.
    public var modelFingerprint: String
    public var scoredAt: Double
    public var spectra: Int
    /// JSON of the scorer settings (`ScoreSettings`, keys sorted): compared as
    /// text to tell whether a re-run would change anything, and exported as provenance.
    public var parameters: String

    public init(model: String, modelFingerprint: String, scoredAt: Double, spectra: Int, parameters: String) {
        self.model = model
        self.modelFingerprint = modelFingerprint
        self.scoredAt = scoredAt
        self.spectra = spectra
        self.parameters = parameters
    }
}

extension ScoreRunRecord: StoredRecord {
    public static let table = StoredTable<ScoreRunRecord>(
        "score_run", createdBy: SchemaHistory.scores,
        columns: [.text("model", \.model), .text("model_fingerprint", \.modelFingerprint),
                  .double("scored_at", \.scoredAt), .int("spectra", \.spectra), .text("parameters", \.parameters)],
        primaryKey: ["model"])

    public static var blank: ScoreRunRecord {
        ScoreRunRecord(model: "", modelFingerprint: "", scoredAt: 0, spectra: 0, parameters: "")
    }
}
