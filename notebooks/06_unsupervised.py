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
#   interact, checked on a function whose Hessian we know;
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

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.evidence import compare, proportion_interval
from gentut.interpret.boundaries import cosine_matrix
from gentut.interpret.compare import (compare_methods, evaluate_directions, format_directions, format_summary,
                                     random_directions, typical_std)
from gentut.interpret.discovery import Deformator, Reconstructor, fit_discovery, reconstructor_accuracy
from gentut.interpret.edits import broadcast_ws, direction_effects, edit_ws, render_ws, sample_latents
from gentut.interpret.ganspace import GANSpace
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
# trains 100,000 steps of 32 pairs; we give it a few seconds (80 steps of 16 pairs), K = 8,
# shifts up to 3 std.

# %%
deformator = Deformator(8, G.w_dim, generator=torch.Generator().manual_seed(1)).to(device)
reconstructor = Reconstructor(8).to(device)
initial = deformator.directions().detach().clone()


def render(w):
    """Codes w (B, w_dim) -> images (B, 3, 32, 32), the same w at every layer."""
    return G.synthesis(broadcast_ws(G, w))


history = fit_discovery(deformator, reconstructor, render, w_pool[:4000], steps=80, batch_size=16,
                        max_shift=strength, generator=generator)
discovered = deformator.directions().detach()
accuracy = reconstructor_accuracy(deformator, reconstructor, render, w_pool[4000:4256], strength, generator)
held_out = proportion_interval(round(accuracy * 256), 256)
print(f"reconstructor names the direction of 256 held-out pairs: {held_out:.2f}; chance 1/8 = 0.125: "
      f"{'above chance' if held_out.low > 0.125 else 'not distinguishable from chance'}")
print(f"batch accuracy, first 20 steps {np.mean(history['accuracy'][:20]):.2f}, "
      f"last 20 {np.mean(history['accuracy'][-20:]):.2f}")
print("cosine of each learned direction with its random start:",
      " ".join(f"{c:.2f}" for c in (discovered * initial).sum(1).tolist()))

# %% [markdown]
# Three numbers to read honestly: the reconstructor's accuracy on pairs it never saw, against
# the 1-in-8 chance level; whether it improved during training; and how far the directions moved
# from where they started (cosine 1 = not at all). 80 steps is far from the authors' 100,000;
# whether the directions that moved are any *better* is for the next section to say —
# the directions the deformator started from are kept there as the "random" row.

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
check = torch.Generator().manual_seed(0)
points = torch.randn(4000, 3, generator=check, dtype=torch.float64)
for k in (2, 8, 64):
    estimate = hessian_penalty(lambda x: ((x @ A) * x).sum(1), points, k=k, reduction="mean", generator=check)
    print(f"x^T A x, k = {k:2d} vectors per point, mean over 4000 points: {estimate.item():4.1f}   (exact {exact:.1f})")
separable = hessian_penalty(lambda x: (torch.sin(x) + x ** 3).sum(1), points, k=8, reduction="max", generator=check)
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
# regulariser, where the generator cannot escape it by going flat: it must still fit the data.
# Compare the two halves before you rank the methods by their share.

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
