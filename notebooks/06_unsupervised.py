# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/06_unsupervised.ipynb)
#
# # 06 — Unsupervised directions, and how to judge them
#
# Notebook 05 found editing directions *with* labels: an attribute predictor scored samples and
# a linear SVM separated them (InterFaceGAN). Most generators come without such a predictor.
# Here are the methods that find directions with no labels at all, each on the kit's
# style-based face generator:
# * **SeFa** (Shen & Zhou, 2021): eigenvectors of the generator's own style weights — a
#   closed form, no sampling (and we time it);
# * **GANSpace** (Härkönen et al., 2020): PCA of sampled codes in W, applied to all layers or
#   to a range of layers;
# * **latent discovery** (Voynov & Babenko, 2020): a deformator and a reconstructor that
#   learn directions a network can tell apart;
# * the **Hessian penalty** (Peebles et al., 2020): a number for how much directions
#   interact, checked on a function whose Hessian we know, then used to train a small GAN
#   whose factors we can read back exactly;
# * **steerability** (Jahanian et al., 2020): a linear and a non-linear walk learned to imitate
#   an image transform.
#
# The lectures close this topic with an open question: *how do we evaluate the discovered
# directions and compare methods?* With faces whose factors are known, we can measure it:
# which factor each direction moves, how purely, for SeFa vs GANSpace vs InterFaceGAN vs
# random directions, in one table.

# %%
# Colab only: install gentut at the version this notebook belongs to, keeping Colab's own torch.
# Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    GENTUT = "gentut @ git+https://github.com/gentut/gentut@main"
    if subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", GENTUT]).returncode:
        raise RuntimeError(
            f"pip could not install {GENTUT}. Is the repository public, and does the branch or tag exist? "
            "If you forked the kit: run `python tools/colab_source.py YOUR_ORG/YOUR_REPO@BRANCH` and commit. "
            "Without GitHub: upload the kit's gentut/ folder next to this notebook (Files panel) and rerun.")

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from gentut import recorded, zoo
from gentut.data.faces import FACE_FACTORS
from gentut.evidence import check, compare, proportion_interval, spread
from gentut.interpret.boundaries import cosine_matrix
from gentut.interpret.compare import (compare_methods, evaluate_directions, format_directions, format_summary,
                                     random_directions, typical_std)
from gentut.interpret.discovery import DiscoveryModel, evaluate_discovery
from gentut.interpret.edits import broadcast_ws, direction_effects, edit_ws, render_ws, sample_latents
from gentut.interpret.ganspace import GANSpace
from gentut.interpret.hessian_gan import render_blobs, study_data, train_blob_gan
from gentut.interpret.hessian import (hessian_penalty, interaction_share, offdiagonal_penalty,
                                     second_directional_derivatives)
from gentut.interpret.rescoring import fit_attribute_boundaries, layer_ranges, stack_normals
from gentut.interpret.sefa import SeFa, style_weights
from gentut.interpret.steerability import LinearWalk, NonlinearWalk, brightness, fit_walk, shift, walk_error
from gentut.runtime import setup
from gentut.widgets.render import image_grid
from gentut.widgets.unsupervised import directions_panel

device, generator = setup(seed=0)

# %% [markdown]
# ## 1. The generator, its codes, and one step size for every method
#
# `faces_stylegan` maps z (64-d) through a mapping network to w (64-d); each of its 7
# convolution layers turns w into a *style* with its own affine map (`G.convs[i].affine`).
# To compare methods fairly, every direction will be a unit vector in W and every edit the same
# Euclidean step: a multiple of the codes' typical per-dimension standard deviation.

# %%
# NBVAL_CHECK_OUTPUT
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
factor_names = [factor.name for factor in FACE_FACTORS]
print(f"z_dim {G.z_dim}, w_dim {G.w_dim}, layers (num_ws) {G.num_ws}")
for i, conv in enumerate(G.convs):
    size = G.layer_resolution(i)
    print(f"layer {i}: {size:2d}x{size:<2d} style weight A_{i}: {tuple(conv.affine.weight.shape)}")
print("factors:", ", ".join(factor_names))

