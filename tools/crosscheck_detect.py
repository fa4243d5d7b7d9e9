#!/usr/bin/env python3
"""Cross-checks of qad's latent-space scorers and evaluation metrics against
scikit-learn and SciPy. Used by the Swift tests (QADDetectTests); each mode
reads the .npy files qad wrote into DIR, prints what it compared and exits 1
on a mismatch.

  crosscheck_detect.py iforest DIR [--max-auc-diff 0.01] [--trees 200]
      points.npy (n x d), labels.npy (1 = planted outlier), qad_scores_S.npy
      for S = 0, 1, ... (qad forests with different seeds). Fits as many
      sklearn IsolationForests (max_samples=256, random_state 0, 1, ...) and
      compares the mean ROC-AUC of their -score_samples with qad's mean: the
      forests are random, so only their ranking power can agree.
  crosscheck_detect.py knn DIR [--rtol 1e-5]
      points.npy, and for each k in ks.npy: qad_dist_K.npy, qad_index_K.npy
      (self excluded). Compares with NearestNeighbors(algorithm='kd_tree' and
      'brute').kneighbors(X=None) distances, and checks that qad's indices are
      at the distances it reports.
  crosscheck_detect.py lof DIR [--k 10] [--rtol 1e-5]
      points.npy, qad_lof.npy: compares with -LocalOutlierFactor(n_neighbors=k)
      .fit(X).negative_outlier_factor_ (the LOF of each training point).
  crosscheck_detect.py metrics DIR
      scores.npy, other.npy, labels.npy, fractions.npy and qad_metrics.npy
      [auc, ap, spearman, precision@f1, recall@f1, precision@f2, ...]: compares
      with roc_auc_score, average_precision_score, scipy.stats.spearmanr, and
      precision/recall of the top ceil(f n) with ties at the cut shared evenly.
  crosscheck_detect.py relevance DIR
      features.npy (n x d), pool.npy, anomaly.npy (g of each pool member),
      labelled.npy, relevance.npy, settings.npy [weight, exploration,
      prior count, family size, ridge, additive (0/1)], blocks.npy (start, end
      and weight of each feature block), qad_beta.npy and qad_keys.npy: fits
      the global model with scikit-learn's LogisticRegression (each label a
      positive with weight (1+y)/2 and a negative with weight (1-y)/2, a
      column of ones for the penalized intercept, C = 1/ridge) and recomputes
      every pool member's queue key in NumPy (the kernel one Gaussian over
      all features, or with additive 1 the mean of one per block).
  crosscheck_detect.py obs_shape DIR [--rtol 1e-9]
      flux.npy, weight.npy, recon.npy (n x bins, the rest grid), grid.npy
      (rest bin centres, Å), z.npy, snr.npy, qad_floor.npy and
      qad_obs_shape.npy: recomputes the observed-frame band amplitudes (eight
      bands equal in log λ over 3600-9800 Å, rest λ >= 1250 Å, at least 20
      bins each), the band floor from the brightest fifth and each spectrum's
      chi2/dof in NumPy (NaN where fewer than three bands are measured).
"""
import argparse
import glob
import math
import sys

import numpy as np


def fail(message):
    print("MISMATCH: " + message)
    sys.exit(1)


def check_iforest(d, args):
    from sklearn.ensemble import IsolationForest
    from sklearn.metrics import roc_auc_score
    x = np.load(f"{d}/points.npy")
    labels = np.load(f"{d}/labels.npy")
    ours = sorted(glob.glob(f"{d}/qad_scores_*.npy"))
    mine = [roc_auc_score(labels, np.load(f)) for f in ours]
    theirs = [roc_auc_score(labels, -IsolationForest(n_estimators=args.trees, max_samples=256, random_state=seed)
                            .fit(x).score_samples(x)) for seed in range(len(ours))]
    difference = np.mean(mine) - np.mean(theirs)
    print(f"iforest ROC-AUC ({args.trees} trees, {len(ours)} seeds): qad {np.mean(mine):.4f} ("
          + ", ".join(f"{a:.4f}" for a in mine) + f"), sklearn {np.mean(theirs):.4f} ("
          + ", ".join(f"{a:.4f}" for a in theirs) + f"), difference {difference:+.4f}")
    if not abs(difference) <= args.max_auc_diff:
        fail(f"AUC differs by more than {args.max_auc_diff}")


def check_lof(d, args):
    from sklearn.neighbors import LocalOutlierFactor
    x = np.load(f"{d}/points.npy").astype(np.float64)
    mine = np.load(f"{d}/qad_lof.npy")
    theirs = -LocalOutlierFactor(n_neighbors=args.k).fit(x).negative_outlier_factor_
    worst = float(np.max(np.abs(mine - theirs) / np.abs(theirs)))
    print(f"lof (k={args.k}, {len(x)} points): median {np.median(mine):.4f} vs {np.median(theirs):.4f}, "
          f"max {mine.max():.4f} vs {theirs.max():.4f}, worst relative difference {worst:.2e}")
    if not worst <= args.rtol:
        fail(f"LOF differs by more than {args.rtol} (relative)")


