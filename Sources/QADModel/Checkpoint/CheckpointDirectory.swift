import Foundation
import QADCore

/// A model's folder, STORE/models/NAME/:
///
///     model.safetensors, model.json      the published (best) model
///     checkpoints/epoch-0007/            weights, card, optimizer moments, state
///     checkpoints/LATEST, BEST           names of the newest and best epoch folders
///
/// An epoch folder is written under a temporary name and renamed into place;
/// then LATEST is replaced atomically. A run killed at any moment finds LATEST
/// naming a complete folder and resumes from it.
public struct CheckpointDirectory: Sendable {
    public let path: String
    public var checkpoints: String { path + "/checkpoints" }

    public init(path: String) { self.path = path }

    public static let optimizerName = "optimizer.safetensors"
    public static let stateName = "state.json"

    public func create() throws {
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
    }

    /// Deletes the whole model folder.
    public func remove() throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }

    public static func epochFolderName(_ epoch: Int) -> String {
        let s = String(epoch)
        return "epoch-" + String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// Writes one epoch's checkpoint and points LATEST (and BEST when `isBest`) at it.
    public func save(epoch: Int, model: VAEModel, card: ModelCard, optimizer: AdamOptimizer, state: TrainingState,
                     isBest: Bool) throws {
        try create()
        let name = Self.epochFolderName(epoch)
        let final = checkpoints + "/" + name
        let tmp = checkpoints + "/.\(name).tmp-\(getpid())"
        let fm = FileManager.default
        if fm.fileExists(atPath: tmp) { try fm.removeItem(atPath: tmp) }
        try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        try ModelFiles.write(model, card: card, to: tmp)
        let moments = try SafeTensors.encode([
            SafeTensors.Entry(name: "adam.m", shape: [optimizer.m.count], values: optimizer.m.array),
            SafeTensors.Entry(name: "adam.v", shape: [optimizer.v.count], values: optimizer.v.array),
        ], metadata: ["steps": String(optimizer.steps)])
        try DurableFile.write(moments, to: tmp + "/" + Self.optimizerName)
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try DurableFile.write(try e.encode(state), to: tmp + "/" + Self.stateName)
        // A folder of the same name can exist from a run killed after the
        // rename but before LATEST moved: it is not referenced, replace it.
        if fm.fileExists(atPath: final) { try fm.removeItem(atPath: final) }
        try DurableFile.renameDirectory(tmp, to: final)
        if isBest { try DurableFile.write(Data(name.utf8), to: checkpoints + "/BEST") }
        try DurableFile.write(Data(name.utf8), to: checkpoints + "/LATEST")
        try prune()
    }

    /// The epoch folder a pointer file (LATEST or BEST) names, if any.
    public func pointer(_ file: String) -> String? {
        guard let d = FileManager.default.contents(atPath: checkpoints + "/" + file) else { return nil }
        let name = String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : checkpoints + "/" + name
    }

    /// Loads the checkpoint LATEST names.
    public func loadLatest() throws -> (model: VAEModel, card: ModelCard, optimizer: AdamOptimizer, state: TrainingState)? {
        guard let dir = pointer("LATEST") else { return nil }
        let (model, card) = try ModelFiles.load(from: dir)
        let optPath = dir + "/" + Self.optimizerName
        guard let optData = FileManager.default.contents(atPath: optPath) else { throw LocatedError("\(optPath): missing") }
        let (entries, meta) = try SafeTensors.decode(optData, path: optPath)
        guard let m = entries["adam.m"], let v = entries["adam.v"], m.values.count == model.parameterCount,
              v.values.count == model.parameterCount, let steps = meta["steps"].flatMap(Int.init) else {
            throw LocatedError("\(optPath): optimizer state does not match the model")
        }
        let statePath = dir + "/" + Self.stateName
        guard let stateData = FileManager.default.contents(atPath: statePath) else { throw LocatedError("\(statePath): missing") }
        let state: TrainingState
        do { state = try JSONDecoder().decode(TrainingState.self, from: stateData) } catch {
            throw LocatedError("\(statePath): unreadable training state (\(error))")
        }
        return (model, card, AdamOptimizer(m: FloatBuffer(m.values), v: FloatBuffer(v.values), steps: steps), state)
    }

    /// Copies the best epoch's model files to the model folder (the published model).
    public func publishBest() throws {
        guard let best = pointer("BEST") else { throw LocatedError("\(checkpoints): no best checkpoint to publish") }
        for name in [ModelFiles.weightsName, ModelFiles.cardName] {
            guard let d = FileManager.default.contents(atPath: best + "/" + name) else {
                throw LocatedError("\(best)/\(name): missing")
            }
            try DurableFile.write(d, to: path + "/" + name)
        }
    }

    /// Keeps the folders LATEST and BEST name; removes other epochs and
    /// temporaries left by killed runs.
    func prune() throws {
        let keep = Set([pointer("LATEST"), pointer("BEST")].compactMap { $0.map { ($0 as NSString).lastPathComponent } })
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: checkpoints) {
            let isEpoch = name.hasPrefix("epoch-") || (name.hasPrefix(".epoch-") && !name.hasSuffix("-\(getpid())"))
            if isEpoch && !keep.contains(name) { try? fm.removeItem(atPath: checkpoints + "/" + name) }
        }
    }
}