# %%
_, w_pool = sample_latents(G, 5000, generator)          # codes for PCA and for training
_, w_test = sample_latents(G, 48, generator)            # the codes every method is judged on
sigma = typical_std(w_pool)
strength = 3 * sigma
print(f"typical per-dimension std of W: {sigma:.3f}; every edit below moves a code by {strength:.2f} (3 std)")


def direction_strip(directions, w, layers=None, n_steps=5):
    """A picture with one row per direction: the code w (w_dim,) moved from -strength to +strength."""
    steps = torch.linspace(-strength, strength, n_steps)
    ws = broadcast_ws(G, w[None])
    rows = [edit_ws(ws, d.to(device), s.item(), layers) for d in directions for s in steps]
    return image_grid(render_ws(G, torch.cat(rows)).cpu(), nrow=n_steps)


# %% [markdown]
# ## 2. SeFa: directions from the weights alone
#
# A layer's style is `s = A w + b`, so moving w by a unit vector n changes the style by `A n`,
# *whatever w is*. SeFa asks for the n that changes the styles most:
# $n^* = \arg\max_{\|n\|=1} \|A n\|^2$, solved by the eigenvectors of $A^T A$, sorted by
# eigenvalue. No image is generated. (As in the authors' code, each style channel's row of A is
# first scaled to unit length, so that no layer dominates by the size of its weights.) How long
# does it take?

# %%
start = time.perf_counter()
sefa = SeFa().fit(G)                                       # all 7 layers' style weights stacked
sefa_seconds = time.perf_counter() - start
start = time.perf_counter()
sefa_early = SeFa(layers=range(0, 3)).fit(G)               # layout layers only (4x4, 8x8)
print(f"SeFa on all layers: {1000 * sefa_seconds:.1f} ms; on layers 0-2: {1000 * (time.perf_counter() - start):.1f} ms "
      f"(A is {tuple(style_weights(G).shape)})")
share = sefa.eigenvalues_ / sefa.eigenvalues_.sum()
print("share of the style change captured by the top 8 directions:", " ".join(f"{s:.3f}" for s in share[:8].tolist()))
fig, ax = plt.subplots(figsize=(5, 2.6), dpi=72)
ax.plot(share[:20], marker="o", label="all layers")
ax.plot((sefa_early.eigenvalues_ / sefa_early.eigenvalues_.sum())[:20], marker=".", label="layers 0-2")
ax.set(xlabel="direction (sorted)", ylabel="eigenvalue share")
ax.legend()
plt.show()

# %% [markdown]
# The top five SeFa directions, each a row from −3 to +3 std (the middle column is the
# unedited face):

# %%
fig, ax = plt.subplots(figsize=(4, 4), dpi=72)
ax.imshow(direction_strip(sefa.directions_[:5], w_test[0]))
ax.set_title("SeFa directions 1-5", fontsize=9)
ax.axis("off")
plt.show()

# %% [markdown]
# ## 3. GANSpace: principal components of W
#
# GANSpace samples codes and runs PCA in W: its directions are where *typical codes* vary most.
# It needs samples (here the 5,000 codes drawn above, 64-d each) and no images either.

# %%
start = time.perf_counter()
pca = GANSpace(n_components=8).fit(w_pool)
print(f"PCA of {len(w_pool)} codes: {1000 * (time.perf_counter() - start):.0f} ms")
print("explained variance ratio, PC1-8:", " ".join(f"{r:.3f}" for r in pca.explained_variance_ratio_.tolist()))
print("std of the codes along PC1-8:  ", " ".join(f"{s:.2f}" for s in pca.std_.tolist()))
cos = cosine_matrix(torch.cat([sefa.directions_[:5], pca.directions_[:5]])).abs()[:5, 5:]
print("|cosine| between SeFa 1-5 (rows) and PC 1-5 (columns):")
print("\n".join(" ".join(f"{c:5.2f}" for c in row) for row in cos.tolist()))

# %% [markdown]
# The |cosine| table asks whether the two methods found the same axes (1 = the same line,
# 0 = perpendicular). SeFa ranks directions by how much they change the *styles*, GANSpace by
# how much the *codes* vary along them — not the same question. The top five components:

