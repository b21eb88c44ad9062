# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/05_interfacegan.ipynb)
#
# # 05 — Supervised directions: InterFaceGAN and HiGAN
#
# A GAN's latent space has no labels, but an off-the-shelf classifier can supply them.
# InterFaceGAN (Shen et al., CVPR 2020) and HiGAN (Yang et al., "Semantic hierarchy emerges in
# deep generative representations for scene synthesis") follow one recipe:
#
# 1. **sample** many codes $z_k \sim \mathcal{N}(0, I)$ and render $x_k = G(z_k)$;
# 2. **pseudo-label** each image with an attribute predictor, $a_k = F(x_k)$;
# 3. **fit a linear boundary** per attribute (a linear SVM) between the clearest positive and
#    negative codes; its unit normal $n$ is the editing direction, $G(w) \to G(w + \lambda n)$;
# 4. **verify counterfactually** ("re-scoring"): push codes along $n$, score the new images, and
#    keep only boundaries that really change their attribute — a boundary is a correlation until
#    an intervention shows it is a cause.
#
# You will see, on the kit's style generator of faces and of scenes (32x32):
# * boundaries with more than 90 % validation accuracy, and how much worse the same SVM does in
#   $Z$ than in $W$;
# * the re-scoring matrix: which boundaries are reliable, and what else each one drags along —
#   a boundary can have 91 % accuracy and still fail;
# * one slider per attribute ("younger", "add glasses", "smile", "turn the head");
# * conditional manipulation by projection: age and eyeglasses are correlated 0.40 in the
#   training faces *by design*, and projecting one normal off the other removes a third to a half
#   of the side effect;
# * HiGAN's layer-wise edits in $W^+$: layout and pose are decided almost only in the early
#   layers, while lamp light and skin tone need the later ones — measured per layer range.

# %%
# Colab only: install gentut, keeping Colab's own torch. Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gentut @ git+https://github.com/gentut/gentut"], check=True)

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import load_split
from gentut.data.scenes import SCENE_FACTORS
from gentut.interpret.boundaries import cosine_matrix, project_out
from gentut.interpret.edits import broadcast_ws, direction_effects, edit_ws, purity, render_ws
from gentut.interpret.rescoring import (conditional_side_effect, fit_boundaries, layer_range_effects, layer_ranges,
                                        own_effects, reliable, score_samples, stack_normals, std_steps, z_direction_effects)
from gentut.runtime import setup
from gentut.widgets.directions import attribute_panel, layer_edit_panel
from gentut.widgets.render import image_grid

torch.set_grad_enabled(False)          # this notebook only evaluates models
device, generator = setup(seed=0)

# %% [markdown]
# ## 1. Sample and pseudo-label
#
# The generator is the zoo's `faces_stylegan` (mapping $z \to w$, then 7 modulated convolution
# layers, one $w$ per layer in $W^+$); the "off-the-shelf classifier" is `faces_predictor`, which
# reads the 8 face factors, each in [0, 1], from an image. We sample 2,000 codes and let the
# predictor label their images. The paper sampled 500,000 and kept the top and bottom 10,000 of
# each attribute (2 % at each end); with 2,000 samples we keep 10 % at each end (200 codes), fit
# on 70 % of them and validate on the other 30 %, as the paper does.

# %%
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
names = [factor.name for factor in FACE_FACTORS]
N_SAMPLES, RATIO = 2000, 0.1
samples = score_samples(G, predictor, N_SAMPLES, generator)

# %%
# NBVAL_CHECK_OUTPUT
kept = round(RATIO * N_SAMPLES)
print(f"codes: z {tuple(samples.z.shape)}, w {tuple(samples.w.shape)}; scores {tuple(samples.scores.shape)}: {names}")
print(f"kept per attribute: top {kept} + bottom {kept} (ratio {RATIO}), fit on {round(0.7 * 2 * kept)}, "
      f"validate on {round(0.3 * 2 * kept)}; the middle {N_SAMPLES - 2 * kept} test 'remaining accuracy'")
print(f"the paper: 500,000 samples, 10,000 + 10,000 kept (ratio 0.02): {500_000 // N_SAMPLES}x our samples")

# %% [markdown]
# What the predictor calls the most and least "old" of our samples — the codes the SVM learns from:

