import Foundation

/// Turns a leaf column's repetition and definition levels into rows: list
/// offsets, row validity and element validity (Arrow's layout). One level
/// entry is one value slot, except the entries of null or empty lists.
struct LevelAssembler {
    let maxDefinition: UInt8
    let isList: Bool
    /// Lists: definition level of an existing element (below it: empty or null list).
    let elementDefinition: UInt8
    /// Rows the row groups being read declare; more is an error.
    let rowLimit: Int

    private(set) var rowCount = 0
    private(set) var slotCount = 0
    private(set) var offsets: [Int] = []
    private(set) var rowValidity: [Bool]?
    private(set) var elementValidity: [Bool]?
    /// Per slot of the current page: whether it holds a value (for spreading).
    private(set) var pageSlotValid: [Bool] = []

    init(leaf: ParquetLeafColumn, rowLimit: Int) throws(ParquetError) {
        guard leaf.maxRepetitionLevel <= 1 else {
            throw ParquetError("nested lists (repetition level \(leaf.maxRepetitionLevel)) are not supported")
        }
        guard leaf.maxDefinitionLevel <= 250 else { throw ParquetError("schema nested too deeply") }
        maxDefinition = UInt8(leaf.maxDefinitionLevel)
        isList = leaf.isList
        elementDefinition = UInt8(leaf.elementDefinitionLevel ?? 0)
        self.rowLimit = rowLimit
        // Grows as rows arrive; a (possibly corrupt) declared count only caps it.
        if isList { offsets.reserveCapacity(min(rowLimit, 1 << 16) + 1) }
    }

    private func tooManyRows() -> ParquetError {
        ParquetError("the levels hold more rows than the \(rowLimit) the row group declares")
    }

    /// Takes one page's levels (`present` of them at the maximum definition
    /// level). Returns the number of slots added; when that exceeds `present`,
    /// `pageSlotValid` says which slots get the page's values.
    mutating func consume(count n: Int, repetition rep: UnsafePointer<UInt8>?, definition def: UnsafePointer<UInt8>?,
                          present: Int, firstOfChunk: Bool) throws(ParquetError) -> Int {
        if !isList {
            guard n <= rowLimit - rowCount else { throw tooManyRows() }
            if present == n {
                if rowValidity != nil { rowValidity!.append(contentsOf: repeatElement(true, count: n)) }
            } else {
                let def = def!
                pageSlotValid.removeAll(keepingCapacity: true)
                pageSlotValid.reserveCapacity(n)
                if rowValidity == nil { rowValidity = [Bool](repeating: true, count: rowCount) }
                for i in 0..<n {
                    let valid = def[i] == maxDefinition
                    pageSlotValid.append(valid)
                    rowValidity!.append(valid)
                }
            }
            rowCount += n
            slotCount += n
            return n
        }

        let rep = rep!
        if firstOfChunk, n > 0, rep[0] != 0 {
            throw ParquetError("the column chunk starts inside a row (first repetition level \(rep[0]))")
        }
        if present == n {
            // Every entry is a present element: rows start where the repetition level is 0.
            let raw = UnsafeRawPointer(rep)
            var p = 0
            while p < n, let hit = memchr(raw + p, 0, n - p) {
                let i = UnsafeRawPointer(hit) - raw
                guard rowCount < rowLimit else { throw tooManyRows() }
                offsets.append(slotCount + i)
                rowCount += 1
                if rowValidity != nil { rowValidity!.append(true) }
                p = i + 1
            }
            if elementValidity != nil { elementValidity!.append(contentsOf: repeatElement(true, count: n)) }
            slotCount += n
            return n
        }

        let def = def!
        pageSlotValid.removeAll(keepingCapacity: true)
        var slots = 0
        for i in 0..<n {
            let d = def[i]
            if rep[i] == 0 {
                guard rowCount < rowLimit else { throw tooManyRows() }
                offsets.append(slotCount + slots)
                rowCount += 1
                if rowValidity != nil { rowValidity!.append(true) }
            }
            if d >= elementDefinition {
                let valid = d == maxDefinition
                if !valid, elementValidity == nil { elementValidity = [Bool](repeating: true, count: slotCount + slots) }
                if elementValidity != nil { elementValidity!.append(valid) }
                pageSlotValid.append(valid)
                slots += 1
            } else if rep[i] != 0 {
                throw ParquetError("level entry \(i) continues a list but defines no element (definition level \(d))")
            } else if d + 1 < elementDefinition {
                // The list itself is null.
                if rowValidity == nil { rowValidity = [Bool](repeating: true, count: rowCount) }
                rowValidity![rowCount - 1] = false
            }
        }
        slotCount += slots
        return slots
    }

    /// Finishes: the list offsets get their closing entry.
    mutating func finish() {
        if isList { offsets.append(slotCount) }
    }
}
