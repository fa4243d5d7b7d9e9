#!/usr/bin/env python3
"""scikit-learn peer of `qad bench detect`, and the benchmark's data.

  detect_peer.py generate OUT.npy [--n 1600000] [--dims 16] [--seed 1]
      Seeded points resembling VAE latents: 4 hidden factors (one bimodal)
      mapped non-linearly into 10 informative dimensions plus noise (sd 0.03),
      6 nearly collapsed dimensions (sd 0.2-0.02, as unused latent units are),
      0.5 % outliers pushed off that manifold (sd 0.6 in every dimension) and
      1 % of the points exact duplicates of others (repeat observations).
      Writes OUT.npy (float32, n x d) and OUT.labels.npy (1 = planted outlier).

  detect_peer.py run POINTS.npy [--k 10] [--trees 200] [--threads 2] [--seed 0]
                 [--knn-algorithm auto[,kd_tree,...]] [--knn-queries N] [--out DIR]
      Times IsolationForest(n_estimators=trees, max_samples=256, n_jobs=threads)
      fit + score_samples, and NearestNeighbors(algorithm, n_jobs=threads) fit +
      kneighbors(n_neighbors=k) with X=None (self excluded). --knn-queries N
      times the neighbour query of only the first N points (still against all
      n) and prints the time scaled by n/N, marked "extrapolated": for brute
      force, which 'auto' picks above 15 dimensions, a full run is too long.
      Prints lines "sklearn iforest: ..." / "sklearn knn ALGORITHM: ..."; --out
      writes iforest.npy (-score_samples, larger = more anomalous) and
      knn_ALGORITHM.npy (k-th neighbour distances of the queried points).
"""
import argparse
import os
import resource
import sys
import time

import numpy as np


def generate(args):
    rng = np.random.default_rng(args.seed)
    n, d = args.n, args.dims
    informative = min(10, d)
    # Latents near a low-dimensional manifold: 4 physical factors (think
    # redshift, luminosity, line strength, continuum slope; one bimodal),
    # embedded non-linearly in the informative dimensions, plus a little noise.
    factors = rng.normal(0, 1, size=(n, 4))
    factors[:, 0] += np.where(rng.random(n) < 0.3, 1.8, -0.8)
    w1 = rng.normal(0, 0.7, size=(4, 12))
    w2 = rng.normal(0, 0.6, size=(12, informative))
    x = np.empty((n, d), dtype=np.float64)
    x[:, :informative] = np.tanh(factors @ w1) @ w2 + rng.normal(0, 0.03, size=(n, informative))
    if d > informative:
        sd = np.geomspace(0.2, 0.02, d - informative)  # nearly collapsed units
        x[:, informative:] = rng.normal(0, 1, size=(n, d - informative)) * sd
    labels = np.zeros(n, dtype=np.float64)
    outliers = rng.choice(n, size=n // 200, replace=False)
    x[outliers] = x[outliers] + rng.normal(0, 0.6, size=(len(outliers), d))  # pushed off the manifold
    labels[outliers] = 1
    normal = np.flatnonzero(labels == 0)
    copies = rng.choice(normal, size=n // 100, replace=False)
    x[copies] = x[rng.choice(normal, size=len(copies))]
    np.save(args.out, x.astype(np.float32))
    np.save(args.out[:-4] + ".labels.npy", labels)
    print(f"wrote {args.out}: {n} x {d} float32, {len(outliers)} outliers, {len(copies)} duplicates")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args):
    import sklearn
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import NearestNeighbors

    x = np.load(args.points)
    n = len(x)
    print(f"sklearn {sklearn.__version__}, numpy {np.__version__}: {n} x {x.shape[1]} points, {args.threads} threads")
    t = time.perf_counter()
    forest = IsolationForest(n_estimators=args.trees, max_samples=256, n_jobs=args.threads,
                             random_state=args.seed).fit(x)
    fit = time.perf_counter() - t
    t = time.perf_counter()
    scores = -forest.score_samples(x)
    score = time.perf_counter() - t
    print(f"sklearn iforest: fit {fit:.3f} s, score {score:.3f} s, total {fit + score:.3f} s")
    print(f"sklearn iforest: peak RSS {peak_rss_mb():.0f} MB")
    if args.out:
        np.save(os.path.join(args.out, "iforest.npy"), scores)
    del forest

    queries = args.knn_queries or n
    for algorithm in args.knn_algorithm.split(","):
        t = time.perf_counter()
        nn = NearestNeighbors(n_neighbors=args.k, algorithm=algorithm, n_jobs=args.threads).fit(x)
        build = time.perf_counter() - t
        t = time.perf_counter()
        if queries < n:
            # Self excluded as kneighbors(X=None) does: ask k+1 and drop the point itself.
            dist, index = nn.kneighbors(x[:queries], n_neighbors=args.k + 1)
            own = index == np.arange(queries)[:, None]
            own[own.sum(axis=1) == 0, -1] = True  # a point with many duplicates may be missing: drop the last
            dist = dist[~own].reshape(queries, args.k)
        else:
            dist, _ = nn.kneighbors(n_neighbors=args.k)
        query = time.perf_counter() - t
        scale = n / queries
        tag = f" (query extrapolated from {queries} points x {scale:.1f})" if queries < n else ""
        print(f"sklearn knn {algorithm}: method {nn._fit_method}, build {build:.3f} s, query {query * scale:.3f} s, "
              f"total {build + query * scale:.3f} s{tag}")
        print(f"sklearn knn {algorithm}: peak RSS {peak_rss_mb():.0f} MB")
        if args.out:
            np.save(os.path.join(args.out, f"knn_{algorithm}.npy"), dist[:, -1])
        del nn


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("out")
    g.add_argument("--n", type=int, default=1_600_000)
    g.add_argument("--dims", type=int, default=16)
    g.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("run")
    r.add_argument("points")
    r.add_argument("--k", type=int, default=10)
    r.add_argument("--trees", type=int, default=200)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--knn-algorithm", default="auto")
    r.add_argument("--knn-queries", type=int, default=0)
    r.add_argument("--out")
    args = parser.parse_args()
    generate(args) if args.command == "generate" else run(args)


if __name__ == "__main__":
    sys.exit(main())
