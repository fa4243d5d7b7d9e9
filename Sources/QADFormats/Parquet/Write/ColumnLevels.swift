/// A column's rows flattened into Parquet levels: one entry per flat value,
/// per list element, and per null or empty list; plus which value slots
/// carry a value, in order.
struct ColumnLevels {
    var repetition: [UInt8] = []
    var definition: [UInt8] = []
    /// Value slots (indices into the column's values) that are written.
    var presentSlots: [Int] = []
    /// Per row: first level entry and first present value (rows + 1 entries each).
    var rowEntryStart: [Int] = [0]
    var rowPresentStart: [Int] = [0]

    var entryCount: Int { rowEntryStart.last! }

    /// Checks the column against its field and flattens it.
    init(_ column: ParquetColumn, field: ParquetField) throws(ParquetError) {
        if let problem = column.shapeProblem(for: field) { throw ParquetError(column: field.name, message: problem) }
        let rows = column.rowCount
        let maxDef = UInt8(field.maxDefinitionLevel)
        rowEntryStart.reserveCapacity(rows + 1)
        rowPresentStart.reserveCapacity(rows + 1)
        if !field.isList {
            presentSlots.reserveCapacity(rows)
            if maxDef > 0 { definition.reserveCapacity(rows) }
            for r in 0..<rows {
                let valid = column.validity?[r] ?? true
                if maxDef > 0 { definition.append(valid ? maxDef : 0) }
                if valid { presentSlots.append(r) }
                rowEntryStart.append(r + 1)
                rowPresentStart.append(presentSlots.count)
            }
            return
        }

        let offsets = column.offsets!
        let first = offsets[0]
        let emptyDef = UInt8(field.nullable ? 1 : 0)
        let nullElementDef = maxDef - 1
        let entries = offsets[rows] - first + rows
        repetition.reserveCapacity(entries)
        definition.reserveCapacity(entries)
        presentSlots.reserveCapacity(offsets[rows] - first)
        for r in 0..<rows {
            if !(column.validity?[r] ?? true) {
                repetition.append(0)
                definition.append(0)
            } else if offsets[r] == offsets[r + 1] {
                repetition.append(0)
                definition.append(emptyDef)
            } else {
                for slot in offsets[r]..<offsets[r + 1] {
                    repetition.append(slot == offsets[r] ? 0 : 1)
                    let valid = column.elementValidity?[slot] ?? true
                    definition.append(valid ? maxDef : nullElementDef)
                    if valid { presentSlots.append(slot) }
                }
            }
            rowEntryStart.append(definition.count)
            rowPresentStart.append(presentSlots.count)
        }
    }
}

extension ParquetColumn {
    /// Why the column cannot be written as `field`, or nil when it can.
    func shapeProblem(for field: ParquetField) -> String? {
        guard field.type.matches(values) else { return "the values do not have the field's type \(field.type)" }
        let rows = rowCount
        if let validity {
            guard validity.count == rows else { return "\(validity.count) validity entries for \(rows) rows" }
            guard field.nullable || !validity.contains(false) else { return "null rows in a column declared not nullable" }
        }
        guard field.isList else {
            return offsets == nil ? nil : "list offsets given for a flat column"
        }
        guard let offsets else { return "a list column needs offsets" }
        let count = values.count
        guard let first = offsets.first, first >= 0, offsets.last! <= count else {
            return "list offsets do not fit the \(count) values"
        }
        for r in 0..<rows where offsets[r + 1] < offsets[r] { return "list offsets decrease at row \(r)" }
        if let elementValidity {
            guard elementValidity.count == count else { return "\(elementValidity.count) element validity entries for \(count) values" }
            guard field.elementNullable || !elementValidity[first..<offsets[rows]].contains(false) else {
                return "null elements in a list declared with non-nullable elements"
            }
        }
        return nil
    }
}
