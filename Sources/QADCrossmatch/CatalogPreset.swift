/// The usual column names of a survey's catalog, so `--preset wise` needs no
/// column flags. Each entry lists the spellings seen in the archives (IRSA,
/// HEASARC, VizieR, the survey's own FITS); the first one the file has wins,
/// matched case-insensitively. Explicit flags override a preset.
public struct CatalogPreset: Sendable {
    public var name: String
    public var ra: [String]
    public var dec: [String]
    public var id: [String]
    /// Quantities kept when present, each as its candidate spellings.
    public var keep: [[String]]
    /// Columns computed from the kept ones (WISE colours).
    public var derived: [DerivedColumn]

    public static let all: [CatalogPreset] = [wise, galex, erosita, rosat, chandra]

    public static func named(_ name: String) -> CatalogPreset? {
        all.first { $0.name == name.lowercased() }
    }

    /// AllWISE / CatWISE2020 (IRSA names, VizieR's W1mag spellings) and
    /// unWISE-based Legacy Surveys photometry (FLUX_W1/FLUX_W2 in nanomaggies).
    public static let wise = CatalogPreset(
        name: "wise",
        ra: ["ra", "RAJ2000", "RA_ICRS", "RA"], dec: ["dec", "DEJ2000", "DE_ICRS", "DEC"],
        id: ["designation", "source_name", "AllWISE", "CatWISE", "unwise_objid", "source_id", "cntr", "objid"],
        keep: [["w1mpro", "W1mag", "w1_mag"], ["w1sigmpro", "e_W1mag", "w1_magerr"],
               ["w2mpro", "W2mag", "w2_mag"], ["w2sigmpro", "e_W2mag", "w2_magerr"],
               ["FLUX_W1", "flux_w1"], ["FLUX_W2", "flux_w2"], ["ph_qual", "qph"], ["cc_flags", "ccf"]],
        derived: WISEColours.columns)

    /// GALEX GR6/7 and GUVcat (MAST names; VizieR's FUVmag/NUVmag), AB magnitudes.
    public static let galex = CatalogPreset(
        name: "galex",
        ra: ["ra", "RAJ2000", "RA"], dec: ["dec", "DEJ2000", "DEC"],
        id: ["objid", "OBJID", "GALEX", "IAUNAME"],
        keep: [["fuv_mag", "FUVmag", "FUV_MAG"], ["fuv_magerr", "e_FUVmag", "FUV_MAGERR"],
               ["nuv_mag", "NUVmag", "NUV_MAG"], ["nuv_magerr", "e_NUVmag", "NUV_MAGERR"]],
        derived: [])

    /// eROSITA eRASS1 main (Merloni et al. 2024): 0.2–2.3 keV flux, likelihood, positional error.
    public static let erosita = CatalogPreset(
        name: "erosita",
        ra: ["RA", "RAJ2000"], dec: ["DEC", "DEJ2000"],
        id: ["IAUNAME", "UID", "DETUID"],
        keep: [["ML_FLUX_1", "ML_FLUX_0"], ["ML_FLUX_ERR_1", "ML_FLUX_ERR_0"], ["DET_LIKE_0"], ["POS_ERR"], ["EXT"]],
        derived: [])

    /// ROSAT 2RXS (Boller et al. 2016) and 1RXS spellings: count rate, likelihood, positional error.
    public static let rosat = CatalogPreset(
        name: "rosat",
        ra: ["RA_DEG", "RAJ2000", "RA", "ra_deg"], dec: ["DEC_DEG", "DEJ2000", "DEC", "dec_deg"],
        id: ["IAU_NAME", "2RXS", "1RXS", "iau_name", "ID"],
        keep: [["SRC_RATE", "RATE", "Count", "count_rate"], ["SRC_RATE_ERR", "RATE_ERR", "e_Count", "count_rate_err"],
               ["EXI_ML", "ExiML", "detection_likelihood"], ["RADEC_ERR", "PosErr", "pos_error_arcsec"]],
        derived: [])

    /// Chandra Source Catalog 2 master sources (CSCview names): broad-band aperture flux, significance, error ellipse.
    public static let chandra = CatalogPreset(
        name: "chandra",
        ra: ["ra", "RAJ2000", "RA"], dec: ["dec", "DEJ2000", "DEC"],
        id: ["name", "2CXO", "msid"],
        keep: [["flux_aper_b", "Fluxb"], ["flux_aper_lolim_b"], ["flux_aper_hilim_b"], ["significance", "sig"],
               ["err_ellipse_r0", "r0"]],
        derived: [])
}
