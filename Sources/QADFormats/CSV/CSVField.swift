/// How qad writes one CSV field (RFC 4180): as it is, or double-quoted with
/// inner quotes doubled when it holds a comma, a quote or a line break.
public enum CSVField {
    /// `markEmpty`: also quote an empty field (so it reads back apart from a
    /// missing value, which is written as nothing) and one with leading or
    /// trailing blanks (which many readers would trim).
    public static func quoted(_ s: String, markEmpty: Bool = false) -> String {
        let needs = s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || (markEmpty && (s.isEmpty || s.first == " " || s.last == " "))
        guard needs else { return s }
        var out = "\""
        for c in s { out += c == "\"" ? "\"\"" : String(c) }
        return out + "\""
    }
}
