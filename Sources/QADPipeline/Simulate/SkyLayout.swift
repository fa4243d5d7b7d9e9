import Foundation
import QADCore
import QADSpectra

/// Where simulated targets sit on the sky and what they are called: DESI
/// healpix files (nside 64, nested), Legacy Surveys bricks, and TARGETIDs
/// built the way desitarget builds them.
enum SkyLayout {
    static let nside = 64
    static let degree = Double.pi / 180

    static func pixel(ra: Double, dec: Double) -> Int {
        HealpixNest.pixel(nside: nside, ra: ra, dec: dec)
    }

    static func centre(pixel: Int) -> (ra: Double, dec: Double) {
        HealpixNest.centre(nside: nside, pixel: pixel)
    }

    /// Is (ra, dec) in the DESI footprint (roughly: the NGC cap at
    /// 110° < RA < 265°, -8° < Dec < 70°, and the SGC stripe at RA < 45° or
    /// > 310°, -15° < Dec < 35°)?
    static func inFootprint(ra: Double, dec: Double) -> Bool {
        if ra > 110 && ra < 265 && dec > -8 && dec < 70 { return true }
        if (ra < 45 || ra > 310) && dec > -15 && dec < 35 { return true }
        return false
    }

    /// `count` distinct healpix pixels inside the footprint (whole sky once the
    /// footprint runs out), drawn uniformly on the sphere.
    static func drawPixels(_ count: Int, using rng: inout some RandomNumberGenerator) -> [Int] {
        var seen = Set<Int>()
        var out: [Int] = []
        var misses = 0
        while out.count < count {
            let ra = rng.drawUniform(0, 360)
            let dec = asin(rng.drawUniform(-1, 1)) / degree
            if misses < 200_000 && !inFootprint(ra: ra, dec: dec) { continue }
            let p = pixel(ra: ra, dec: dec)
            if seen.insert(p).inserted { out.append(p) } else { misses += 1 }
        }
        return out
    }

    /// A uniform random position inside healpix `pixel`, by rejection from a
    /// box around its centre (an nside-64 pixel is ≈ 0.92° across).
    static func drawPosition(in pixel: Int, using rng: inout some RandomNumberGenerator) -> (ra: Double, dec: Double) {
        let c = centre(pixel: pixel)
        let half = 0.9
        while true {
            let dec = min(max(c.dec + rng.drawUniform(-half, half), -89.999), 89.999)
            let ra = c.ra + rng.drawUniform(-half, half) / max(cos(dec * degree), 0.02)
            let wrapped = (ra.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
            if self.pixel(ra: wrapped, dec: dec) == pixel { return (wrapped, dec) }
        }
    }

    // MARK: bricks and TARGETIDs

    /// Legacy Surveys-like bricks: rows 0.25° high, each row cut into as many
    /// ~0.25° columns as fit at its declination.
    static let brickRows: (columns: [Int], firstID: [Int]) = {
        var columns: [Int] = []
        var first: [Int] = []
        var next = 1
        for i in 0...720 {
            let dec = -90 + 0.25 * Double(i)
            let n = max(1, Int((360 * cos(dec * degree) / 0.25).rounded()))
            columns.append(n)
            first.append(next)
            next += n
        }
        return (columns, first)
    }()

    struct Brick {
        var id: Int
        var name: String
    }

    static func brick(ra: Double, dec: Double) -> Brick {
        let row = min(max(Int(((dec + 90) / 0.25).rounded()), 0), 720)
        let n = brickRows.columns[row]
        let col = min(Int(ra / 360 * Double(n)), n - 1)
        let raC = (Double(col) + 0.5) * 360 / Double(n)
        let decC = -90 + 0.25 * Double(row)
        let name = String(format: "%04d%@%03d", Int(raC * 10), decC >= 0 ? "p" : "m", Int((abs(decC) * 10).rounded()))
        return Brick(id: brickRows.firstID[row] + col, name: name)
    }

    /// Legacy Surveys DR9 release: 9011 for the northern BASS/MzLS imaging
    /// (Dec > 32.375° in the NGC), 9010 for DECaLS.
    static func release(ra: Double, dec: Double) -> Int {
        (dec > 32.375 && ra > 100 && ra < 300) ? 9011 : 9010
    }

    /// desitarget's TARGETID layout: OBJID (22 bits) | BRICKID << 22 |
    /// RELEASE << 42. For DR9 targets this is ≈ 3.96e16, above 2^53.
    static func targetID(release: Int, brickID: Int, objID: Int) -> TargetID {
        (Int64(release) << 42) | (Int64(brickID) << 22) | Int64(objID & 0x3F_FFFF)
    }
}
