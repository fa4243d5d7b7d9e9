#!/usr/bin/env python3
"""Detection on several surveys, scored with survey2's metrics, for
Benchmarks/bench_transfer.sh.

  transfer_report.py qad-truth STORE SIM_DIR INJ_DIR OUT.csv
      survey2-format truth (TARGETID,is_anomaly,class,family,source,z_true,
      z_cat,snr,params) for a `qad simulate` + `qad inject` survey: every
      spectrum of the store; injected classes named as survey2 names them;
      a simulated non-QSO target in the QSO catalog counts as an anomaly of
      class misclassified_<CLASS>.

  transfer_report.py report --metrics METRICS_PY --survey NAME TRUTH EXPORT
                     BASELINES [--setting NAME CSV]... [--survey ...]
      For every survey: qad's combined score, its best component and the
      PCA-8 / IF-on-PCA-16 baselines with survey2's metrics.py (S/N-matched
      ROC-AUC, AP, recall in the top 1 %, Spearman rho with S/N and z among
      normal spectra), on the simulated spectra and, where there are any, on
      survey2's real ones, and the median recon chi2/dof of the normal
      spectra when the store (qad.sqlite) is beside the export. Then a leave-one-class-out table over the
      settings given (CSV files of TARGETID,SCORE): for each anomaly class,
      the setting with the best mean recall@1 % over the other classes, on
      all surveys together, is chosen without looking at that class; the
      table gives the held-out class's recall under it. Last, the setting
      chosen on each simulator alone (survey names starting s2- against the
      rest), by mean recall@1 % over its classes, reported on the other.
"""
import argparse
import csv
import json
import math
import os
import sqlite3
import subprocess
import sys

import numpy as np

QAD_TO_SURVEY2 = {"BAL_HI": "bal_hi", "BAL_LO": "bal_lo", "REDDENED": "reddened", "WEAK_LINES": "weak_lines",
                  "WRONG_Z": "wrong_z", "STAR": "star", "GALAXY": "galaxy", "ARM_STEP": "arm_step",
                  "SKY_RESIDUAL": "sky_residual", "DEAD_SEGMENT": "dead_segment",
                  "CALIBRATION_TILT": "calib_tilt"}
COMPONENTS = ["LOCAL_REST", "LOCAL_OBS", "BAL_TROUGH", "COLOUR", "LINES", "ARM_JOIN_STEP", "SKY_LINES",
              "LYA_FOREST", "RECON_CHI2", "KNN", "LOF", "IFOREST", "KL"]


def qad_truth(store, sim, inj, out):
    db = sqlite3.connect(f"file:{store}/qad.sqlite?mode=ro", uri=True)
    tids = [r[0] for r in db.execute("SELECT targetid FROM spectrum ORDER BY cache_row")]
    sim_rows = {int(r["TARGETID"]): r for r in csv.DictReader(open(f"{sim}/truth.csv"))}
    injected = {int(r["TARGETID"]): r for r in csv.DictReader(open(f"{inj}/injected.csv"))}
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["TARGETID", "is_anomaly", "class", "family", "source", "z_true", "z_cat", "snr", "params"])
        for t in tids:
            s = sim_rows[t]
            if t in injected:
                r = injected[t]
                w.writerow([t, 1, QAD_TO_SURVEY2[r["ANOMALY"]], "dev", "mock", r["Z"], r["Z_CATALOG"], s["SNR"],
                            r["ANOMALY_PARAMS"]])
            elif s["CLASS"] != "QSO":
                w.writerow([t, 1, "misclassified_" + s["CLASS"].lower(), "dev", "mock", s["Z_TRUE"], s["Z_TRUE"],
                            s["SNR"], ""])
            else:
                w.writerow([t, 0, "normal", "none", "mock", s["Z_TRUE"], s["Z_TRUE"], s["SNR"], ""])
    print(f"{out}: {len(tids)} spectra, {sum(t in injected for t in tids)} injected")


def metrics(metrics_py, truth, scores, column, source):
    r = subprocess.run([sys.executable, metrics_py, "--truth", truth, "--scores", scores, "--score-col", column,
                        "--source", source, "--json"], capture_output=True, text=True)
    lines = r.stdout.strip().splitlines()
    if r.returncode != 0 or not lines:
        return None
    return json.loads(lines[-1])


def columns_of(path):
    with open(path, newline="") as fh:
        return next(csv.reader(fh))


def read_scores(path, column="SCORE"):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {int(r["TARGETID"]): float(r[column]) if r[column] not in ("", "nan") else np.nan for r in rows}


def read_truth(path):
    with open(path, newline="") as fh:
        return [r for r in csv.DictReader(fh)]


def recall_by_class(scores, truth, without=None):
    """Recall in the top 1 % per anomaly class among the simulated spectra,
    with class `without`'s anomalies removed from the sample."""
    rows = [r for r in truth if r["source"] == "mock" and not (r["is_anomaly"] == "1" and r["class"] == without)]
    s = np.array([scores.get(int(r["TARGETID"]), np.nan) for r in rows])
    s = np.where(np.isfinite(s), s, -np.inf)
    k = max(1, int(round(0.01 * len(rows))))
    top = np.zeros(len(rows), bool)
    top[np.argsort(-s, kind="stable")[:k]] = True
    classes = sorted({r["class"] for r in rows if r["is_anomaly"] == "1"})
    out = {}
    for c in classes:
        members = [i for i, r in enumerate(rows) if r["is_anomaly"] == "1" and r["class"] == c]
        out[c] = float(top[members].mean())
    return out


