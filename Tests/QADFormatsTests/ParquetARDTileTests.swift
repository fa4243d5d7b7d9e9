import Foundation
import QADCore
import QADTestSupport
import Testing
@testable import QADFormats

/// ARD tiles made by pyarrow from the real DESI coadds (tools/make_ard_tiles.py,
/// the upstream converter's recipe) are read value for value, checked
/// against the coadds read through cfitsio.
@Suite struct ParquetARDTileTests {
    static let coadds = ["desi/edr-tile-80693/coadd-1-80693-thru20210204.fits",
                         "desi/edr-tile-80693/coadd-2-80693-thru20210204.fits",
                         "desi/edr-healpix-9144/coadd-main-dark-9144.fits"]
    static let catalogs = ["desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz", "desi/catalogs/QSO_cat_fuji_dark_healpix.fits.gz"]

    /// OUT/tiles/tile_*/qso_data_TILE*.parquet and OUT/fits/ twins, made once.
    static let fixtures: Result<String?, Error> = Result {
        guard let python = try crossCheckPython() else { return nil }
        let out = temporaryDirectory()
        let result = try run(python, [packageRoot.appendingPathComponent("tools/make_ard_tiles.py").path, "tiles",
                                      sharedData(""), out])
        guard result.status == 0 else { throw PyarrowFixtures.FixtureFailure(output: result.output) }
        return out
    }

    /// Every catalog QSO in the coadds with its arms cut to 3600–9800 Å, by TARGETID.
    static func expectedRows() throws -> [TargetID: (entry: QSOCatalogEntry, arms: [ArmSpectrum])] {
        var catalog = QSOCatalog()
        for c in catalogs { try catalog.add(path: sharedData(c)) }
        var out: [TargetID: (QSOCatalogEntry, [ArmSpectrum])] = [:]
        for path in coadds {
            let coadd = try DESICoaddFile(path: sharedData(path))
            let rows = coadd.targetIDs.indices.filter { catalog[coadd.targetIDs[$0]] != nil }
            for (row, arms) in zip(rows, try coadd.readArms(rows: rows)) {
                let cut = arms.map { a in
                    let keep = a.wavelength.indices.filter { a.wavelength[$0] >= 3600 && a.wavelength[$0] <= 9800 }
                    return ArmSpectrum(name: a.name, wavelength: keep.map { a.wavelength[$0] }, flux: keep.map { a.flux[$0] },
                                       ivar: keep.map { a.ivar[$0] }, mask: keep.map { a.mask[$0] })
                }
                out[coadd.targetIDs[row]] = (catalog[coadd.targetIDs[row]]!, cut)
            }
        }
        return out
    }

    @Test func desiWavelengthGridIsTheCoaddsBitForBit() throws {
        for path in Self.coadds {
            let coadd = try DESICoaddFile(path: sharedData(path))
            for arm in DESIWavelengthGrid.arms {
                #expect(coadd.wavelengths[arm.name] == arm.wavelengths, "\(path) \(arm.name)")
            }
        }
        // A float32 run of a stretch of a grid maps back; anything else does not.
        let r = DESIWavelengthGrid.arms[1]
        let run = (100..<180).map { Float(r.wavelength($0)) }
        #expect(DESIWavelengthGrid.recover(run[...])?.wavelengths == (100..<180).map(r.wavelength))
        #expect(DESIWavelengthGrid.recover(run.map { $0.nextUp }[...]) == nil)
        #expect(DESIWavelengthGrid.recover([Float(3599.2), 3600][...]) == nil)
    }

    @Test(.needs(.python)) func theExactARDSchemaIsReadValueForValue() throws {
        let out = try #require(try Self.fixtures.get())
        let expected = try Self.expectedRows()
        var seen = 0
        for tile in ["tile_80693/qso_data_TILE80693.parquet", "tile_9144/qso_data_TILE9144.parquet"] {
            let file = try ParquetFile(path: "\(out)/tiles/\(tile)")
            #expect(file.schema.leaves.map(\.name) == ["target_id", "ra", "dec", "z", "wavelength", "flux", "ivar", "mask_array"])
            let t = try file.read()
            let ids = try #require(t["target_id"]?.int64s)
            let wave = t["wavelength"]!, flux = t["flux"]!, ivar = t["ivar"]!, mask = t["mask_array"]!
            #expect(wave.floats != nil && flux.doubles != nil && ivar.doubles != nil && mask.int64s != nil)
            for (r, id) in ids.enumerated() {
                let (entry, arms) = try #require(expected[id], "TARGETID \(id)")
                #expect(t["z"]?.doubles?[r] == entry.z && t["ra"]?.doubles?[r] == entry.ra && t["dec"]?.doubles?[r] == entry.dec)
                let slots = wave.elements(ofRow: r)
                #expect(slots.count == 7927 && flux.elements(ofRow: r) == slots && mask.elements(ofRow: r) == slots)
                #expect(Array(wave.floats![slots]) == arms.flatMap { $0.wavelength.map(Float.init) })
                #expect(Array(flux.doubles![slots]) == arms.flatMap { $0.flux.map(Double.init) })
                #expect(Array(ivar.doubles![slots]) == arms.flatMap { $0.ivar.map(Double.init) })
                #expect(Array(mask.int64s![slots]) == arms.flatMap(\.mask))
                seen += 1
            }
        }
        #expect(seen == expected.count && seen == 12)
    }

    @Test(.needs(.python)) func tileRowsSplitBackIntoTheCoaddArms() throws {
        let out = try #require(try Self.fixtures.get())
        let expected = try Self.expectedRows()
        let tile = try ARDTileFile(path: "\(out)/tiles/tile_80693/qso_data_TILE80693.parquet")
        #expect(tile.rowCount == 10 && tile.hasMask && tile.hasPosition)
        for row in try tile.rows(ofRowGroup: 0) {
            let id = try #require(row.targetID)
            let arms = try #require(expected[id]?.arms)
            #expect(row.problem == nil)
            #expect(row.arms.map(\.name) == ["B", "R", "Z"])
            // 7,927 pixels: DESI's "9800 Å" Z pixel is 9800.0000000004, beyond the cut.
            #expect(row.arms.map(\.wavelength.count) == [2751, 2326, 2850])
            for (a, b) in zip(row.arms, arms) {
                // Exact doubles, recovered from float32.
                #expect(a.wavelength == b.wavelength && a.flux == b.flux && a.ivar == b.ivar && a.mask == b.mask)
            }
        }
    }
}