# %%
fig, ax = plt.subplots(figsize=(4, 4), dpi=72)
ax.imshow(direction_strip(pca.directions_[:5], w_test[0]))
ax.set_title("GANSpace PC 1-5", fontsize=9)
ax.axis("off")
plt.show()

# %% [markdown]
# **Layer-wise application.** GANSpace's trick is to apply a component to a range of W+ layers
# only. Take PC1 and apply it to the early, middle or late layers alone; what does the
# predictor see change (mean change of each factor over 48 codes, +3 std)?

# %%
ranges = {"all 0-6": range(G.num_ws), **layer_ranges(G.num_ws)}
effects = torch.cat([direction_effects(G, predictor, w_test, pca.directions_[:1].to(device), strength, layers).cpu()
                     for layers in ranges.values()])
print(f"{'PC1 on layers':14s} " + " ".join(f"{n[:8]:>8s}" for n in factor_names))
for name, row in zip(ranges, effects.tolist()):
    print(f"{name:14s} " + " ".join(f"{e:+8.2f}" for e in row))
fig, ax = plt.subplots(figsize=(4, 3.4), dpi=72)
ax.imshow(np.concatenate([direction_strip(pca.directions_[:1], w_test[0], layers) for layers in ranges.values()]))
ax.set_title("PC1 on all / early / middle / late layers", fontsize=9)
ax.axis("off")
plt.show()

# %% [markdown]
# ## 4. Unsupervised discovery: a deformator and a reconstructor
#
# Voynov & Babenko train two networks together over the frozen generator: a *deformator*
# holding K orthonormal directions, and a *reconstructor* that sees the pair
# (G(w), G(w + ε A_k)) and must name k and ε. Directions whose effects are distinct and easy to
# recognise make its job easy, so the deformator is pushed towards them. The authors' code
# trains 100,000 steps of 32 pairs. That is minutes even for our small generator, so the zoo
# ships a pair trained by the kit's own CLI, `python -m gentut.train faces_discovery`: K = 8
# directions in W, 2,000 steps of 32 pairs, shifts up to 6 typical standard deviations of the
# codes as in the authors' code (where the kit departs from their protocol, and why, is written
# in `gentut/interpret/discovery.py`). Its training curve is saved with the weights.

# %%
def render(w):
    """Codes w (B, w_dim) -> images (B, 3, 32, 32), the same w at every layer."""
    return G.synthesis(broadcast_ws(G, w))


discovery = zoo.load("faces_discovery", device=device)
discovery_record = zoo.read_manifest()["faces_discovery"]
discovered = discovery.directions().detach()
initial = DiscoveryModel(**zoo.get_entry("faces_discovery").config).directions().detach()   # where training started
K, train_steps = len(discovered), discovery_record["steps"]
loss_curve, accuracy_curve = discovery.history.cpu()                  # means over 50 windows of the training steps
window = train_steps / len(loss_curve)
steps_axis = (np.arange(len(loss_curve)) + 0.5) * window
fig, axes = plt.subplots(1, 2, figsize=(8, 2.6), dpi=72)
axes[0].plot(steps_axis, loss_curve)
axes[0].set(xlabel="training step", ylabel="loss", title="cross-entropy + 0.25 |eps error|")
axes[1].plot(steps_axis, accuracy_curve, label="batch accuracy")
axes[1].axhline(1 / K, color="k", ls="--", label=f"chance 1/{K}")
axes[1].set(xlabel="training step", ylabel="direction named right", ylim=(0, 1.05))
axes[1].legend(fontsize=8)
plt.show()
print(f"batch accuracy over the first {window:.0f} steps {accuracy_curve[0]:.2f}, "
      f"over the last {window:.0f} {accuracy_curve[-1]:.2f}")

# %% [markdown]
# The curve is the reconstructor's accuracy on its own training batches. The test that counts is
# on pairs it never saw: fresh codes, a random direction and shift each. The training CLI measured
# it on 1,024 pairs (in the manifest); here 256 more are drawn live.

