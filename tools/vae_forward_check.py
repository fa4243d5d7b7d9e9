#!/usr/bin/env python3
"""Independent forward pass of a qad VAE checkpoint with safetensors + NumPy.

Rebuilds the model from model.json (architecture, input features) and
model.safetensors (PyTorch nn.Linear layout: weight [out, in], bias [out]),
encodes and decodes the given spectra at z = mu, and compares with what qad
computed. Used by the Swift test suite (QADModelTests) as a cross-check.

usage: vae_forward_check.py MODEL_DIR FLUX.npy WEIGHT.npy QAD_MU.npy QAD_SIGMA.npy QAD_RECON.npy [--tol 1e-4]
Prints the largest differences; exits 1 when any exceeds the tolerance.
"""
import json
import sys

import numpy as np
from safetensors.numpy import load_file


def activation(name):
    if name == "relu":
        return lambda z: np.maximum(z, 0)
    if name == "leaky_relu":
        return lambda z: np.where(z > 0, z, 0.01 * z)
    if name == "elu":
        return lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
    if name == "tanh":
        return np.tanh
    if name == "silu":
        return lambda z: z / (1 + np.exp(-z))
    raise SystemExit(f"unknown activation {name}")


def forward(card, tensors, flux, weight):
    arch = card["architecture"]
    act = activation(arch["activation"])
    clip = arch["inputClip"]
    covered = (weight > 0) & np.isfinite(weight) & np.isfinite(flux)
    x = np.concatenate([np.where(covered, np.clip(flux, -clip, clip), 0),
                        np.where(covered, arch["weightFeatureScale"] * np.log1p(np.where(covered, weight, 0)), 0)],
                       axis=1).astype(np.float64)

    def linear(h, name):
        return h @ tensors[name + ".weight"].astype(np.float64).T + tensors[name + ".bias"].astype(np.float64)

    h = x
    for i in range(len(arch["hidden"])):
        h = act(linear(h, f"encoder.hidden.{i}"))
    mu = linear(h, "encoder.mu")
    raw = linear(h, "encoder.logvar")
    logvar = np.maximum(1 - np.logaddexp(0, 1 - raw), -30)  # 1 - softplus(1 - h), floor -30
    h = mu
    for i in range(len(arch["hidden"])):
        h = act(linear(h, f"decoder.hidden.{i}"))
    recon = linear(h, "decoder.output")
    return mu, np.exp(0.5 * logvar), recon


def main():
    args = sys.argv[1:]
    tol = 1e-4
    if "--tol" in args:
        i = args.index("--tol")
        tol = float(args[i + 1])
        del args[i:i + 2]
    model_dir, flux_path, weight_path, mu_path, sigma_path, recon_path = args
    card = json.load(open(f"{model_dir}/model.json"))
    tensors = load_file(f"{model_dir}/model.safetensors")
    expected = set(card["tensors"])
    if set(tensors) != expected:
        raise SystemExit(f"tensor names differ: file {sorted(tensors)} card {sorted(expected)}")
    flux, weight = np.load(flux_path), np.load(weight_path)
    mu, sigma, recon = forward(card, tensors, flux, weight)
    worst = 0.0
    for name, ours, theirs in [("mu", mu, np.load(mu_path)), ("sigma", sigma, np.load(sigma_path)),
                               ("reconstruction", recon, np.load(recon_path))]:
        if ours.shape != theirs.shape:
            raise SystemExit(f"{name}: shape {theirs.shape} from qad, {ours.shape} here")
        diff = np.abs(ours - theirs) / np.maximum(1, np.abs(ours))
        print(f"{name}: max difference {diff.max():.3e} over {diff.size} values")
        worst = max(worst, float(diff.max()))
    print(f"worst {worst:.3e} tolerance {tol:.1e}")
    sys.exit(0 if worst <= tol else 1)


if __name__ == "__main__":
    main()