def normal_chi2_median(export, truth, source):
    """Median recon χ²/dof (qad infer's, with the model's own error) of the
    normal spectra of `source`, from the store the export came from; None
    when that store is not beside the export."""
    db = os.path.join(os.path.dirname(os.path.abspath(export)), "qad.sqlite")
    if not os.path.exists(db):
        return None
    normal = {int(r["TARGETID"]) for r in truth if r["is_anomaly"] == "0" and r["source"] == source}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("SELECT targetid, recon_chi2 FROM model_output WHERE model = 'vae'").fetchall()
    values = [c for t, c in rows if t in normal and c is not None and math.isfinite(c)]
    return float(np.median(values)) if values else None


def line(name, m):
    def f(v, signed=False):
        return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else (f"{v:+.3f}" if signed else f"{v:.3f}")
    return (f"| {name} | {f(m.get('auc_snr_matched'))} | {f(m.get('ap'))} | {f(m.get('recall_at', {}).get('1%'))} | "
            f"{f(m.get('rho_snr'), True)} | {f(m.get('rho_z'), True)} |")


def report(args):
    surveys = args.survey
    truths = {name: read_truth(truth) for name, truth, _, _ in surveys}
    for name, truth, export, baselines in surveys:
        have = set(columns_of(export))
        sources = ["mock"] + (["real"] if any(r["source"] == "real" for r in truths[name]) else [])
        for source in sources:
            print(f"\n### {name}, {source} spectra\n")
            print("| score | AUC S/N-matched | AP | R@1 % | ρ(S/N) | ρ(z) |")
            print("|---|---|---|---|---|---|")
            m = metrics(args.metrics, truth, export, "SCORE", source)
            if m is None:
                print(f"| qad SCORE | metrics.py gave no figures for the {source} spectra | | | | |")
                continue
            print(line("qad SCORE", m))
            best = None
            for c in COMPONENTS:
                if c in have:
                    mc = metrics(args.metrics, truth, export, c, source)
                    auc = (mc or {}).get("auc_snr_matched")
                    if auc is not None and (best is None or auc > best[1]["auc_snr_matched"]):
                        best = (c, mc)
            if best:
                print(line(f"best component ({best[0]}, by AUC)", best[1]))
            for c in ["PCA8_CHI2", "IFOREST_PCA16"]:
                mb = metrics(args.metrics, truth, baselines, c, source)
                if mb:
                    print(line(c, mb))
            chi2 = normal_chi2_median(export, truths[name], source)
            if chi2 is not None:
                print(f"\nmedian recon χ²/dof of the normal {source} spectra: {chi2:.3f}")
    if not args.setting:
        return
    # Leave one class out over the settings, all surveys together.
    per = {}
    for setting, *files in args.setting:
        per[setting] = [(read_scores(f), truths[s[0]]) for f, s in zip(files, surveys)]
    classes = sorted({r["class"] for rows in truths.values() for r in rows
                      if r["is_anomaly"] == "1" and r["source"] == "mock"})
    print("\n### Leave one class out (recall@1 % of the held-out class; the setting chosen on the others)\n")
    print("| held-out class | chosen setting | mean | " + " | ".join(s[0] for s in surveys) + " |")
    print("|---|---|---|" + "---|" * len(surveys))
    for c in classes:
        def criterion(setting):
            values = []
            for scores, truth in per[setting]:
                values += [v for k, v in recall_by_class(scores, truth, without=c).items() if k != c]
            return np.mean(values)
        chosen = max(per, key=criterion)
        held = [recall_by_class(scores, truth).get(c, np.nan) for scores, truth in per[chosen]]
        print(f"| {c} | {chosen} | {np.nanmean(held):.2f} | " + " | ".join(
            "–" if np.isnan(v) else f"{v:.2f}" for v in held) + " |")

    # Chosen on one simulator, reported on the other.
    def mean_recall(setting, indices):
        return np.mean([np.mean(list(recall_by_class(*per[setting][i]).values())) for i in indices])
    families = {"survey2": [i for i, s in enumerate(surveys) if s[0].startswith("s2-")],
                "qad": [i for i, s in enumerate(surveys) if not s[0].startswith("s2-")]}
    if all(families.values()):
        print("\n### Chosen on one simulator, reported on the other (mean recall@1 % over classes)\n")
        print("| chosen on | setting | there | on the other |")
        print("|---|---|---|---|")
        for name, mine in families.items():
            other = [i for i in range(len(surveys)) if i not in mine]
            chosen = max(per, key=lambda k: mean_recall(k, mine))
            print(f"| {name} | {chosen} | {mean_recall(chosen, mine):.3f} | {mean_recall(chosen, other):.3f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("qad-truth")
    for a in ["store", "sim", "inj", "out"]:
        t.add_argument(a)
    r = sub.add_parser("report")
    r.add_argument("--metrics", required=True)
    r.add_argument("--survey", nargs=4, action="append", required=True, metavar=("NAME", "TRUTH", "EXPORT", "BASELINES"))
    r.add_argument("--setting", nargs="+", action="append", default=[], metavar="NAME CSV",
                   help="a setting's name, then its SCORE CSV for each survey, in --survey order")
    args = ap.parse_args()
    if args.mode == "qad-truth":
        qad_truth(args.store, args.sim, args.inj, args.out)
    else:
        report(args)


if __name__ == "__main__":
    main()
