/// One leaf (primitive) column of a schema, with the levels that place its
/// values in rows.
public struct ParquetLeafColumn: Sendable, Equatable {
    /// Position among the leaves: the index of its chunk in every row group.
    public let index: Int
    /// Names from the root's child down to the leaf, as stored.
    public let path: [String]
    /// The column's name for users: the path with list wrappers removed
    /// ("flux" for flux.list.element; "s.a" for a struct field).
    public let name: String
    /// Name of the top-level field this leaf belongs to.
    public let topLevelName: String
    public let physicalType: ParquetPhysicalType
    public let typeLength: Int
    /// BYTE_ARRAY annotated as UTF-8 text (STRING, ENUM, JSON).
    public let isText: Bool
    public let maxDefinitionLevel: Int
    public let maxRepetitionLevel: Int
    /// For list columns (repetition level 1): the definition level at which the
    /// list has at least one element. Lower levels mean an empty list (this
    /// minus one) or a null list (lower still).
    public let elementDefinitionLevel: Int?

    public var isList: Bool { maxRepetitionLevel > 0 }
}

/// The schema of a file: the flattened SchemaElements rebuilt into a tree,
/// and its leaf columns in file order.
public struct ParquetSchema: Sendable {
    public let elements: [ParquetSchemaElement]
    public let leaves: [ParquetLeafColumn]

    /// Deepest nesting accepted; deeper schemas are refused rather than recursed.
    static let maxDepth = 32

    init(elements: [ParquetSchemaElement]) throws(ParquetError) {
        self.elements = elements
        guard let root = elements.first else { throw ParquetError("the schema is empty") }
        guard root.type == nil, let rootChildren = root.numChildren, rootChildren >= 0 else {
            throw ParquetError("the schema root '\(root.name)' is not a group")
        }
        var leaves: [ParquetLeafColumn] = []
        var next = 1
        // Ancestors of the node being visited: (element, def level, rep level).
        var stack: [(element: ParquetSchemaElement, def: Int, rep: Int, elementDef: Int?)] = []

        func visit(depth: Int) throws(ParquetError) {
            guard next < elements.count else {
                throw ParquetError("the schema declares more children than its \(elements.count) elements hold")
            }
            guard depth <= Self.maxDepth else { throw ParquetError("the schema is nested deeper than \(Self.maxDepth)") }
            let e = elements[next]
            next += 1
            let parent = stack.last
            var def = parent?.def ?? 0
            var rep = parent?.rep ?? 0
            var elementDef = parent?.elementDef
            switch e.repetition ?? .required {
            case .required: break
            case .optional: def += 1
            case .repeated:
                def += 1
                rep += 1
                if rep == 1 { elementDef = def }
            default: throw ParquetError("schema node '\(e.name)' has unknown repetition \(e.repetition!.rawValue)")
            }
            stack.append((e, def, rep, elementDef))
            defer { stack.removeLast() }
            if let type = e.type {
                guard (e.numChildren ?? 0) == 0 else {
                    throw ParquetError("schema node '\(e.name)' has a type and children")
                }
                let nodes = stack.map(\.element)
                let path = nodes.map(\.name)
                var length = 0
                if type == .fixedLenByteArray {
                    guard let l = e.typeLength, l > 0 else {
                        throw ParquetError("FIXED_LEN_BYTE_ARRAY column '\(path.joined(separator: "."))' lacks its length")
                    }
                    length = Int(l)
                }
                let text = e.logicalType == .string || e.logicalType == .enumeration || e.logicalType == .json
                    || e.convertedType == .utf8 || e.convertedType == .enumeration || e.convertedType == .json
                leaves.append(ParquetLeafColumn(
                    index: leaves.count, path: path, name: Self.displayName(nodes),
                    topLevelName: path[0], physicalType: type, typeLength: length,
                    isText: text && type == .byteArray, maxDefinitionLevel: def, maxRepetitionLevel: rep,
                    elementDefinitionLevel: rep > 0 ? elementDef : nil))
            } else {
                let n = e.numChildren ?? 0
                guard n > 0 else { throw ParquetError("schema group '\(e.name)' has no children") }
                guard Int(n) <= elements.count - next else {
                    throw ParquetError("schema group '\(e.name)' declares \(n) children but only \(elements.count - next) elements follow")
                }
                for _ in 0..<Int(n) { try visit(depth: depth + 1) }
            }
        }
        guard Int(rootChildren) <= elements.count - 1 else {
            throw ParquetError("the schema root declares \(rootChildren) children but only \(elements.count - 1) elements follow")
        }
        for _ in 0..<Int(rootChildren) { try visit(depth: 1) }
        guard next == elements.count else {
            throw ParquetError("the schema has \(elements.count - next) elements outside the tree")
        }
        self.leaves = leaves
    }

    /// The path without list machinery: a LIST group's repeated child is
    /// dropped, and so is that child's only child (the 3-level "element").
    static func displayName(_ nodes: [ParquetSchemaElement]) -> String {
        func isList(_ e: ParquetSchemaElement) -> Bool { e.convertedType == .list || e.logicalType == .list }
        var names: [String] = []
        for (i, node) in nodes.enumerated() {
            if i >= 1, isList(nodes[i - 1]), node.repetition == .repeated { continue }
            if i >= 2, isList(nodes[i - 2]), nodes[i - 1].repetition == .repeated, nodes[i - 1].numChildren == 1 {
                continue
            }
            names.append(node.name)
        }
        // A legacy list of one repeated primitive keeps its own name.
        return names.isEmpty ? nodes.map(\.name).joined(separator: ".") : names.joined(separator: ".")
    }

    /// The leaves selected by `names` (top-level field names, display names or
    /// dotted stored paths); all leaves for nil. Unknown names are errors.
    public func leaves(named names: [String]?) throws(ParquetError) -> [ParquetLeafColumn] {
        guard let names else { return leaves }
        var chosen = Set<Int>()
        for n in names {
            let matches = leaves.filter { $0.name == n || $0.topLevelName == n || $0.path.joined(separator: ".") == n }
            guard !matches.isEmpty else {
                throw ParquetError("no column '\(n)' (columns: \(leaves.map(\.name).joined(separator: ", ")))")
            }
            for m in matches { chosen.insert(m.index) }
        }
        return leaves.filter { chosen.contains($0.index) }
    }
}
