import Foundation
import QADCore
import QADDetect
import QADLabels
import QADPipeline
import QADPlot
import QADStore

/// The JSON documents of the API. TARGETIDs are written as exact integer
/// literals; the page reads them back as strings.
enum CandidateJSON {
    static func queue(_ page: ReviewQueuePage, offset: Int) -> String {
        var w = JSONWriter(capacity: 96 * page.rows.count + 64)
        w.openObject()
        w.key("total"); w.int(page.total)
        w.key("unlabelled"); w.int(page.unlabelled)
        w.key("offset"); w.int(offset)
        w.key("items"); w.openArray()
        for r in page.rows {
            w.openObject()
            item(&w, targetid: r.targetid, score: r.score, scorePct: r.scorePct, z: r.z, snr: r.snr, bal: r.isBAL(),
                 mine: page.myLabels[r.targetid]?.labelClass.rawValue)
            w.closeObject()
        }
        w.closeArray()
        w.closeObject()
        return w.text
    }

    /// The fields every queue item has, whatever orders the queue.
    private static func item(_ w: inout JSONWriter, targetid: TargetID, score: Double, scorePct: Double, z: Double?,
                             snr: Double?, bal: Bool, mine: String?) {
        w.key("targetid"); w.targetID(targetid)
        w.key("score"); w.number(score)
        w.key("score_pct"); w.number(scorePct)
        w.key("z"); w.number(z)
        w.key("snr"); w.number(snr)
        w.key("bal"); w.bool(bal)
        w.key("mine"); if let mine { w.string(mine) } else { w.null() }
    }

    /// A relevance-ordered queue page: the queue's own fields, and why each
    /// candidate is where it is (anomaly quantile, relevance, novelty, key,
    /// and the labelled spectra behind the relevance).
    static func relevanceQueue(_ page: LiveRelevancePage, spectra: [TargetID: SpectrumRecord], mine: [TargetID: String],
                               offset: Int) -> String {
        var w = JSONWriter(capacity: 240 * page.rows.count + 64)
        w.openObject()
        w.key("total"); w.int(page.total)
        w.key("unlabelled"); w.int(page.total)
        w.key("offset"); w.int(offset)
        w.key("labels"); w.int(page.labels)
        w.key("items"); w.openArray()
        for r in page.rows {
            let id = r.score.targetid, s = spectra[id]
            w.openObject()
            item(&w, targetid: id, score: r.score.score, scorePct: r.score.scorePct, z: s?.z, snr: s?.snr,
                 bal: s?.isBAL() ?? false, mine: mine[id])
            w.key("anomaly_g"); w.number(r.explanation.anomaly)
            w.key("relevance"); w.number(r.explanation.relevance)
            w.key("novelty"); w.number(r.explanation.novelty)
            w.key("queue_key"); w.number(r.explanation.key)
            w.key("because"); w.openArray()
            for b in r.because {
                w.openObject()
                w.key("targetid"); w.targetID(b.targetid)
                w.key("relevance"); w.number(b.relevance)
                w.key("weight"); w.number(b.weight)
                w.closeObject()
            }
            w.closeArray()
            w.closeObject()
        }
        w.closeArray()
        w.closeObject()
        return w.text
    }

    /// The spectra most like one (`qad similar`), as queue items with their similarity.
    static func similar(_ found: [SimilarSpectrum], to origin: TargetID, mine: [TargetID: String]) -> String {
        var w = JSONWriter(capacity: 160 * found.count + 64)
        w.openObject()
        w.key("like"); w.targetID(origin)
        w.key("total"); w.int(found.count)
        w.key("unlabelled"); w.int(found.filter { mine[$0.candidate.spectrum.targetid] == nil }.count)
        w.key("offset"); w.int(0)
        w.key("items"); w.openArray()
        for f in found {
            let s = f.candidate.spectrum
            w.openObject()
            item(&w, targetid: s.targetid, score: f.candidate.score.score, scorePct: f.candidate.score.scorePct,
                 z: s.z, snr: s.snr, bal: f.candidate.isBAL(), mine: mine[s.targetid])
            w.key("similarity"); w.number(f.similarity)
            w.key("label"); if let l = f.label { w.string(l.rawValue) } else { w.null() }
            w.closeObject()
        }
        w.closeArray()
        w.closeObject()
        return w.text
    }