# %%
n_recorded = 1024
recorded_accuracy = proportion_interval(round(discovery_record["metrics"]["heldout_accuracy"] * n_recorded), n_recorded)
live = evaluate_discovery(discovery, G, torch.Generator().manual_seed(2), n=256)
live_accuracy = proportion_interval(round(live["heldout_accuracy"] * 256), 256)
print(f"held-out pairs named right: {recorded_accuracy:.3f} at training time ({n_recorded} pairs), "
      f"{live_accuracy:.3f} now (256 fresh pairs); chance 1/{K} = {1 / K:.3f}")
print(check(recorded_accuracy.low > 0.8 and live_accuracy.low > 5 / K,
            f"the reconstructor names the direction of held-out pairs far above chance (1/{K})"))
print(check(live_accuracy.low <= recorded_accuracy.high and recorded_accuracy.low <= live_accuracy.high,
            "the live pairs agree with the recorded accuracy (the intervals overlap)"))
print("cosine of each learned direction with its random start:",
      " ".join(f"{c:.2f}" for c in (discovered * initial.to(discovered)).sum(1).tolist()))

# %% [markdown]
# The eight directions the deformator settled on, each a row from −3 to +3 std (the step every
# method gets in section 5; training used steps up to 6 std):

# %%
fig, ax = plt.subplots(figsize=(4, 6.4), dpi=72)
ax.imshow(direction_strip(discovered, w_test[0]))
ax.set_title("discovered directions 1-8", fontsize=9)
ax.axis("off")
plt.show()

# %% [markdown]
# The reconstructor can tell the eight apart, which is all it was asked for: nothing in the loss
# says that a direction should move *one face factor*. Whether the directions are
# interpretable is for the next section to measure, against the directions the deformator
# started from (kept as the "random" row).

# %% [markdown]
# ## 5. Judging the directions against known factors
#
# Now the open question. For each method take 8 unit directions — SeFa's top 8, GANSpace's PC
# 1-8, InterFaceGAN's 8 attribute normals (supervised, from notebook 05: 1,000 scored samples),
# the 8 discovered ones, the 8 random directions the deformator started from — move the same 48
# codes by the same step, and let the predictor read all 8 factors before and after. For each
# direction: the factor it moves most, the (signed) mean change, and its *purity*, the share of
# the total change that goes to that factor (1 = moves one factor only, 1/8 = spread evenly).

# %%
boundaries = fit_attribute_boundaries(G, predictor, factor_names, n=1000, ratio=0.2, generator=generator)
methods = {"SeFa": sefa.directions_[:8], "GANSpace": pca.directions_, "InterFaceGAN": stack_normals(boundaries),
           "discovery": discovered.cpu(), "random": initial.cpu()}
reports = {name: evaluate_directions(G, predictor, w_test, directions, strength)
           for name, directions in methods.items()}
print(format_directions(reports, factor_names))

# %%
print(format_summary(reports, factor_names, min_effect=0.05))
fig, axes = plt.subplots(1, len(reports), figsize=(12, 2.8), dpi=72, sharey=True)
for ax, (name, report) in zip(axes, reports.items()):
    ax.imshow(report.effects.abs().T, vmin=0, vmax=0.4, cmap="viridis")
    ax.set(title=name, xlabel="direction")
    ax.set_xticks(range(len(report.main)), [str(i + 1) for i in range(len(report.main))], fontsize=7)
axes[0].set_yticks(range(len(factor_names)), factor_names, fontsize=8)
fig.suptitle("|mean change of each factor| per direction (bright = 0.4 or more)", fontsize=10)
plt.show()

# %% [markdown]
# Read the table column by column. *purity* and *|main|* are averages over a method's
# directions; *factors* counts the distinct factors that are some direction's main factor
# (moved by at least 0.05); the last columns give, for each factor, the largest change any of
# the method's 8 directions makes. Random directions are the floor a method should clear; whether
# it does is a comparison on the same 48 codes, printed below with a paired interval over the
# codes, and "within noise" means the method did not clear the floor on that measure.
#
# %%
for metric, label in (("purity", "mean purity"), ("strength", "mean |main change|")):
    print(f"{label}, against random directions on the same 48 codes:")
    for name in ("SeFa", "GANSpace", "InterFaceGAN", "discovery"):
        print(f"  {compare_methods(name, reports[name], 'random', reports['random'], metric).sentence('.2f')}")
