/// Random secrets for sign-in tokens, session cookies and CSRF tokens.
/// `SystemRandomNumberGenerator` reads the kernel's CSPRNG (getrandom on Linux).
public enum Secret {
    /// 32 random bytes as 64 lowercase hex digits.
    public static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let s = String(UInt8.random(in: 0...255, using: &rng), radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    /// Compares two secrets in time that depends only on their lengths, so a
    /// timing side channel cannot reveal a prefix.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