def check_knn(d, args):
    from sklearn.neighbors import NearestNeighbors
    x = np.load(f"{d}/points.npy")
    x64 = x.astype(np.float64)
    for k in np.load(f"{d}/ks.npy").astype(int):
        dist = np.load(f"{d}/qad_dist_{k}.npy")
        index = np.load(f"{d}/qad_index_{k}.npy").astype(np.int64)
        # The indices must point at neighbours at the reported distances, never the point itself.
        if np.any(index == np.arange(len(x))[:, None]):
            fail(f"k={k}: a point is listed as its own neighbour")
        recomputed = np.sqrt(((x64[:, None, :] - x64[index]) ** 2).sum(axis=2))
        worst = np.max(np.abs(recomputed - dist))
        if worst > 1e-9:
            fail(f"k={k}: indices are not at the reported distances (max difference {worst:g})")
        if np.any(np.diff(dist, axis=1) < 0):
            fail(f"k={k}: distances not ascending")
        for algorithm in ("kd_tree", "brute"):
            ref, _ = NearestNeighbors(algorithm=algorithm).fit(x).kneighbors(n_neighbors=int(k))
            # brute force uses |a|^2 - 2ab + |b|^2: absolute error ~1e-7 at distance 0.
            ok = np.isclose(dist, ref, rtol=args.rtol, atol=1e-6 if algorithm == "brute" else 1e-12)
            rel = np.max(np.abs(dist - ref) / np.maximum(ref, 1e-300))
            print(f"knn k={k} vs sklearn {algorithm}: {ok.size} distances, max relative difference {rel:.2e}")
            if not ok.all():
                bad = np.argwhere(~ok)[0]
                fail(f"k={k} {algorithm}: point {bad[0]} neighbour {bad[1]}: qad {dist[tuple(bad)]!r} sklearn {ref[tuple(bad)]!r}")


def top_fraction(scores, labels, f):
    """Precision and recall of the top ceil(f n), the places left at the cut
    score shared evenly by the objects tied there; checked against a plain
    sort when nothing is tied at the cut."""
    n = len(scores)
    m = max(1, math.ceil(f * n - 1e-9 * max(1, f * n)))
    cut = np.sort(scores)[::-1][m - 1]
    above, tied = scores > cut, scores == cut
    found = labels[above].sum() + (m - above.sum()) * labels[tied].sum() / tied.sum()
    if tied.sum() == 1:
        assert found == labels[np.argsort(-scores, kind="stable")[:m]].sum()
    return found / m, found / labels.sum()


def check_metrics(d, args):
    from scipy.stats import spearmanr
    from sklearn.metrics import average_precision_score, roc_auc_score
    s = np.load(f"{d}/scores.npy")
    other = np.load(f"{d}/other.npy")
    labels = np.load(f"{d}/labels.npy").astype(int)
    fractions = np.load(f"{d}/fractions.npy")
    ours = np.load(f"{d}/qad_metrics.npy")
    expected = [roc_auc_score(labels, s), average_precision_score(labels, s), spearmanr(s, other).statistic]
    names = ["roc_auc", "average_precision", "spearman"]
    for f in fractions:
        p, r = top_fraction(s, labels, f)
        expected += [p, r]
        names += [f"precision@{f:g}", f"recall@{f:g}"]
    for name, a, b in zip(names, ours, expected):
        print(f"{name}: qad {a:.12f} reference {b:.12f}")
        if not abs(a - b) <= 1e-9:
            fail(f"{name} differs")