main_of_smile = factor_names[int(reports["InterFaceGAN"].main[0])]
print(f"InterFaceGAN's first direction (the smile normal) moves {main_of_smile} most")

# %% [markdown]
# The discovered directions, read against the ground truth: the reconstructor tells all eight
# apart on held-out pairs, yet which face factors do they move?

# %%
found = reports["discovery"]
moved = sorted({factor_names[m] for m in found.main[found.main_effect.abs() >= 0.05].tolist()})
counts = {name: found.main.tolist().count(factor_names.index(name)) for name in moved}
print(f"the {K} discovered directions move most: " + ", ".join(f"{name} ({n})" for name, n in counts.items()))
print(f"distinct factors: discovery {found.distinct_factors(0.05)}, InterFaceGAN "
      f"{reports['InterFaceGAN'].distinct_factors(0.05)}, SeFa {reports['SeFa'].distinct_factors(0.05)}, "
      f"random {reports['random'].distinct_factors(0.05)} (of {len(factor_names)})")
purity_vs_random = compare_methods("discovery", found, "random", reports["random"], "purity")
print(check(purity_vs_random.verdict == "better" and found.distinct_factors(0.05) < reports["SeFa"].distinct_factors(0.05),
            "the discovered directions are purer than random ones, but cover fewer factors than SeFa's"))

# %% [markdown]
# Telling directions apart is not the same as moving one factor each: several of the eight
# directions the reconstructor tells apart on nearly every held-out pair move the *same* factor
# most, in different mixtures with the others, so they cover fewer factors than SeFa's. The loss
# rewards directions that are *recognisable*; nothing in it rewards covering the factors a person
# would name. Voynov & Babenko judge their directions by eye and
# by a few attribute classifiers on real-world generators; with known factors we can count.

# %% [markdown]
# Which unsupervised method comes closest to the supervised one, on which factors does every
# method fail, and is a "pure" direction the same as a strong one?
#
# Drag the top three directions of each method side by side (strengths in W units; the
# "layers" buttons apply the edits to a range of layers only, as in section 3):

# %%
directions_panel(G, {name: methods[name] for name in ["SeFa", "GANSpace", "InterFaceGAN", "discovery"]},
                 n_directions=3, n_codes=3, max_strength=2 * strength)

# %% [markdown]
# ## 6. The Hessian penalty: how much do directions interact?
#
# Peebles et al. call a generator disentangled in its input coordinates when its Hessian with
# respect to them is diagonal: moving coordinate i changes the output in a way that does not
# depend on coordinate j. For Rademacher vectors v (entries ±1),
# $\mathrm{Var}_v(v^T H v) = 2\sum_{i \ne j} H_{ij}^2$, and $v^T H v$ comes from two extra
# forward passes, $(f(z + \epsilon v) - 2 f(z) + f(z - \epsilon v)) / \epsilon^2$.
#
# First a check on $f(x) = x^T A x$, whose Hessian is $A + A^T$, and on a separable function
# (diagonal Hessian, penalty exactly 0):

# %%
# NBVAL_CHECK_OUTPUT
A = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 0.5], [0.0, 0.0, 3.0]], dtype=torch.float64)
exact = offdiagonal_penalty(A + A.T).item()
rng = torch.Generator().manual_seed(0)
points = torch.randn(4000, 3, generator=rng, dtype=torch.float64)
for k in (2, 8, 64):
    estimate = hessian_penalty(lambda x: ((x @ A) * x).sum(1), points, k=k, reduction="mean", generator=rng)
    print(f"x^T A x, k = {k:2d} vectors per point, mean over 4000 points: {estimate.item():4.1f}   (exact {exact:.1f})")
