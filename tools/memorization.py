#!/usr/bin/env python3
"""Does training on an anomaly hide it? Compares the scores of anomalies the
model trained on with those of anomalies it held out for validation.

  memorization.py STORE MODEL EXPORT.csv TRUTH.csv [--column SCORE]

STORE/models/MODEL/validation_rows.npy names the cache rows the model never
trained on (written by `qad train`); train with a large
--validation-fraction (e.g. 0.5) so that both halves hold enough anomalies.
EXPORT.csv is `qad export --model MODEL --all --format csv`; TRUTH.csv has
TARGETID and is_anomaly (survey2's format; transfer_report.py qad-truth
writes it for qad's own surveys).

Prints, for the anomalies and the normal spectra in each half, the count,
the median percentile of the score over the whole sample, and the share in
the top 1 %, with the difference between halves and its binomial standard
error. A model that memorizes its training anomalies ranks them lower than
the held-out ones.
"""
import argparse
import csv
import math
import sqlite3

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("store")
    ap.add_argument("model")
    ap.add_argument("export")
    ap.add_argument("truth")
    ap.add_argument("--column", default="SCORE")
    a = ap.parse_args()
    held_rows = set(np.load(f"{a.store}/models/{a.model}/validation_rows.npy").astype(np.int64).tolist())
    db = sqlite3.connect(f"file:{a.store}/qad.sqlite?mode=ro", uri=True)
    held = {int(t) for t, row in db.execute("SELECT targetid, cache_row FROM spectrum") if row in held_rows}
    with open(a.export, newline="") as fh:
        rows = list(csv.DictReader(fh))
    score = {int(r["TARGETID"]): float(r[a.column]) for r in rows}
    with open(a.truth, newline="") as fh:
        anomaly = {int(r["TARGETID"]): r["is_anomaly"] == "1" for r in csv.DictReader(fh)}
    tids = [t for t in score if t in anomaly]
    values = np.array([score[t] for t in tids])
    order = values.argsort(kind="stable")
    pct = np.empty(len(values))
    pct[order] = 100 * (np.arange(len(values)) + 0.5) / len(values)
    top = pct > 99
    print(f"{a.column} of model {a.model}: {len(tids)} spectra, {len(held)} held out of training")
    print("| spectra | half | n | median percentile | in the top 1 % |")
    print("|---|---|---|---|---|")
    shares = {}
    for kind, want in [("anomalies", True), ("normal", False)]:
        for half, inside in [("trained on", False), ("held out", True)]:
            idx = [i for i, t in enumerate(tids) if anomaly[t] == want and (t in held) == inside]
            share = float(top[idx].mean()) if idx else float("nan")
            shares[(kind, half)] = (share, len(idx))
            print(f"| {kind} | {half} | {len(idx)} | {np.median(pct[idx]) if idx else float('nan'):.1f} | {share:.3f} |")
    (p1, n1), (p2, n2) = shares[("anomalies", "trained on")], shares[("anomalies", "held out")]
    if n1 and n2:
        se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        print(f"anomalies in the top 1 %: trained on {p1:.3f}, held out {p2:.3f}, "
              f"difference {p1 - p2:+.3f} ± {se:.3f} (binomial standard error)")


if __name__ == "__main__":
    main()