    static func candidate(spectrum s: SpectrumRecord, score: ScoreRecord?, data: SpectrumData,
                          history: [LabelEventRecord], others: [(reviewer: String, event: LabelEventRecord)] = [],
                          crossmatches: [CrossmatchEntry]?, epochs: [EpochRecord] = [],
                          variability: EpochVariabilityRecord? = nil) -> String {
        var w = JSONWriter(capacity: 40_000)
        w.openObject()
        w.key("targetid"); w.targetID(s.targetid)
        w.key("ra"); w.number(s.ra)
        w.key("dec"); w.number(s.dec)
        w.key("z"); w.number(s.z)
        w.key("z_source"); w.string(s.zSource)
        w.key("spectype"); if let t = s.spectype { w.string(t) } else { w.null() }
        w.key("snr"); w.number(s.snr)
        // Normalized flux × amplitude is the input's own flux density (10⁻¹⁷ erg s⁻¹ cm⁻² Å⁻¹ for DESI and SDSS).
        w.key("amplitude"); w.number(s.amplitude)
        w.key("bal_prob"); w.number(s.balProb)
        w.key("bi_civ"); w.number(s.biCiv)
        w.key("flags"); w.openArray(); for f in QualityFlags(rawValue: s.flags).labels { w.string(f) }; w.closeArray()
        w.key("mask_frac"); w.number(s.maskFrac)
        w.key("survey"); w.string(s.survey)
        w.key("source"); w.string("\(s.sourceFile)[\(s.sourceHdu)] row \(s.sourceRow)")
        w.key("scores"); w.openArray()
        if let score {
            for name in ScoreName.allCases {
                w.openObject()
                w.key("name"); w.string(name.rawValue)
                w.key("value"); w.number(score.value(name))
                w.key("percentile"); w.number(score.percentile(name))
                w.closeObject()
            }
        }
        w.closeArray()
        w.key("local_rest"); if let l = data.localRest { w.doubles([l.lambda, l.width], decimals: 1) } else { w.null() }
        w.key("local_obs"); if let l = data.localObs { w.doubles([l.lambda, l.width], decimals: 1) } else { w.null() }
        w.key("windows"); w.openArray()
        for win in data.windows {
            w.openObject()
            w.key("window"); w.string(win.window)
            w.key("frame"); w.string(win.frame)
            w.key("share"); w.number(win.share)
            w.key("range"); if let r = WindowRanges.range(of: win) { w.doubles([r.lowerBound, r.upperBound], decimals: 1) } else { w.null() }
            w.closeObject()
        }
        w.closeArray()
        w.key("neighbors"); w.openArray(); for n in score?.neighbors ?? [] { w.targetID(n) }; w.closeArray()
        // nil: no cross-match table in this store yet; [] : matched against catalogs, none found.
        w.key("crossmatches")
        if let crossmatches {
            w.openArray()
            for m in crossmatches {
                w.openObject()
                w.key("catalog"); w.string(m.catalog)
                w.key("id"); w.string(m.id)
                w.key("sep_arcsec"); w.number(m.separationArcsec)
                w.key("summary"); w.string(m.summary)
                w.closeObject()
            }
            w.closeArray()
        } else {
            w.null()
        }
        // Every spectrum of the object, earliest first, and what qad epochs found.
        w.key("epochs"); w.openArray()
        for e in epochs {
            w.openObject()
            w.key("mjd"); w.number(e.mjd)
            w.key("visit"); w.string(e.visit)
            w.key("snr"); w.number(e.spectrum.snr)
            w.key("spectype"); if let t = e.spectrum.spectype { w.string(t) } else { w.null() }
            w.key("primary"); w.bool(e.spectrum.cacheShard == s.cacheShard && e.spectrum.cacheRow == s.cacheRow)
            w.key("source"); w.string("\(e.spectrum.sourceFile)[\(e.spectrum.sourceHdu)] row \(e.spectrum.sourceRow)")
            w.closeObject()
        }
        w.closeArray()
        w.key("variability")
        if let v = variability {
            w.openObject()
            w.key("sigma"); w.number(v.variability)
            w.key("changing_look"); if let c = v.changingLook { w.string(c) } else { w.null() }
            w.key("class_change"); if let c = v.classChange { w.string(c) } else { w.null() }
            w.key("redshift_conflict"); w.bool(v.redshiftConflict)
            w.closeObject()
        } else {
            w.null()
        }
        w.key("spectrum"); w.openObject()
        w.key("lambda"); w.doubles(data.restLambda, decimals: 2)
        w.key("flux"); w.floats(data.flux)
        w.key("ivar"); w.floats(data.ivar)
        w.key("model"); w.floats(data.model)
        w.closeObject()
        w.key("history"); w.openArray(); for e in history { write(event: e, into: &w) }; w.closeArray()
        w.key("others"); w.openArray(); for o in others { write(event: o.event, reviewer: o.reviewer, into: &w) }; w.closeArray()
        w.closeObject()
        return w.text
    }

    static func arms(_ s: SpectrumRecord, _ arms: [ArmSpectrum]) -> String {
        var w = JSONWriter(capacity: 120_000)
        w.openObject()
        w.key("targetid"); w.targetID(s.targetid)
        w.key("source"); w.string("\(s.sourceFile)[\(s.sourceHdu)] row \(s.sourceRow)")
        w.key("arms"); w.openArray()
        for a in arms {
            w.openObject()
            w.key("name"); w.string(a.name)
            w.key("wavelength"); w.doubles(a.wavelength, decimals: 2)
            w.key("flux"); w.floats(a.flux)
            w.key("ivar"); w.floats(zip(a.ivar, a.mask).map { $1 == 0 && $0.isFinite && $0 > 0 ? $0 : 0 })
            w.closeObject()
        }
        w.closeArray()
        w.closeObject()
        return w.text
    }

    static func redrock(_ m: RedrockModel.Evaluated, lambda: [Double]) -> String {
        var w = JSONWriter(capacity: 40_000)
        w.openObject()
        w.key("targetid"); w.targetID(m.fit.targetid)
        w.key("z"); w.number(m.fit.z)
        w.key("spectype"); w.string(m.fit.spectype)
        w.key("subtype"); w.string(m.fit.subtype)
        w.key("template"); w.string(m.template)
        w.key("lambda"); w.doubles(lambda, decimals: 2)
        w.key("flux"); w.floats(m.flux.map { Float($0) })
        w.closeObject()
        return w.text
    }

    static func write(event e: LabelEventRecord, reviewer: String? = nil, into w: inout JSONWriter) {
        w.openObject()
        if let reviewer { w.key("reviewer"); w.string(reviewer) }
        w.key("event"); w.number(e.id.map(Double.init))
        w.key("targetid"); w.targetID(e.targetid)
        w.key("class"); w.string(e.labelClass.rawValue)
        w.key("subtype"); w.string(e.subtype)
        w.key("confidence"); w.int(e.confidence.rawValue)
        w.key("notes"); w.string(e.notes)
        w.key("created_at"); w.number(e.createdAt)
        w.key("proposed_z"); w.number(e.proposedZ)
        w.closeObject()
    }
}
