#!/usr/bin/env python3
"""Baseline anomaly scores on a qad store, computed independently with NumPy and
scikit-learn from the same spectral cache qad scores:

  PCA8_CHI2      chi2/dof of a rank-8 PCA reconstruction over each spectrum's
                 covered bins (uncovered bins filled with the weighted mean
                 spectrum before the fit, the usual imputation for masked PCA)
  IFOREST_PCA16  scikit-learn IsolationForest (200 trees, psi 256) on the first
                 16 PCA coefficients
  SKLEARN_IFOREST_LATENT  scikit-learn IsolationForest on qad's own latent_mu
                 (the same points qad's iforest scores: compare the two)

Writes TARGETID,PCA8_CHI2,IFOREST_PCA16 (for `qad evaluate --extra-scores`) and,
given truth tables, prints the metrics computed with scikit-learn/scipy.

usage: baselines.py STORE OUT.csv [--truth FILE]... [--seed S]
"""
import argparse, csv, sqlite3, sys
import numpy as np

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("store"); ap.add_argument("out")
    ap.add_argument("--truth", action="append", default=[])
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    db = sqlite3.connect(f"file:{a.store}/qad.sqlite?mode=ro", uri=True)
    # TARGETIDs stay Python ints: a float64 would round those above 2**53.
    rows = db.execute("SELECT targetid, cache_row, z, snr FROM spectrum ORDER BY cache_row").fetchall()
    ids = [r[0] for r in rows]
    cache_rows = np.array([r[1] for r in rows])
    z = np.array([r[2] for r in rows]); snr = np.array([r[3] for r in rows])
    flux = np.load(f"{a.store}/cache/main.flux.npy", mmap_mode="r")[cache_rows].astype(np.float64)
    weight = np.load(f"{a.store}/cache/main.weight.npy", mmap_mode="r")[cache_rows].astype(np.float64)
    good = (weight > 0) & np.isfinite(flux) & np.isfinite(weight)
    weight = np.where(good, weight, 0.0); flux = np.where(good, flux, 0.0)
    mean = (weight * flux).sum(0) / np.maximum(weight.sum(0), 1e-30)
    filled = np.where(good, np.clip(flux, -20, 20), mean)
    pca = PCA(n_components=16, random_state=a.seed).fit(filled)
    coeff = pca.transform(filled)
    recon8 = pca.mean_ + coeff[:, :8] @ pca.components_[:8]
    dof = np.maximum(good.sum(1), 1)
    chi2 = (weight * (flux - recon8) ** 2).sum(1) / dof
    forest = IsolationForest(n_estimators=200, max_samples=256, random_state=a.seed).fit(coeff)
    iso = -forest.score_samples(coeff)
    latent = np.load(f"{a.store}/models/vae/latent_mu.npy", mmap_mode="r")[cache_rows].astype(np.float64)
    iso_latent = -IsolationForest(n_estimators=200, max_samples=256, random_state=a.seed).fit(latent).score_samples(latent)
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f); w.writerow(["TARGETID", "PCA8_CHI2", "IFOREST_PCA16", "SKLEARN_IFOREST_LATENT"])
        for i, t in enumerate(ids): w.writerow([t, f"{chi2[i]:.6g}", f"{iso[i]:.6g}", f"{iso_latent[i]:.6g}"])
    if not a.truth:
        return
    truth = {}
    for path in a.truth:
        for r in csv.DictReader(open(path)):
            anomaly = (r.get("ANOMALY") or "").strip()
            if anomaly and anomaly.upper() not in ("NONE", "NORMAL"):
                truth.setdefault(int(r["TARGETID"]), anomaly)
            elif "ANOMALY" in r and r.get("CLASS", "QSO") not in ("QSO", ""):
                truth.setdefault(int(r["TARGETID"]), "MISCLASSIFIED_" + r["CLASS"])
    y = np.array([t in truth for t in ids])
    from sklearn.metrics import roc_auc_score, average_precision_score
    from scipy.stats import spearmanr
    print(f"baselines (scikit-learn {__import__('sklearn').__version__}): {len(ids)} spectra, {y.sum()} anomalies")
    print("score                   ROC-AUC  AP      P@1%    R@1%    rho(S/N) rho(z)")
    k = int(np.ceil(0.01 * len(ids)))
    for name, s in [("PCA8_CHI2", chi2), ("IFOREST_PCA16", iso), ("SKLEARN_IFOREST_LATENT", iso_latent)]:
        top = np.argsort(-s, kind="stable")[:k]
        print(f"{name:23s} {roc_auc_score(y, s):6.3f}  {average_precision_score(y, s):6.3f}  {y[top].mean():6.3f}  "
              f"{y[top].sum() / y.sum():6.3f}  {spearmanr(s[~y], snr[~y])[0]:+7.3f}  {spearmanr(s[~y], z[~y])[0]:+7.3f}")

if __name__ == "__main__":
    main()