# %%
def show(images, nrow, title, ax=None):
    ax = ax or plt.subplots(figsize=(nrow * 0.9, 1.2 * -(-len(images) // nrow)), dpi=72)[1]
    ax.imshow(image_grid(images.cpu(), nrow=nrow), interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.axis("off")


order = samples.scores[:, names.index("age")].argsort()
extremes = torch.cat([order[:8], order[-8:]])
show(render_ws(G, broadcast_ws(G, samples.w[extremes.to(device)])), 8, "lowest (top row) and highest age scores")
plt.show()

# %% [markdown]
# ## 2. One linear boundary per attribute, in W and in Z
#
# `fit_boundaries` fits a `LinearBoundary` (scikit-learn's `LinearSVC`) per factor. *Validation
# accuracy* is measured on held-out codes from the two ends; *remaining accuracy* asks the same
# hyperplane to split all the middle codes at the median score — a much harder test, since many
# sit close to the boundary. The same labels are fitted once on $w$ and once on $z$.

# %%
boundaries = {"W": fit_boundaries(samples.w, samples.scores, names, ratio=RATIO),
              "Z": fit_boundaries(samples.z, samples.scores, names, ratio=RATIO)}
print(f"{'attribute':12s} {'W: val':>7s} {'remaining':>10s}   {'Z: val':>7s} {'remaining':>10s}")
for name in names:
    w_b, z_b = boundaries["W"][name], boundaries["Z"][name]
    print(f"{name:12s} {w_b.val_accuracy_:7.3f} {w_b.remaining_accuracy_:10.3f}   "
          f"{z_b.val_accuracy_:7.3f} {z_b.remaining_accuracy_:10.3f}")
for space, fitted in boundaries.items():
    val = [b.val_accuracy_ for b in fitted.values()]
    print(f"{space}: mean val {np.mean(val):.3f}, {sum(v > 0.9 for v in val)} of {len(val)} above 0.90, "
          f"mean remaining {np.mean([b.remaining_accuracy_ for b in fitted.values()]):.3f}")

# %% [markdown]
# The mapping network has made the attributes *more linear* in $W$ than in $Z$: the same SVM on the
# same labels separates them better. Remaining accuracy is lower everywhere: a linear boundary
# is a good description of the clear cases, a rough one in the middle.
#
# ## 3. Counterfactual verification: re-scoring
#
# Accuracy only says the boundary *correlates* with the attribute. To test causation, move
# codes along each normal and let the predictor score again. To compare attributes fairly, a step
# is measured in standard deviations of the codes along that normal (`std_steps`; in $Z$ this
# is about 1 for every direction). Row $i$ of the matrix: the mean change of every factor when 100
# codes move 2 standard deviations along boundary $i$. A boundary is **reliable** when its own
# attribute rises by at least 0.1 and nothing else moves more (`reliable`).

# %%
STRENGTH, N_EDIT = 2.0, 100
steps = {space: std_steps(stack_normals(b), samples.w if space == "W" else samples.z) for space, b in boundaries.items()}
effects = {"W": direction_effects(G, predictor, samples.w[:N_EDIT], steps["W"], STRENGTH).cpu(),
           "Z": z_direction_effects(G, predictor, samples.z[:N_EDIT], steps["Z"], STRENGTH)}
keep = {space: reliable(e, range(len(names)), min_effect=0.1) for space, e in effects.items()}

def show_matrix(ax, matrix, row_names, limit):
    """A (k, k) matrix as a red-blue picture with its values written in, columns named by `names`."""
    ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(matrix.numpy()):
        ax.text(j, i, f"{value:+.2f}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(names)), names, rotation=60, fontsize=8)
    ax.set_yticks(range(len(row_names)), row_names, fontsize=8)


fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), dpi=72)
for ax, (space, matrix) in zip(axes, effects.items()):
    show_matrix(ax, matrix, [f"{n} {'ok' if k else 'X'}" for n, k in zip(names, keep[space])], limit=0.5)
    ax.set(xlabel="factor read by the predictor", ylabel="edit along boundary", title=f"re-scoring in {space}")
plt.tight_layout()
plt.show()
for space, matrix in effects.items():
    _, share = purity(matrix)
    print(f"re-scoring in {space}: {int(keep[space].sum())} of {len(names)} reliable, mean purity {share.mean():.2f}")
    for i, name in enumerate(names):
        others = matrix[i].clone()
        others[i] = 0
        j = int(others.abs().argmax())
        print(f"  {name:12s} own {matrix[i, i]:+.2f}   largest other: {names[j]:11s} {matrix[i, j]:+.2f}"
              f"   {'reliable' if keep[space][i] else 'NOT reliable'}")

# %% [markdown]
# Counterfactual verification changes the verdict of the accuracy table. In $W$, six boundaries
# pass. **Smile** had about 91 % validation accuracy, yet pushing along its normal barely moves
# the smile (about +0.08) and moves hair colour more: the SVM found something that *correlates*
# with the smile score of our samples, not a control of the smile. **Eyeglasses** adds glasses
# (about +0.2) but ages the face even more (about +0.3): the correlation of the training data,
# learnt by the generator, shows up as a side effect. In $Z$ the glasses boundary passes and only
# smile fails. Purity (the share of a row's total change that goes to its main factor) is about
# 0.4 in both spaces: even reliable boundaries drag other factors along.
#
# ## 4. One slider per attribute
#
# Edits in $W$ with the steps above (strength 1 = one standard deviation along the normal). A
# static sweep first, strengths -3 to 3 on one face:

# %%
EDITS = {"age": "older (left: younger)", "eyeglasses": "add glasses", "smile": "smile", "yaw": "turn the head"}
strengths = torch.linspace(-3, 3, 7)
face = broadcast_ws(G, samples.w[:1]).expand(len(strengths), -1, -1)
fig, axes = plt.subplots(len(EDITS), 1, figsize=(7, 1.3 * len(EDITS)), dpi=72)
for ax, (name, label) in zip(axes, EDITS.items()):
    step = steps["W"][names.index(name)]
    show(render_ws(G, edit_ws(face, step, strengths.to(device))), len(strengths), f"{label}: strength -3 ... +3", ax)
plt.tight_layout()
plt.show()

# %% [markdown]
# Now drag them yourself, on four faces at once. Which sliders change only what they say?

# %%
attribute_panel(G, {name: steps["W"][names.index(name)] for name in EDITS}, labels=EDITS, n=4, seed=1)

# %% [markdown]
# ## 5. How the boundaries sit to each other: Z vs W
#
# Two boundaries whose normals are close to parallel cannot be edited independently: moving along
# one moves along the other. The cosine between every pair of normals, in both spaces:

# %%
cosines = {space: cosine_matrix(stack_normals(b)) for space, b in boundaries.items()}
fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), dpi=72)
for ax, (space, matrix) in zip(axes, cosines.items()):
    show_matrix(ax, matrix, names, limit=1)
    ax.set_title(f"cosine between boundary normals in {space}")
plt.tight_layout()
plt.show()
off_diagonal = ~torch.eye(len(names), dtype=torch.bool)
age, glasses = names.index("age"), names.index("eyeglasses")
for space, matrix in cosines.items():
    i, j = divmod(int((matrix * off_diagonal).abs().argmax()), len(names))
    print(f"{space}: mean |cos| off the diagonal {matrix[off_diagonal].abs().mean():.3f}; "
          f"largest: {names[i]}-{names[j]} {matrix[i, j]:+.2f}; age-eyeglasses {matrix[age, glasses]:+.2f}")
print(f"correlation of the age and eyeglasses scores of the samples: "
      f"{torch.corrcoef(samples.scores[:, [age, glasses]].T)[0, 1]:+.2f}")

# %% [markdown]
# Most pairs are close to orthogonal (mean |cos| about 0.1 in both spaces, a little lower in $W$).
# Age and eyeglasses, the pair the training data correlates, lean towards each other in both
# spaces (about +0.2 in $W$, +0.25 in $Z$), and their scores are correlated about +0.36 across
# the samples. But the largest cosines are elsewhere, between factors the training data keep
# independent (|r| < 0.01), such as age and hair length in $W$: an entanglement the generator
# made up by itself. A positive cosine means an edit along one normal also crosses the other
# boundary: the next section measures by how much.
#
# ## 6. Conditional manipulation: age without eyeglasses
#
# The training faces were drawn with $P(\text{glasses} \mid \text{age}) = 0.1 + 0.7\,\text{age}$,
# a correlation of 0.40, and the generator learnt it. InterFaceGAN's remedy: to edit attribute
# 1 while keeping attribute 2, move along $n_1 - (n_1^\top n_2)\, n_2$ (normalised), the part of
# $n_1$ orthogonal to $n_2$ (`project_out`). Every code then keeps its distance to the
# eyeglasses boundary. First, is the side effect the predictor's fault? On real faces, where the
# truth is known, its age error with and without glasses:

# %%
real = load_split("faces", "val", n=500)
error = predictor.predict(real.images.to(device)).cpu()[:, age] - real.factors["age"].cpu()
with_glasses = real.factors["eyeglasses"].cpu() > 0.5
print(f"mean age error of the predictor: with glasses {error[with_glasses].mean():+.3f}, "
      f"without {error[~with_glasses].mean():+.3f}  (n = {with_glasses.sum()} / {(~with_glasses).sum()})")

# %% [markdown]
# Glasses do not fool the predictor's age (both mean errors are a few thousandths), so a side
# effect it reports is in the generated images. Measured: each edit moves 2 standard deviations
# along the plain normal, and the same distance along the projected one.

# %%
cases = [("age, keep eyeglasses", "W", age, glasses), ("age, keep eyeglasses", "Z", age, glasses),
         ("eyeglasses, keep age", "W", glasses, age), ("eyeglasses, keep age", "Z", glasses, age)]
print(f"{'edit':22s} {'space':5s} {'primal change':>14s} {'side effect':>12s} {'side/primal':>12s}"
      f"   {'projected: primal':>17s} {'side':>6s} {'side/primal':>12s} {'side reduced':>13s}")
for label, space, primal, condition in cases:
    codes = (samples.w if space == "W" else samples.z)[:N_EDIT]
    normals = stack_normals(boundaries[space])
    side = conditional_side_effect(G, predictor, codes, steps[space][primal], normals[condition], STRENGTH,
                                   primal, condition, space=space.lower())
    print(f"{label:22s} {space:5s} {side.primal_before:+14.3f} {side.side_before:+12.3f} {side.side_per_primal_before:+12.2f}"
          f"   {side.primal_after:+17.3f} {side.side_after:+6.3f} {side.side_per_primal_after:+12.2f} {side.reduction:13.0%}")

# %% [markdown]
# * The textbook case, in $Z$: moving age adds eyeglasses (about +0.22 for +0.32 of age).
#   With the eyeglasses normal projected out the side effect halves (to about +0.10) while the
#   age change stays.
# * In $W$ the age normal already leaves the glasses alone: both side effects, before and
#   after, are a few hundredths, the size of the sampling noise of 100 codes, so the percentage
#   in that row means nothing. In $W$ the side effect sits in the *eyeglasses* normal, which
#   ages the faces (about +0.34) more than it adds glasses (about +0.20). Projecting age out cuts
#   the ageing by about a third and adds *more* glasses: the side effect per unit of glasses
#   roughly halves (from about 1.7 to 0.9).
# * Projection never removes everything: it keeps each code's distance to the age *boundary*,
#   a linear model, and the predictor's age reacts to more than that one direction.
#
# The same face edited along the plain eyeglasses normal (top) and with age projected out (bottom):

# %%
plain = steps["W"][glasses]
conditional = project_out(plain, stack_normals(boundaries["W"])[age]) * plain.norm()
rows = [edit_ws(face, direction, strengths.to(device)) for direction in (plain, conditional)]
show(render_ws(G, torch.cat(rows)), len(strengths), "add glasses: plain (top) vs age projected out (bottom), -3 ... +3")
plt.show()

# %% [markdown]
# ## 7. Layer-wise edits: the semantic hierarchy (HiGAN)
#
# In $W^+$ each layer reads its own copy of $w$, so an edit can be applied to some layers only
# (`edit_ws(..., layers=...)`). HiGAN found that a scene generator organises itself: early layers
# decide layout, middle layers the objects, late layers lighting and colour. We measure it on the
# kit's `scenes_stylegan`, with boundaries from `scenes_predictor` (daylight, lamps, clouds,
# greenery, horizon, house position), applying each normal (1 standard deviation: small enough
# that the three ranges' effects add up to the all-layer effect) to the early (0-2: 4x4 and
# 8x8), middle (3-4: 16x16) or late (5-6: 32x32) layers only. `own_effects` keeps, for each
# boundary, the change of the factor it was fitted for.

# %%
scene_G = zoo.load("scenes_stylegan", device=device)
scene_predictor = zoo.load("scenes_predictor", device=device)
scene_names = [factor.name for factor in SCENE_FACTORS]
scenes = score_samples(scene_G, scene_predictor, 1500, generator)
scene_boundaries = fit_boundaries(scenes.w, scenes.scores, scene_names, ratio=RATIO)
print("validation accuracy:", {n: round(b.val_accuracy_, 3) for n, b in scene_boundaries.items()})
print("remaining accuracy: ", {n: round(b.remaining_accuracy_, 3) for n, b in scene_boundaries.items()})

# %%
LAYER_STRENGTH = 1.0
ranges = {**layer_ranges(scene_G.num_ws), "all 0-6": range(scene_G.num_ws)}
scene_steps = std_steps(stack_normals(scene_boundaries), scenes.w)
scene_own = own_effects(layer_range_effects(scene_G, scene_predictor, scenes.w[:N_EDIT], scene_steps, LAYER_STRENGTH,
                                            ranges))


def hierarchy_table(own, names):
    """Print each boundary's effect on its own factor per layer range, their sum, and the early share."""
    print(f"{'boundary':12s}" + "".join(f"{r:>12s}" for r in ranges) + f"{'sum of 3':>10s}{'early/all':>10s}")
    for name, row in zip(names, own):
        print(f"{name:12s}" + "".join(f"{v:+12.2f}" for v in row) + f"{row[:3].sum():+10.2f}{row[0] / row[3]:10.0%}")


def hierarchy_bars(own, names, title, ax):
    """Grouped bars: the own-factor effect of each boundary applied to early / middle / late layers."""
    x = np.arange(len(names))
    for r, label in enumerate(list(ranges)[:3]):
        ax.bar(x + (r - 1) * 0.27, own[:, r], width=0.27, label=label)
    ax.set_xticks(x, names, rotation=45, fontsize=8)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set(ylabel="change of its own factor", title=title)


hierarchy_table(scene_own, scene_names)

# %% [markdown]
# Layout lives in the early layers: the horizon and house-position boundaries do more than
# 90 % of their work in layers 0-2 alone, greenery (grass and trees) about 90 %. In a 32x32
# generator the sky's colour is set at 4x4 and 8x8 too, so daylight is early as well. The lamps
# are HiGAN's point in small: the early layers alone do nothing to them, the middle and late
# layers about +0.07 each — and even the three together fall short of the all-layer edit
# (+0.14 vs +0.24): their light takes the layers together. Cloudiness hardly moves with its own
# boundary (+0.03, and its validation accuracy was the lowest): a boundary to distrust.
#
# The faces generator, the same measurement: pose (yaw) against hair colour, skin tone and
# background.

# %%
face_own = own_effects(layer_range_effects(G, predictor, samples.w[:N_EDIT], steps["W"], LAYER_STRENGTH, ranges))
hierarchy_table(face_own, names)
fig, axes = plt.subplots(1, 2, figsize=(13, 3.6), dpi=72)
hierarchy_bars(scene_own, scene_names, "scenes: each boundary on one layer range (1 std)", axes[0])
hierarchy_bars(face_own, names, "faces: each boundary on one layer range (1 std)", axes[1])
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# In the faces, pose (yaw) is about 90 % early, like the scenes' layout; the flat background
# colour is mostly early too (about 85 %). Skin tone is the clearest "late" factor: the late layers alone move it as
# much as the early ones, and age (grey hair, wrinkles: texture) splits between early and middle
# layers. Hair colour, a colour, is still mostly early: the hierarchy is a tendency, not a law,
# and a 32x32 generator has only three resolutions where HiGAN's 256x256 ones have seven.
#
# Try it: pick a direction and a layer range. Top row: the original scenes; bottom row: edited
# on those layers only.

# %%
layer_edit_panel(scene_G, dict(zip(scene_names, scene_steps)), n=4, seed=3)

# %% [markdown]
# And on the faces: turn the head with the early layers, then with the late ones.

# %%
layer_edit_panel(G, {name: steps["W"][names.index(name)] for name in ("yaw", "hair_color", "skin_tone", "background")},
                 n=4, seed=1)

# %% [markdown]
# **Questions to think about**
# 1. The smile boundary separates held-out codes with about 91 % accuracy, yet fails
#    re-scoring. What does the accuracy of a linear classifier on pseudo-labels prove, and what
#    does it not? What would you try to get a reliable smile direction?
# 2. `project_out` keeps the distance to one linear boundary. Why does that not guarantee the
#    predictor's eyeglasses score stays put? How would you edit age while keeping eyeglasses
#    *and* skin tone (it accepts several conditions)?
# 3. The layer ranges here follow the resolutions (4-8, 16, 32). Design a measurement that finds,
#    for one attribute, the smallest set of layers giving 90 % of the all-layer edit. What would
#    it tell you about where the generator decides that attribute?
