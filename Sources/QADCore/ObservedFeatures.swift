/// Observed wavelengths (vacuum Å) where DESI's instrument and the night sky
/// leave their own marks on every spectrum, whatever its redshift.
public enum ObservedFeatures {
    /// Centres of the spectrograph's arm overlaps: B/R 5760–5800 Å and R/Z
    /// 7520–7620 Å. A flux-calibration error of one arm is a step here.
    public static let armJoins: [Double] = [5780, 7570]
    /// Bright night-sky lines: [OI] 5577, NaD 5890, [OI] 6300 and 6364, and
    /// strong OH bands in the R and Z arms. A line scaled wrongly in the sky
    /// subtraction leaves a narrow excess or dip at its wavelength.
    public static let brightSkyLines: [Double] = [5578.9, 5891.6, 6302.0, 6365.5, 7343.0, 7916.0, 8346.9, 8829.8, 9378.9]
}
