#!/usr/bin/env python3
"""PyTorch peer of `qad train` / `qad infer` for the VAE benchmark.

    python Benchmarks/vae_peer.py --store STORE [--model vae] [--threads N]
        [--epochs E] [--batch-size B] [--infer-batch-size B]

Builds the network that STORE/models/MODEL/model.json describes (same layer
widths, activation, latent size, input features: clipped flux and log1p(weight)
where covered) with torch.nn.Linear, and does the same work as qad on the same
memory-mapped cache (STORE/cache/main.flux.npy, main.weight.npy):

  * training: E epochs of Adam over as many spectra as qad trained on, in
    shuffled mini-batches of B gathered from the cache, loss = chi2 over
    covered bins + beta*KL with the reparameterization trick;
  * inference: every catalog spectrum, in chunks, encode -> decode at mu ->
    chi2/dof, MSE and KL per spectrum, under torch.inference_mode().

torch.set_num_threads(N) and the same thread count as qad. Prints
`peer train: R spectra/s (E epochs)` and `peer infer: R spectra/s`.
"""
import argparse
import json
import sqlite3
import time

import numpy as np
import torch


def activation(name):
    return {"relu": torch.nn.ReLU(), "leaky_relu": torch.nn.LeakyReLU(0.01), "elu": torch.nn.ELU(),
            "tanh": torch.nn.Tanh(), "silu": torch.nn.SiLU()}[name]


class VAE(torch.nn.Module):
    def __init__(self, arch):
        super().__init__()
        bins, hidden, latent = arch["bins"], arch["hidden"], arch["latent"]
        enc, width = [], 2 * bins
        for h in hidden:
            enc += [torch.nn.Linear(width, h), activation(arch["activation"])]
            width = h
        self.encoder = torch.nn.Sequential(*enc)
        self.latent = torch.nn.Linear(width, 2 * latent)
        dec, width = [], latent
        for h in reversed(hidden):
            dec += [torch.nn.Linear(width, h), activation(arch["activation"])]
            width = h
        dec.append(torch.nn.Linear(width, bins))
        self.decoder = torch.nn.Sequential(*dec)
        self.latent_dim = latent
        self.clip = arch["inputClip"]
        self.weight_scale = arch["weightFeatureScale"]

    def features(self, flux, weight):
        covered = weight > 0
        return torch.cat([torch.where(covered, flux.clamp(-self.clip, self.clip), 0.0),
                          torch.where(covered, self.weight_scale * torch.log1p(weight), 0.0)], dim=1)

    def encode(self, flux, weight):
        h = self.latent(self.encoder(self.features(flux, weight)))
        logvar = (1 - torch.nn.functional.softplus(1 - h[:, self.latent_dim:])).clamp(min=-30)
        return h[:, :self.latent_dim], logvar


def chi2_kl(model, flux, weight, sample):
    mu, logvar = model.encode(flux, weight)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if sample else mu
    recon = model.decoder(z)
    chi2 = (weight * (flux - recon) ** 2).sum(1)
    kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)
    return recon, chi2, kl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--model", default="vae")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--infer-batch-size", type=int, default=256)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    card = json.load(open(f"{a.store}/models/{a.model}/model.json"))
    batch = a.batch_size or card["training"]["batchSize"]
    beta = card["training"]["beta"]
    flux = np.load(f"{a.store}/cache/main.flux.npy", mmap_mode="r")
    weight = np.load(f"{a.store}/cache/main.weight.npy", mmap_mode="r")
    rows = np.array([r[0] for r in sqlite3.connect(f"{a.store}/qad.sqlite").execute(
        "SELECT cache_row FROM spectrum WHERE cache_shard = 'main' ORDER BY cache_row")], dtype=np.int64)
    # Like qad: spectra with a non-finite value or |flux| > maxAbsFlux in a
    # covered bin are corrupt and not trained on.
    limit = card["training"]["maxAbsFlux"]
    usable = np.ones(len(rows), bool)
    for k in range(0, len(rows), 4096):
        f, w = flux[rows[k:k + 4096]], weight[rows[k:k + 4096]]
        bad = (w != 0) & ~((w > 0) & np.isfinite(w) & (np.abs(f) <= limit))
        usable[k:k + 4096] = ~bad.any(1)
    n_train = card["data"]["trainingSpectra"]
    rng = np.random.default_rng(1)
    train_rows = np.sort(rng.choice(rows[usable], size=min(n_train, int(usable.sum())), replace=False))

    model = VAE(card["architecture"])
    opt = torch.optim.Adam(model.parameters(), lr=card["training"]["learningRate"])
    epoch_rates = []
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        order = rng.permutation(train_rows)
        for k in range(0, len(order), batch):
            idx = np.sort(order[k:k + batch])
            f = torch.from_numpy(np.ascontiguousarray(flux[idx]))
            w = torch.from_numpy(np.ascontiguousarray(weight[idx]))
            _, chi2, kl = chi2_kl(model, f, w, sample=True)
            loss = (chi2 + beta * kl).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        dt = time.perf_counter() - t0
        epoch_rates.append(len(order) / dt)
        print(f"peer epoch {epoch + 1}: {len(order) / dt:.0f} spectra/s, {dt:.1f} s, loss {loss.item():.1f}", flush=True)
    print(f"peer train: {np.median(epoch_rates):.0f} spectra/s ({a.epochs} epochs, batch {batch}, {a.threads} threads)")

    t0 = time.perf_counter()
    chunk = 4096
    done = 0
    with torch.inference_mode():
        for start in range(0, len(rows), chunk):
            idx = rows[start:start + chunk]
            f = torch.from_numpy(np.ascontiguousarray(flux[idx]))
            w = torch.from_numpy(np.ascontiguousarray(weight[idx]))
            for b in range(0, len(idx), a.infer_batch_size):
                fb, wb = f[b:b + a.infer_batch_size], w[b:b + a.infer_batch_size]
                recon, chi2, kl = chi2_kl(model, fb, wb, sample=False)
                dof = (wb > 0).sum(1).clamp(min=1)
                _ = (chi2 / dof).numpy(), ((((fb - recon) ** 2) * (wb > 0)).sum(1) / dof).numpy(), kl.numpy(), recon.numpy()
            done += len(idx)
    dt = time.perf_counter() - t0
    print(f"peer infer: {done / dt:.0f} spectra/s ({done} spectra, batch {a.infer_batch_size}, {a.threads} threads)")


if __name__ == "__main__":
    main()
