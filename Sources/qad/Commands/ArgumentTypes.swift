import Foundation
import ArgumentParser
import QADCore
import QADCrossmatch
import QADDetect
import QADFormats
import QADModel
import QADPlot

// Choice options parse straight into their types: a bad value is a usage
// error naming the choices, and no command re-checks or force-unwraps a string.

extension ScoreName: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension CandidateQuery.BALHandling: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension CatalogFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension SpectrumFigure.Frame: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Activation: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension AngleUnit: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension CatalogPreset: ExpressibleByArgument {
    public init?(argument: String) {
        guard let p = CatalogPreset.named(argument) else { return nil }
        self = p
    }
    public static var allValueStrings: [String] { all.map(\.name) }
}

/// `qad rank --format`.
enum CandidateListStyle: String, CaseIterable, ExpressibleByArgument {
    case table, csv, json
}

/// `qad plot --format`.
enum FigureFormats: String, CaseIterable, ExpressibleByArgument {
    case svg, png, both

    var formats: [FigureWriter.Format] {
        switch self {
        case .svg: return [.svg]
        case .png: return [.png]
        case .both: return [.svg, .png]
        }
    }
}

/// `--min SCORE=VALUE` and `--min-pct SCORE=P`.
struct ScoreThreshold: ExpressibleByArgument {
    var score: ScoreName
    var value: Double

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let name = ScoreName(argument: parts[0]), let v = Double(parts[1]), v.isFinite else {
            return nil
        }
        score = name
        value = v
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A comma-separated list of quality flag names (`--exclude-flags LOW_SNR,ARM_STEP`).
struct QualityFlagList: ExpressibleByArgument {
    var flags: QualityFlags

    init?(argument: String) {
        flags = []
        for name in argument.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).uppercased() }) {
            guard let flag = QualityFlags.names.first(where: { $0.1 == name })?.0 else { return nil }
            flags.insert(flag)
        }
    }
}

/// A comma-separated list of names (`--keep W1MPRO,W2MPRO`, `--hidden 256,64`).
struct NameList: ExpressibleByArgument {
    var names: [String]

    init?(argument: String) {
        names = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Encoder hidden widths (`--hidden 256,64`).
struct LayerWidths: ExpressibleByArgument {
    var widths: [Int]

    init?(argument: String) {
        let w = argument.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !w.isEmpty, w.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        widths = w.map { $0! }
    }
}

/// Figure size (`--size 1000x520`, 100–4000 pixels each).
struct FigureSize: ExpressibleByArgument {
    var width: Int
    var height: Int

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ (100...4000).contains($0) }) else { return nil }
        (width, height) = (parts[0], parts[1])
    }
}