def check_relevance(d, args):
    from sklearn.linear_model import LogisticRegression
    x = np.load(f"{d}/features.npy").astype(np.float64)
    pool = np.load(f"{d}/pool.npy").astype(int)
    g = np.load(f"{d}/anomaly.npy")
    labelled = np.load(f"{d}/labelled.npy").astype(int)
    y = np.load(f"{d}/relevance.npy")
    weight, exploration, m, k, ridge, additive = np.load(f"{d}/settings.npy")
    k = int(k)
    blocks = np.load(f"{d}/blocks.npy").reshape(-1, 3)
    if additive:
        used = [(slice(int(a), int(b)), share) for a, b, share in blocks if share > 0]
        parts = [(p, share / sum(s for _, s in used)) for p, share in used]
    else:
        parts = [(slice(0, x.shape[1]), 1.0)]
    xa = np.hstack([x, np.ones((len(x), 1))])
    xl = np.vstack([xa[labelled], xa[labelled]])
    cls = np.r_[np.ones(len(labelled)), np.zeros(len(labelled))]
    sw = np.r_[(1 + y) / 2, (1 - y) / 2]
    keep = sw > 0
    fit = LogisticRegression(C=1 / ridge, fit_intercept=False, tol=1e-12, max_iter=10000)
    fit.fit(xl[keep], cls[keep], sample_weight=sw[keep])
    beta = fit.coef_[0]
    mine = np.load(f"{d}/qad_beta.npy")
    worst_beta = float(np.max(np.abs(mine - beta)))
    print(f"relevance prior ({len(labelled)} labels, {x.shape[1]} features): max |beta qad - sklearn| {worst_beta:.2e}")
    if not worst_beta <= 1e-4:
        fail("global model coefficients differ")
    prior = 2 / (1 + np.exp(-(xa[pool] @ beta))) - 1
    prior = np.clip(prior - np.median(prior), -1, 1)
    xp = x[pool]
    total = np.zeros(len(pool))
    weighted = np.zeros(len(pool))
    for i, yi in zip(labelled, y):
        w = np.zeros(len(pool))
        for part, share in parts:
            d2 = np.sum((xp[:, part] - x[i, part]) ** 2, axis=1)
            others = np.sort(d2[pool != i])
            h = max(np.sqrt(others[k - 1]), 1e-3)
            w += share * np.exp(-0.5 * d2 / h ** 2)
        w[w <= 1e-12] = 0
        total += w
        weighted += w * yi
    r = (weighted + m * prior) / (total + m)
    e = m / (total + m)
    keys = g + weight * r + exploration * e
    ours = np.load(f"{d}/qad_keys.npy")
    worst = float(np.max(np.abs(ours - keys)))
    print(f"relevance keys ({len(pool)} pool members): max |qad - numpy| {worst:.2e}; "
          f"relevance range {r.min():+.3f}..{r.max():+.3f}")
    if not worst <= 1e-4:
        fail("queue keys differ")


def check_obs_shape(d, args):
    f = np.load(f"{d}/flux.npy").astype(np.float64)
    w = np.load(f"{d}/weight.npy").astype(np.float64)
    m = np.load(f"{d}/recon.npy").astype(np.float64)
    grid, z, snr = np.load(f"{d}/grid.npy"), np.load(f"{d}/z.npy"), np.load(f"{d}/snr.npy")
    n, nbands = len(z), 8
    edges = np.linspace(np.log(3600.0), np.log(9800.0), nbands + 1)
    amp = np.full((n, nbands), np.nan)
    err = np.full((n, nbands), np.nan)
    for i in range(n):
        use = (w[i] > 0) & np.isfinite(m[i]) & np.isfinite(f[i]) & (grid >= 1250)
        band = np.floor((np.log(grid * (1 + z[i])) - edges[0]) / ((edges[-1] - edges[0]) / nbands)).astype(int)
        for b in range(nbands):
            sel = use & (band == b)
            smm = np.sum(w[i, sel] * m[i, sel] ** 2)
            if sel.sum() >= 20 and smm > 0:
                amp[i, b] = np.sum(w[i, sel] * f[i, sel] * m[i, sel]) / smm
                err[i, b] = 1 / np.sqrt(smm)
    bright = np.argsort(-snr, kind="stable")[:max(1, n // 5)]
    devs, variances = [], []
    for i in bright:
        ok = np.isfinite(amp[i])
        if ok.sum() < 3:
            continue
        devs += list(np.abs(amp[i, ok] - np.median(amp[i, ok])))
        variances += list(err[i, ok] ** 2)
    mad = 1.4826 * np.median(devs)
    floor = math.sqrt(max(0.0, mad ** 2 - np.median(variances)))
    u = 1 / (err ** 2 + floor ** 2)
    k = np.isfinite(amp).sum(1)
    mean = np.nansum(u * amp, 1) / np.nansum(np.where(np.isfinite(amp), u, 0), 1)
    chi2 = np.nansum(u * (amp - mean[:, None]) ** 2, 1) / np.maximum(k - 1, 1)
    expected = np.where(k >= 3, chi2, np.nan)
    qad_floor = float(np.load(f"{d}/qad_floor.npy")[0])
    qad = np.load(f"{d}/qad_obs_shape.npy")
    print(f"band floor: qad {qad_floor:.6f}, NumPy {floor:.6f}; {np.isfinite(expected).sum()} of {n} spectra measured")
    if not math.isclose(qad_floor, floor, rel_tol=args.rtol, abs_tol=1e-12):
        fail("band floor differs")
    if not np.array_equal(np.isnan(qad), np.isnan(expected)):
        fail("measured spectra differ")
    ok = np.isfinite(expected)
    worst = np.max(np.abs(qad[ok] - expected[ok]) / np.maximum(1, np.abs(expected[ok])))
    print(f"obs_shape: largest relative difference {worst:.2e}")
    if worst > args.rtol:
        fail("obs_shape differs")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["iforest", "knn", "lof", "metrics", "relevance", "obs_shape"])
    parser.add_argument("dir")
    parser.add_argument("--max-auc-diff", type=float, default=0.01)
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--trees", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    {"iforest": check_iforest, "knn": check_knn, "lof": check_lof, "metrics": check_metrics,
     "relevance": check_relevance, "obs_shape": check_obs_shape}[args.mode](args.dir, args)
    print("ok")


if __name__ == "__main__":
    main()
