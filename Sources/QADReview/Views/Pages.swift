import Foundation
import QADCore
import QADDetect
import QADLabels
import QADStore

/// Server-rendered HTML. Every interpolated value passes through `html()`;
/// pages carry no inline script (the CSP allows only /static/app.js).
enum Pages {
    static func layout(title: String, session: ReviewSession?, body: String) -> String {
        // Sign-out is a same-origin form POST carrying the CSRF token, so it works on every page without script.
        let who = session.map {
            "<span class=\"who\">signed in as <b>\(html($0.reviewerName))</b></span>"
                + "<form method=\"post\" action=\"/logout\" class=\"logout\"><input type=\"hidden\" name=\"csrf\" "
                + "value=\"\(html($0.csrfToken))\"><button type=\"submit\" id=\"logout\">sign out</button></form>"
        } ?? ""
        let csrf = session.map { "<meta name=\"csrf-token\" content=\"\(html($0.csrfToken))\">" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(html(title))</title>
            \(csrf)<link rel="stylesheet" href="/static/app.css"></head>
            <body><header><b>qad review</b> <a href="/">queue</a> <a href="/labels">my labels</a> \
            <a href="/consensus">consensus</a> \(who)</header>
            \(body)
            </body></html>
            """
    }

    static func signInNeeded(unknownToken: Bool = false, sessionEnded: Bool = false) -> String {
        let title = sessionEnded ? "Your session has ended" : unknownToken ? "Unknown sign-in token" : "Sign in first"
        let why = sessionEnded ? "<p>Your sign-in token was replaced, or you were removed as a reviewer.</p>" : ""
        return layout(title: "Sign in — qad review", session: nil, body: """
            <section style="margin:2em;max-width:40em">
            <h2>\(title)</h2>\(why)
            <p>Open the address <code>qad review</code> printed (it carries your token), or the one your
            project lead made for you with <code>qad review add-reviewer NAME</code>.</p></section>
            """)
    }

    static func signedOut() -> String {
        layout(title: "Signed out — qad review", session: nil, body: """
            <section style="margin:2em;max-width:40em">
            <h2>Signed out</h2>
            <p>Open your sign-in address again to continue reviewing.</p></section>
            """)
    }

    static func signInFromElsewhere() -> String {
        layout(title: "Sign in — qad review", session: nil, body: """
            <section style="margin:2em;max-width:40em">
            <h2>Sign-in refused</h2>
            <p>This sign-in link was opened from another site. Open the address <code>qad review</code>
            printed, or the one your project lead gave you, directly: paste it into the address bar.</p></section>
            """)
    }

    /// The single-page review app; /static/app.js fills it.
    static func app(session: ReviewSession, model: String) -> String {
        let classButtons = LabelClass.allCases.enumerated().map { i, c in
            "<button type=\"button\" data-class=\"\(c.rawValue)\"><kbd>\(i + 1)</kbd> \(html(c.title))</button>"
        }.joined(separator: "\n")
        let filters = """
            <form id="filters">
            <label>z min<input name="z_min" inputmode="decimal"></label><label>z max<input name="z_max" inputmode="decimal"></label>
            <label>S/N min<input name="snr_min" inputmode="decimal"></label><label>score pct ≥<input name="pct_score" inputmode="decimal"></label>
            <label>BAL<select name="bal"><option value="flag">flag</option><option value="exclude">exclude</option>\
            <option value="only">only</option></select></label>
            <label>sort<select name="sort">\(ScoreName.allCases.map { "<option value=\"\($0.rawValue)\"\($0 == .score ? " selected" : "")>\($0.rawValue)</option>" }.joined())</select></label>
            <label title="relevance: re-ranked by what was labelled (docs/relevance.md)">order<select name="order">\
            <option value="score">score</option><option value="relevance">relevance</option></select></label>
            <label title="whose labels teach the relevance order">labels<select name="relevance"><option value="me">mine</option>\
            <option value="team">team</option></select></label>
            <label title="what the labels mean to you">interest<select name="map"><option value="physics">physics</option>\
            <option value="instrument">instrument</option></select></label>
            <label><input type="checkbox" name="unlabelled_first" checked> unlabelled by me first</label>
            <label><input type="checkbox" name="exclude_flagged"> no quality flags</label>
            <button type="submit">apply</button>
            </form>
            """
        return layout(title: "qad review", session: session, body: """
            <main data-model="\(html(model))">
            <section id="queue">\(filters)<div id="filter-error" class="error" role="alert"></div><div id="suppressions"></div><div id="queue-count"></div>\
            <table><thead><tr><th>TARGETID</th><th>score</th>\
            <th>z</th><th>mine</th></tr></thead><tbody id="queue-rows"></tbody></table>
            <button type="button" id="more">more</button></section>
            <section id="viewer"><div class="toolbar">
            <button type="button" id="prev" title="previous (k or ←)">◀ prev</button>
            <button type="button" id="next" title="next (j or →)">next ▶</button>
            <button type="button" id="frame" title="o">observed frame</button>
            <label>smooth <select id="smooth"><option value="1">none</option><option value="3">3</option>\
            <option value="5">5</option><option value="9">9</option><option value="15">15</option></select></label>
            <label title="t: type a trial redshift; lines and model move to it">trial z <input id="trial-z" size="7" \
            inputmode="decimal"></label><select id="z-suggest" title="redshifts that put one strong line where another \
            is"><option value="">line confusions…</option></select>
            <label title="b"><input type="checkbox" id="absorbers"> absorbers</label>
            <label title="u"><input type="checkbox" id="physical"> 10⁻¹⁷ erg/s/cm²/Å</label>
            <button type="button" id="arms" title="a: the source file's own b/r/z pixels">arms</button>
            <button type="button" id="redrock" title="m: redrock's best-fit model">redrock</button>
            <button type="button" id="like" title="l: list the spectra most like this one">more like this</button>
            <button type="button" id="hide-family" title="h: hide from your queue every candidate whose strongest \
            residual sits where this one's does, in the frame shown (undo in the list above the queue)">hide family</button>
            <button type="button" id="reset" title="r">reset zoom</button>
            <a id="svg-link" href="#" download>SVG</a> <a id="png-link" href="#" download>PNG</a></div>
            <div id="status" class="status" role="status"></div>
            <canvas id="figure" width="1000" height="520"></canvas>
            <div class="hint">drag to pan, wheel to zoom wavelength, shift+wheel to zoom flux, <kbd>r</kbd> reset,
            <kbd>?</kbd> all keys</div>
            <div id="windows"></div>
            </section>
            <section id="side">
            <div id="classify"><div class="classes">\(classButtons)</div>
            <div class="row"><label>sub-type <input id="subtype" list="subtypes" maxlength="80"></label><datalist id="subtypes">\
            </datalist><label>confidence <select id="confidence"><option value="1">low</option><option value="2" selected>\
            medium</option><option value="3">high</option></select></label></div>
            <label>notes <textarea id="notes" maxlength="4000"></textarea></label>
            <div class="row"><label title="after a class key, open the next candidate"><input type="checkbox" \
            id="auto-advance"> next after labelling</label><span id="draft" class="draft"></span></div>
            <div class="hint"><kbd>1</kbd>–<kbd>7</kbd> classify · <kbd>j</kbd>/<kbd>k</kbd> next/previous · \
            <kbd>n</kbd> notes · <kbd>?</kbd> all keys</div></div>
            <div id="others"></div><div id="history"></div>
            <div id="meta"></div>
            <h4>Nearest in latent space</h4><div id="neighbors"></div>
            <h4>Cross-matches</h4><div id="crossmatches"></div>
            <h4>Epochs</h4><div id="epochs"></div>
            </section></main>
            <div id="keys" class="overlay" hidden><div class="panel"><h3>Keys</h3>
            <p><kbd>1</kbd>–<kbd>7</kbd> classify (in the order of the buttons); pressing the same class again stores nothing new<br>
            <kbd>j</kbd>/<kbd>→</kbd> next, <kbd>k</kbd>/<kbd>←</kbd> previous (unsaved notes stay as this candidate's draft)<br>
            <kbd>c</kbd> cycle confidence, <kbd>n</kbd> notes, <kbd>t</kbd> trial redshift, <kbd>b</kbd> absorbers,
            <kbd>u</kbd> physical units, <kbd>a</kbd> per-arm pixels, <kbd>m</kbd> redrock model, <kbd>l</kbd> more like this,
            <kbd>h</kbd> hide this candidate's family (where its strongest residual sits, in the frame shown)<br>
            <kbd>o</kbd> observed/rest frame, <kbd>s</kbd> smoothing, <kbd>r</kbd> reset zoom<br>
            <kbd>Esc</kbd> leave a text field or close this help, <kbd>?</kbd> this help</p>
            <button type="button" id="keys-close">close</button></div></div>
            <script src="/static/app.js"></script>
            """)
    }

    /// The signed-in reviewer's own label history, newest first.
    static func myLabels(session: ReviewSession, events: [LabelEventRecord]) -> String {
        let rows = events.reversed().map { e in
            "<tr><td class=\"mono\">\(targetLink(e.targetid))</td><td>\(html(e.labelClass.title))</td><td>\(html(e.subtype))</td>"
                + "<td>\(html(e.confidence.title))</td><td>\(html(e.notes))</td><td>\(timestamp(e.createdAt))</td></tr>"
        }.joined(separator: "\n")
        return layout(title: "My labels — qad review", session: session, body: """
            <section style="margin:8px"><h3>My label history (\(events.count) events, newest first)</h3>
            <table class="plain"><tr><th>TARGETID</th><th>class</th><th>sub-type</th><th>confidence</th><th>notes</th>\
            <th>when (UTC)</th></tr>
            \(rows)</table></section>
            """)
    }

    /// A TARGETID that opens the candidate in the review app.
    static func targetLink(_ id: TargetID) -> String {
        "<a href=\"/#t=\(id)\">\(id)</a>"
    }

    /// `disagreementsOnly`: only targets two or more reviewers labelled differently.
    static func consensus(session: ReviewSession, rows allRows: [LabelConsensus], summary: AgreementSummary,
                          reviewers: [ReviewerRecord], disagreementsOnly: Bool = false) -> String {
        let rows = disagreementsOnly ? allRows.filter { $0.reviewers >= 2 && $0.agreement < 1 } : allRows
        let filter = disagreementsOnly
            ? "showing the \(rows.count) targets reviewers disagree on; <a href=\"/consensus\">show all</a>"
            : "<a href=\"/consensus?disagreements=1\" id=\"disagreements\">disagreements only</a>"
        let pct = { (v: Double) in String(format: "%.0f%%", 100 * v) }
        let pairRows = summary.pairs.map { p in
            "<tr><td>\(html(p.first))</td><td>\(html(p.second))</td><td>\(p.common)</td><td>\(pct(p.observed))</td>"
                + "<td>\(p.kappa.map { String(format: "%.3f", $0) } ?? "undefined")</td></tr>"
        }.joined(separator: "\n")
        let targetRows = rows.map { c in
            let counts = LabelClass.allCases.compactMap { k in c.counts[k].map { "\(html(k.title)) \($0)" } }.joined(separator: ", ")
            return "<tr><td class=\"mono\">\(targetLink(c.targetid))</td><td>\(html(c.label.title))\(c.tied ? " (tie)" : "")</td>"
                + "<td>\(c.reviewers)</td><td>\(pct(c.agreement))</td><td>\(counts)</td></tr>"
        }.joined(separator: "\n")
        return layout(title: "Consensus — qad review", session: session, body: """
            <section style="margin:8px">
            <h3>Consensus</h3>
            <p>\(reviewers.count) reviewers; \(allRows.count) targets labelled; \(summary.multiplyReviewed) by two or more;
            mean agreement on those: \(summary.meanAgreement.map(pct) ?? "n/a").</p>
            <h4>Pairwise agreement (Cohen's κ on the targets both labelled)</h4>
            <table class="plain"><tr><th>reviewer</th><th>reviewer</th><th>common</th><th>agree</th><th>κ</th></tr>
            \(pairRows)</table>
            <h4>Per target</h4><p>\(filter)</p>
            <table class="plain"><tr><th>TARGETID</th><th>consensus</th><th>reviewers</th><th>agreement</th><th>votes</th></tr>
            \(targetRows)</table></section>
            """)
    }

    static func timestamp(_ t: Double) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