separable = hessian_penalty(lambda x: (torch.sin(x) + x ** 3).sum(1), points, k=8, reduction="max", generator=rng)
print(f"sin(x) + x^3 summed over coordinates: largest estimate over 4000 points below 1e-6: {separable.item() < 1e-6}")

# %% [markdown]
# Now the generator seen through each method's 8 directions: $f(c) = G(w + c V)$, V the
# method's directions as rows, at c = 0 for 16 codes, 4 vectors v each, ε = 0.1. Two numbers:
# the penalty itself (mean over pixels and codes), and the *interaction share*: the penalty
# divided by the mean of $(v^T H v)^2 = \mathrm{tr}(H)^2 + \mathrm{Var}$, i.e. how much of the
# curvature the directions produce is interaction (0: none, 1: all). Each is printed for two
# halves of the codes (8 + 8), so you can see how noisy they are.

# %%
print(f"{'basis':13s} {'penalty (codes 1-8 | 9-16)':>27s} {'interaction share':>18s} {'mean purity':>12s}")
for name, directions in methods.items():
    V = directions.to(device)
    second = second_directional_derivatives(lambda c: render(w_test[:16] + c @ V),
                                            torch.zeros(16, len(V), device=device),   # c = 0 at 16 codes
                                            k=4, epsilon=0.1, generator=generator)    # v^T H v: (4, 16, 3, 32, 32)
    halves = (second[:, :8], second[:, 8:])
    penalty = " | ".join(f"{half.var(0).mean().item():6.3f}" for half in halves)
    share = " | ".join(f"{interaction_share(half):.2f}" for half in halves)
    print(f"{name:13s} {penalty:>27s} {share:>18s} {reports[name].purity.mean():12.2f}")

# %% [markdown]
# A penalty has to be read against how much the directions do, which the share does: directions
# that hardly change the face have little curvature to interact (section 5's |main change|
# column says how much each method's directions do). Peebles et al. use the penalty as a *training*
# regulariser, where the generator must still fit the data while it lowers the penalty (whether
# it can still go partly flat is measured below). Compare the two halves before you rank the
# methods by their share.

# %% [markdown]
# ### Training with the penalty
#
# Does the regulariser make a generator's coordinates line up with the data's factors? To
# measure it we need factors we can read back exactly. `gentut.interpret.hessian_gan` makes
# 16x16 images of one round blob whose centre (x, y) is drawn uniformly; the centre of mass of
# any image, real or generated, gives (x, y) back. A small MLP GAN with 4 z coordinates learns
# them, 4 seeds without the penalty and the same 4 seeds with it (λ = 0.1, k = 2, ε = 0.1, the
# max over the batch and pixels: the authors' settings; the deviations are listed in the
# module). About 8 minutes of a laptop CPU, so it is a recorded study
# (`python -m gentut.recorded hessian_gan_study`); the first 40 steps are re-run live.
#
# For each trained G and each factor: how much each z coordinate moves it (pixels per unit of
# z, on 512 held-out codes), and the *gap* between the two coordinates that move it most, as a
# share of the total (1: one coordinate moves the factor alone; 0: two move it equally).

# %%
study = recorded.load("hessian_gan_study")
arms = ["without the penalty", f"with it (lambda {study['hp_weight'][1].item():g})"]
sensitivity = study["sensitivity"]                                    # (2 arms, seeds, 2 factors, z_dim)
per_coordinate = sensitivity.sum(2)                                   # (2, seeds, z_dim): x and y moved together
measures = {
    "factor gap (mean of x, y)": (study["gap"].mean(2), True),
    "Hessian penalty of G": (study["penalty"], False),
    "share of the top 2 coordinates": (per_coordinate.topk(2, dim=2).values.sum(2) / per_coordinate.sum(2), True),
    "factor range covered": (study["spread"].mean(2), True),
    "distance to a clean blob": (study["blob_error"], False),
}
n_seeds = sensitivity.shape[1]
print(f"{'per trained G, ' + str(n_seeds) + ' seeds':31s} {arms[0]:>26s} {arms[1]:>26s}")
for name, (values, _) in measures.items():
    print(f"{name:31s} {format(spread(values[0]), '.3f'):>26s} {format(spread(values[1]), '.3f'):>26s}")
verdicts = {}
print("with against without, paired by seed (same initial networks and batches):")
for name, (values, higher) in measures.items():
    verdicts[name] = compare("with", values[1], "without", values[0], higher_is_better=higher)
    print(f"  {name}: {verdicts[name].sentence('.3f')}")

live = train_blob_gan(study_data(), hp_weight=study["hp_weight"][1].item(), steps=40, z_dim=sensitivity.shape[3],
                      generator=torch.Generator().manual_seed(0), desc="live: first 40 steps, with, seed 0")
live_curve = torch.tensor([h["hp"] for h in live.history])
print(check(torch.allclose(live_curve, study["hp_curve"][1, 0, :40], rtol=1e-3, atol=1e-6),
            "the first 40 steps re-run live log the recorded penalties"))

# %% [markdown]
# Seed 0 of each arm: each row moves one z coordinate from −2 to +2, the others at 0.

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 4.2), dpi=72)
for ax, arm, images in zip(axes, arms, study["traversal"]):
    ax.imshow(images.permute(0, 2, 1, 3).reshape(images.shape[0] * 16, -1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(arm, fontsize=9)
    ax.set_yticks([8 + 16 * i for i in range(images.shape[0])], [f"z{i + 1}" for i in range(images.shape[0])])
    ax.set_xticks([])
plt.show()

# %% [markdown]
# Why would the coordinates not line up with x and y? Compute the penalty of a generator that
# *is* perfectly aligned, the blob at (7.5, 7.5) + 1.5 (z₁, z₂), and of the same generator with
# its two coordinates rotated by 30° or 45° (each then moves x and y together), on the same
# codes and the same Rademacher vectors:

# %%
codes = torch.randn(512, 2, generator=torch.Generator().manual_seed(0))
rotated_penalty = {}
for degrees in (0, 30, 45):
    angle = torch.tensor(degrees * torch.pi / 180)
    M = torch.stack([torch.stack([angle.cos(), -angle.sin()]), torch.stack([angle.sin(), angle.cos()])])
    rotated_penalty[degrees] = hessian_penalty(lambda c: render_blobs(7.5 + 1.5 * c @ M.T), codes, k=8,
                                               reduction="max", generator=torch.Generator().manual_seed(1)).item()
    print(f"coordinates rotated by {degrees:2d} degrees: Hessian penalty (max) {rotated_penalty[degrees]:.4f}")
same = max(rotated_penalty.values()) / min(rotated_penalty.values()) - 1
print(f"largest relative difference: {same:.2%}")

# %% [markdown]
# The penalty is the same for every rotation: a round blob that moves with x and y has the
# same off-diagonal curvature in any rotated pair of coordinates, so the penalty has no reason
# to prefer x and y over any of their mixtures. What it can do, and does in the table above, is
# lower the curvature itself: it switches coordinates off (the top two coordinates carry more of
# the motion) and shrinks the motion (the samples cover less of the data's range, and look less
# like clean blobs). Peebles et al. report on CLEVR and Edges+Shoes that the penalty aligns
# coordinates with factors; on this toy the kit does not find that. The factors of a real
# dataset are not all rotation-symmetric like these two, which is where the penalty has a handle.

# %%
print(check(verdicts["Hessian penalty of G"].verdict == "better",
            "training with the penalty lowers the Hessian penalty of G"))
print(check(verdicts["factor gap (mean of x, y)"].verdict != "better",
            "the penalty does not improve the factor gap on this toy"))
print(check(same < 0.01, "the penalty is the same for every rotation of the blob's coordinates"))
print(check(verdicts["factor range covered"].verdict == "worse",
            "with the penalty the samples cover less of the data's range"))
print(check(verdicts["share of the top 2 coordinates"].verdict == "better",
            "with the penalty the top two coordinates carry more of the motion"))
print(check(verdicts["distance to a clean blob"].verdict == "worse",
            "with the penalty the samples look less like clean blobs"))

# %% [markdown]
# ## 7. Steerability: learn the walk that imitates a transform
#
# Jahanian et al. turn the question around: choose an image transform we can compute —
# here brightness, `edit(x, α) = clip(x + α)` — and learn the latent walk whose images match it,
# $\min_d \mathbb{E}_{w,\alpha} \|G(w + \alpha d) - \mathrm{edit}(G(w), \alpha)\|^2$ (linear), or
# a small network stepped $|\alpha| / 0.1$ times (non-linear). How close the best walk gets
# says how far the generator *can* be steered that way. For contrast, a linear walk is also
# trained to *shift* the face sideways by up to 0.3 half-widths (5 pixels) — something the
# training faces, always centred, never do.

# %%
walks = {"linear": LinearWalk(G.w_dim).to(device), "non-linear": NonlinearWalk(G.w_dim, step=0.1).to(device)}
learning_rates = {"linear": 0.1, "non-linear": 0.003}
for name, walk in walks.items():
    fit_walk(walk, render, w_pool[:4000], brightness, max_alpha=0.3, steps=40, batch_size=8,
             lr=learning_rates[name], generator=generator)
shift_walk = LinearWalk(G.w_dim).to(device)
fit_walk(shift_walk, render, w_pool[:4000], shift, max_alpha=0.3, steps=40, batch_size=8, lr=0.1, generator=generator)
alphas = torch.tensor([-0.3, -0.15, 0.15, 0.3])
print("mean squared error to the transformed image, as a share of doing nothing (lower is better)")
print(f"{'alpha':23s} " + " ".join(f"{a:+7.2f}" for a in alphas.tolist()))
errors = {}
for name, walk, transform in [("brightness, linear", walks["linear"], brightness),
                              ("brightness, non-linear", walks["non-linear"], brightness),
                              ("shift, linear", shift_walk, shift)]:
    walked, unmoved = walk_error(walk, render, w_test, transform, alphas)
    errors[name] = walked / unmoved
    print(f"{name:23s} " + " ".join(f"{r:7.2f}" for r in errors[name].tolist()))
print("averaged over the four alphas (one training run each):")
print(f"  {compare('brightness, non-linear', errors['brightness, non-linear'], 'brightness, linear', errors['brightness, linear'], higher_is_better=False)}")
print(f"  {compare('brightness, linear', errors['brightness, linear'], 'shift, linear', errors['shift, linear'], higher_is_better=False)}")

# %% [markdown]
# A share of 1 would mean the walk does no better than leaving the face alone; 0, a perfect
# imitation. Below: the mean brightness change each walk actually produces, against the α
# asked for — where the curves bend away from the dashed line, the generator runs out of
# brighter (or darker) faces to offer.

# %%
with torch.no_grad():
    base = render(w_test)
    a = torch.linspace(-0.3, 0.3, 7)
    fig, ax = plt.subplots(figsize=(4.5, 3), dpi=72)
    for name, walk in walks.items():
        achieved = [(render(walk(w_test, torch.full((len(w_test),), x.item(), device=device))) - base).mean().item()
                    for x in a]
        ax.plot(a, achieved, marker="o", label=name)
    ax.plot(a, a, "k--", label="target (before clipping)")
ax.set(xlabel="alpha asked for", ylabel="mean brightness change")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# **Questions to think about**
# 1. SeFa never looks at an image and takes milliseconds; GANSpace needs samples; InterFaceGAN
#    needs a predictor and rendered images. What does each extra ingredient buy in the table
#    of section 5 — and what would you use for a generator with no predictor at all?
# 2. A direction can be *pure* but weak, or strong but mixed. Which of the two numbers would you
#    report for a method, and how would you choose the edit strength so that the comparison
#    cannot be won by stepping further?
# 3. The Hessian penalty and the predictor-based purity both claim to measure
#    disentanglement. Do they rank the methods the same way here? What does each one see that
#    the other cannot? (And: how would you make a generator *shiftable*, given section 7?)
# 4. The Hessian penalty could not tell x and y from their rotations on the round blob. Which
#    change to the toy (an elongated blob? a second object? a factor that changes colour?) would
#    give it a preferred pair of axes, and how would you check your answer with the code of
#    section 6 before training anything?
