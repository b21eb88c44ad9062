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
# You will measure, on the kit's style generators of faces and of scenes (32x32), with the
# authors' protocol:
# * how well a linear SVM separates each attribute in $W$ and in $Z$, with intervals;
# * the re-scoring table: how much each edit moves its own attribute, and the largest thing it
#   drags along — the verdict printed from the numbers, with intervals over the edited codes;
# * one slider per attribute, on faces that can show the edit;
# * conditional manipulation: age and eyeglasses are correlated in the training faces *by
#   design*, and projecting one normal off the other removes the side effect — measured;
# * HiGAN's layer-wise edits in $W^+$: which layers decide layout, which decide colour and light.

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
import matplotlib.pyplot as plt
import numpy as np
import torch

from gentut import recorded, zoo
from gentut.data.faces import FACE_FACTORS, make_faces, render_faces
from gentut.data.procedural import MODEL_SIZE, load_split
from gentut.data.scenes import SCENE_FACTORS
from gentut.evaluate import predictor_crosstalk
from gentut.evidence import bootstrap, check, compare, correlation_interval, mean_interval, proportion_interval
from gentut.interpret.boundaries import cosine_matrix, linear_probe, project_out
from gentut.interpret.edits import broadcast_ws, direction_changes, edit_ws, purity, render_ws, sample_latents
from gentut.interpret.rescoring import (fit_boundaries, invented_ties, largest_side_effects, layer_range_changes,
                                        own_effects, reliable, score_samples, side_effect_projected, stack_normals,
                                        std_steps, z_direction_changes)
from gentut.interpret.study import (LAYER_STRENGTH, N_DRAWS, N_EDIT, N_LARGE, N_LAYER, N_SAMPLES, N_SCENE_SAMPLES,
                                    RATIO, STRENGTH, rescoring_ranges)
from gentut.runtime import setup
from gentut.widgets.directions import attribute_panel, layer_edit_panel
from gentut.widgets.render import show_grid

torch.set_grad_enabled(False)          # this notebook only evaluates models
device, generator = setup(seed=0)

# %% [markdown]
# ## 1. Sample and pseudo-label
#
# The generator is the zoo's `faces_stylegan` (mapping $z \to w$, then 7 modulated convolution
# layers, one $w$ per layer in $W^+$); the "off-the-shelf classifier" is `faces_predictor`, which
# reads the 8 face factors, each in [0, 1], from an image. We sample 2,000 codes and let the
# predictor label their images. The paper sampled 500,000 and kept the top and bottom 10,000 of
# each attribute (2 % at each end); with 2,000 samples we keep 10 % at each end.

# %%
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
names = [factor.name for factor in FACE_FACTORS]
samples = score_samples(G, predictor, N_SAMPLES, generator)

# %%
# NBVAL_CHECK_OUTPUT
kept = int(RATIO * N_SAMPLES)
print(f"codes: z {tuple(samples.z.shape)}, w {tuple(samples.w.shape)}; scores {tuple(samples.scores.shape)}: {names}")
print(f"kept per attribute: top {kept} + bottom {kept} (ratio {RATIO}); each end split 70/30: fit on "
      f"{2 * int(kept * 0.7)}, validate on {2 * (kept - int(kept * 0.7))}; the middle {N_SAMPLES - 2 * kept} "
      "test 'remaining accuracy'")
print(f"the paper: 500,000 samples, 10,000 + 10,000 kept (ratio 0.02): {500_000 // N_SAMPLES}x our samples")

# %% [markdown]
# What the predictor calls the most and least "old" of our samples — the codes the SVM learns from:

# %%

order = samples.scores[:, names.index("age")].argsort()
extremes = torch.cat([order[:8], order[-8:]])
show_grid(render_ws(G, broadcast_ws(G, samples.w[extremes.to(device)])), 8, "lowest (top row) and highest age scores")
plt.show()

# %% [markdown]
# ## 2. One linear boundary per attribute, in W and in Z
#
# `fit_boundaries` fits a `LinearBoundary` per factor with the authors' protocol
# (`train_boundary` in genforce/interfacegan): scikit-learn's `SVC(kernel="linear")` on the
# kept codes, each end split 70/30 on its own into training and validation codes. *Validation
# accuracy* is measured on the held-out codes from the two ends; *remaining accuracy* asks the
# same hyperplane to split all the middle codes at the mid-range score, (max + min) / 2, as the
# authors do. The same labels are fitted once on $w$ and once on $z$, so the two spaces are
# judged on the same validation codes, and their difference has a paired interval.

# %%
boundaries = {"W": fit_boundaries(samples.w, samples.scores, names, ratio=RATIO),
              "Z": fit_boundaries(samples.z, samples.scores, names, ratio=RATIO)}
n_val = len(boundaries["W"][names[0]].val_correct_)
print(f"{'attribute':12s} {'W: validation (95 % interval)':>30s} {'remaining':>10s}   {'Z: validation':>14s} "
      f"{'remaining':>10s}   W - Z on the same {n_val} codes")
differences = {}
for name in names:
    w_b, z_b = boundaries["W"][name], boundaries["Z"][name]
    acc = proportion_interval(int(w_b.val_correct_.sum()), n_val)
    differences[name] = compare("W", w_b.val_correct_, "Z", z_b.val_correct_)
    d = differences[name].difference
    print(f"{name:12s} {format(acc, '.3f'):>30s} {w_b.remaining_accuracy_:10.3f}   {z_b.val_accuracy_:14.3f} "
          f"{z_b.remaining_accuracy_:10.3f}   {d.value:+.3f} ({d.low:+.3f} to {d.high:+.3f})")
verdicts = [c.verdict for c in differences.values()]
mean_val = {space: np.mean([b.val_accuracy_ for b in fitted.values()]) for space, fitted in boundaries.items()}
print(f"\nmean validation accuracy: W {mean_val['W']:.3f}, Z {mean_val['Z']:.3f}. W separates better for "
      f"{verdicts.count('better')} of {len(names)} attributes, within noise for {verdicts.count('within noise')}, "
      f"worse for {verdicts.count('worse')}")
for space, fitted in boundaries.items():
    below = [n for n, b in fitted.items() if b.remaining_accuracy_ < b.val_accuracy_]
    print(f"{space}: remaining accuracy below validation accuracy for {len(below)} of {len(names)} attributes")

# %%
check(mean_val["W"] > mean_val["Z"] and verdicts.count("worse") == 0,
      "the same SVM on the same labels separates the attributes better in W than in Z")

# %% [markdown]
# The mapping network has made the attributes *more linear* in $W$ than in $Z$: the same SVM on
# the same labels separates them better (the lines above count for how many attributes the
# paired interval says so). Remaining accuracy is the harder test: a linear boundary describes
# the clear cases well and the middle roughly.
#
# Separating the clear ends is one test of linearity; a stricter one asks a linear model to
# *predict* every code's score. `linear_probe` fits a ridge regression from the codes to the
# predictor's scores on 1,500 of the samples and measures, on the other 500, the share of each
# factor's variance it explains ($R^2$: 1 = the factor is a linear function of the code).

# %%
probe = {space: linear_probe(getattr(samples, space.lower()), samples.scores) for space in ("W", "Z")}
print(f"{'factor':12s} {'R2 in W':>8s} {'R2 in Z':>8s}")
for j, name in enumerate(names):
    print(f"{name:12s} {probe['W'][0][j]:8.2f} {probe['Z'][0][j]:8.2f}")
linearity = compare("W", probe["W"][1].mean(1), "Z", probe["Z"][1].mean(1), higher_is_better=False)
print(f"held-out squared error of the probe (per factor variance, mean over factors): {linearity}")
check(linearity.verdict == "better", "a linear probe predicts the factors better from w than from z")

# %% [markdown]
# The mapping network's job, in the StyleGAN paper's words, is to "unwarp" $Z$: the factors are
# closer to linear functions of $w$ than of $z$ (the verdict above, with its interval, and the
# table per factor). A factor with a low $R^2$ in $W$ cannot have a clean linear edit there: no
# single direction follows it everywhere. Keep the table in mind when reading the re-scoring
# below.
#
# ## 3. Counterfactual verification: re-scoring
#
# Accuracy only says the boundary *correlates* with the attribute. To test causation, move
# codes along each normal and let the predictor score again. A step is measured in standard
# deviations of the codes along that normal (`std_steps`), so that attributes and spaces are
# compared fairly. We move 300 fresh codes (not the ones the SVM saw) 2 standard deviations
# along each boundary and record, for every code, the change of every factor. A boundary
# **passes** when its own attribute rises by at least 0.25 and by at least twice the largest
# change of any other factor (`reliable(..., min_effect=0.25, margin=2)`).
#
# 300 codes × 8 boundaries × 2 spaces are 5,000 renders, and the layer-wise edits of section 7
# another 15,000: most of this notebook's time on a laptop CPU. So they are read from a
# recording, `rescoring_study`, which `python -m gentut.recorded rescoring_study` made with the
# same calls on the same codes (`gentut/interpret/study.py`; loading it checks that none of the
# models has been retrained since). The first 30 codes are re-scored live, and must agree.

# %%
MIN_EFFECT, MARGIN, N_LIVE = 0.25, 2.0, 30
z_edit, w_edit = sample_latents(G, N_EDIT, generator)
steps = {space: std_steps(stack_normals(b), samples.w if space == "W" else samples.z) for space, b in boundaries.items()}
study = recorded.load("rescoring_study")
changes = {"W": study["changes/W"], "Z": study["changes/Z"]}     # (8 edits, 300 codes, 8 factors), recorded
live = {"W": direction_changes(G, predictor, w_edit[:N_LIVE], steps["W"], STRENGTH).cpu(),
        "Z": z_direction_changes(G, predictor, z_edit[:N_LIVE], steps["Z"], STRENGTH).cpu()}
gap = max((live[space] - changes[space][:, :N_LIVE]).abs().max().item() for space in live)
print(f"live re-scoring of the first {N_LIVE} codes minus the recorded one: at most {gap:.1e}")
check(gap < 0.01, "the live re-scoring reproduces the recording")
effects = {space: c.mean(1) for space, c in changes.items()}
passes = {space: reliable(e, range(len(names)), MIN_EFFECT, MARGIN) for space, e in effects.items()}


def rescoring_table(space):
    """Own change and largest side effect of each edit, with 95 % intervals over the edited codes."""
    side_index, _ = largest_side_effects(effects[space], range(len(names)))
    print(f"re-scoring in {space}: {int(passes[space].sum())} of {len(names)} boundaries pass")
    print(f"  {'edit':12s} {'own change (95 % interval)':>30s}   {'largest side effect':>36s}   verdict")
    for i, name in enumerate(names):
        own = mean_interval(changes[space][i, :, i])
        j = int(side_index[i])
        side = mean_interval(changes[space][i, :, j])
        verdict = "passes" if passes[space][i] else "FAILS"
        print(f"  {name:12s} {format(own, '+.2f'):>30s}   {names[j]:>11s} {format(side, '+.2f'):>24s}   {verdict}")


rescoring_table("W")
print()
rescoring_table("Z")

# %%
def show_matrix(ax, matrix, row_names, limit):
    """A (k, k) matrix as a red-blue picture with its values written in, columns named by `names`."""
    ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(matrix.numpy()):
        ax.text(j, i, f"{value:+.2f}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(names)), names, rotation=60, fontsize=8)
    ax.set_yticks(range(len(row_names)), row_names, fontsize=8)


fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), dpi=72)
for ax, (space, matrix) in zip(axes, effects.items()):
    show_matrix(ax, matrix, [f"{n} {'ok' if k else 'X'}" for n, k in zip(names, passes[space])], limit=0.5)
    ax.set(xlabel="factor read by the predictor", ylabel="edit along boundary", title=f"re-scoring in {space}")
plt.tight_layout()
plt.show()
purities = {space: purity(e)[1] for space, e in effects.items()}
print("mean purity (the share of an edit's total change that goes to its main factor): "
      + ", ".join(f"{space} {p.mean():.2f}" for space, p in purities.items()))
cleaner = passes["W"].sum() > passes["Z"].sum() and purities["W"].mean() > purities["Z"].mean()
print(f"W: {int(passes['W'].sum())} pass, purity {purities['W'].mean():.2f}; Z: {int(passes['Z'].sum())} pass, "
      f"purity {purities['Z'].mean():.2f} -> " + ("W's edits are cleaner, as in the paper" if cleaner else
                                                  "W's edits are not cleaner than Z's here, unlike the paper"))

# %%
for space in ("W", "Z"):
    passing = [name for name, ok in zip(names, passes[space]) if ok]
    failing = [name for name, ok in zip(names, passes[space]) if not ok]
    print(f"{space}: {len(passing)} of {len(names)} boundaries pass ({', '.join(passing) or 'none'}); "
          f"fail: {', '.join(failing) or 'none'}")

# %% [markdown]
# The lines above say which boundaries pass: those edits move their own attribute by at least a
# quarter of its range and at least twice as much as anything else they drag along. Read the
# failing rows too. An edit can fail by being weak (its own change is under 0.25 although it
# moves nothing else much) or by being entangled (its largest side effect is more than half its
# own change: the column names what it is tied to). Both can happen to a boundary that
# *separates* the codes well in section 2: accuracy measures correlation, re-scoring measures
# what the edit causes. Compare the $Z$ table: the same labels, the same protocol. The paper
# found W's edits cleaner than Z's; the last line under the matrices says whether they are here
# (counts and purity side by side) — on this generator, check before you repeat the paper.
#
# *Where this differs from the paper.* InterFaceGAN's edits on StyleGAN trained on CelebA-HQ
# move their attribute clearly. Here, on a 32x32 generator trained for 12,000 steps on a CPU,
# working edits took work (the next paragraph tells how), and the lines above say which edits
# still fail: a linear boundary in W can only be as untangled as the generator has made W.
#
# Is a side effect the generator's, or does the judge misread? On real renders the truth is
# known: move each true factor alone (0.2 to 0.8; eyeglasses off to on) on 300 held-out faces
# and let the predictor read all eight.

# %%
real_factors = load_split("faces", "val", n=300).factors
crosstalk = predictor_crosstalk(predictor, {name: real_factors[name] for name in names},
                                lambda f: render_faces(f, size=MODEL_SIZE).to(device))     # (8, 8)
read_along = crosstalk - torch.diag(crosstalk.diagonal())
moved, read = divmod(read_along.abs().argmax().item(), len(names))
print(f"own changes {crosstalk.diagonal().min():.2f} to {crosstalk.diagonal().max():.2f}; the largest change read "
      f"along with another factor: {names[read]} {read_along[moved, read]:+.3f} when {names[moved]} moves")
check(read_along.abs().max() < 0.05, "on real renders the predictor reads each factor alone (cross-talk under 0.05)")

# %% [markdown]
# *How this kit got here.* Earlier versions of `faces_stylegan` failed this test for some face
# factors, the first for all of them, and each cause was found by a measurement. The judge: the
# attribute predictor, trained only on crisp renders, misread the generator's softer pictures; it
# now trains on blurred and noisy renders too (`gentut/data/degrade.py`). The mapping network:
# StyleGAN trains it at 1/100 of the synthesis network's learning rate, a setting made for 25
# million training images. Over the few hundred thousand images of a CPU run it stayed almost where
# it started, a random non-linear function of $z$, and the smile had no working edit. The zoo's
# generator trains its mapping at 0.3 of the rate (`tests/test_zoo.py` checks that its weights
# moved); the $R^2$ table of section 2 measures what the mapping now does. The data: the renderer
# used to grey an old face's hair almost completely, and its hair palette ran black, brown, blond,
# then red, darker again, so no straight line in W could follow it. Old hair now greys half way and
# keeps its hue, and the palette gets lighter all the way along (`gentut/data/faces.py`;
# `tests/test_faces.py` checks both).
#
# And the generator's own ties. Even then, every training run *invented* correlations between
# factors that the training faces draw independently (smile with hair length, age with hair colour;
# each training seed its own), and the boundaries inherited them as side effects: in five training
# seeds, no run passed every edit it should on every refit, and which edit failed differed by seed.
# So the zoo's generator trains with a **tie penalty** (`train_gan(tie_weight=1)` in
# `gentut/recipes.py`): every second generator step, the predictor reads 32 fresh samples, and the
# squared gaps between the correlations of those readings and of 5,000 training faces' readings are
# added to the generator's loss. Be clear about what that means. The generator was trained against
# the *same* predictor that judges its edits here, so it could have learnt to please this judge
# rather than to draw untangled faces. The screen that chose it
# (`benchmarks/faces_generator_screen.py`, whose docstring holds every figure of this paragraph)
# therefore also judged it with a second predictor, trained the same way at twice the width from
# another seed, which the generator never saw: the same edits pass there (all seven but eyeglasses
# on 3 of 5 fits of 2,000 samples and on both fits of 10,000; background fails on the other two),
# and the ties stay gone (mean gap 0.020). The penalty has costs, measured there too: the Fréchet
# distance rose from 1.32 to 2.33 in this predictor's features (4.64 against 2.36 in the second
# predictor's; the README has the spread over sample seeds), and the recipe is not robust over
# training seeds: of two seeds, one (seed 1, shipped) meets the bar; in the other the age edit
# weakened late in training and projecting age out of the eyeglasses edit removed only a third of
# its ageing. Section 6 measures the ties this generator still has, and gives the eyeglasses edit
# its fair test, with age projected out.
#
# ## 4. One slider per attribute
#
# An edit can only show on a face that has room for it: glasses cannot be added to a face that
# wears them. Nor need the most extreme face show much: the sampled face the predictor reads
# lowest on an attribute lies at the edge of what the generator draws (the lines under the
# figure compare where +3 takes it and the face shown). So each sweep starts from a face with room to move but still
# typical, the sampled face at the 25th percentile of the predictor's score on that attribute
# (`room_face`; its score is printed), and moves it from strength -3 to +3 (standard deviations).

# %%
EDITS = {"age": "older", "eyeglasses": "add glasses", "smile": "smile", "yaw": "turn right"}


def room_face(j, quantile=0.25):
    """Index of the sampled code at `quantile` of the predictor's score on factor j."""
    order = samples.scores[:, j].argsort(stable=True)
    return int(order[int(quantile * (len(order) - 1))])


strengths = torch.linspace(-3, 3, 7)
fig, axes = plt.subplots(len(EDITS), 1, figsize=(7, 1.3 * len(EDITS)), dpi=72)
for ax, (name, label) in zip(axes, EDITS.items()):
    j = names.index(name)
    start = room_face(j)
    face = broadcast_ws(G, samples.w[start:start + 1]).expand(len(strengths), -1, -1)
    show_grid(render_ws(G, edit_ws(face, steps["W"][j], strengths.to(device))), len(strengths),
         f"{label}: strength -3 ... +3 (this face's {name} score: {samples.scores[start, j]:.2f})", ax)
plt.tight_layout()
plt.show()
for name in EDITS:
    j = names.index(name)
    codes = samples.w[[int(samples.scores[:, j].argmin()), room_face(j)]]
    moved = predictor.predict(render_ws(G, edit_ws(broadcast_ws(G, codes), steps["W"][j], 3.0)))[:, j].cpu()
    print(f"{name:10s} at +3: the lowest-scoring face reads {moved[0]:.2f} "
          f"(from {samples.scores[:, j].min():.2f}), the 25th-percentile face {moved[1]:.2f}")

# %% [markdown]
# Now drag them yourself, on four faces that are young, without glasses and not smiling (the
# sampled codes the predictor reads lowest on the three together). Which sliders change only
# what they say?

# %%
room = samples.scores[:, [names.index(n) for n in ("age", "eyeglasses", "smile")]].sum(1)
attribute_panel(G, {name: steps["W"][names.index(name)] for name in EDITS}, labels=EDITS,
                codes=samples.w[room.argsort()[:4].to(device)])

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
real_faces = make_faces(5000, seed=11, size=32)
real_factors = torch.stack([real_faces.factors[n] for n in names], 1)
real_r = torch.corrcoef(real_factors.T)
for space, matrix in cosines.items():
    i, j = divmod(int((matrix * off_diagonal).abs().argmax()), len(names))
    print(f"{space}: mean |cos| off the diagonal {matrix[off_diagonal].abs().mean():.3f}; largest: "
          f"{names[i]}-{names[j]} {matrix[i, j]:+.2f} (correlation of these factors in the training faces "
          f"{real_r[i, j]:+.2f}); age-eyeglasses {matrix[age, glasses]:+.2f}")
print(f"correlation of age and eyeglasses: training faces {real_r[age, glasses]:+.2f}, "
      f"the generator's samples as the predictor reads them {torch.corrcoef(samples.scores[:, [age, glasses]].T)[0, 1]:+.2f}")
generated_r = correlation_interval(samples.scores[:, age], samples.scores[:, glasses])
print(f"the generator's correlation {generated_r:+.2f}: "
      + ("amplified" if generated_r.low > real_r[age, glasses] else "not amplified") + " against the training faces'")

# %% [markdown]
# Age and eyeglasses, the pair the training data correlates on purpose, lean towards each other:
# the generator learnt the correlation, and the boundaries inherit it. Compare the two
# correlations on the last line: a generator can *amplify* a correlation of its training data,
# not only copy it (the line under this cell says which happened here). A positive cosine means an
# edit along one normal also crosses the other boundary. The next section measures by how much,
# and removes it.
#
# ## 6. Conditional manipulation: eyeglasses without ageing
#
# The training faces were drawn with $P(\text{glasses} \mid \text{age}) = 0.1 + 0.7\,\text{age}$.
# InterFaceGAN's remedy for the correlation: to edit attribute 1 while keeping attribute 2, move
# along $n_1 - (n_1^\top n_2)\, n_2$ (normalised), the part of $n_1$ orthogonal to $n_2$
# (`project_out`). Every code then keeps its distance to the age boundary. First, is a side
# effect the predictor's fault? On real faces, where the truth is known, its age error with and
# without glasses:

# %%
real = load_split("faces", "val", n=500)
error = predictor.predict(real.images.to(device)).cpu()[:, age] - real.factors["age"].cpu()
with_glasses = real.factors["eyeglasses"].cpu() > 0.5
errors = {"with glasses": mean_interval(error[with_glasses]), "without": mean_interval(error[~with_glasses])}
for label, e in errors.items():
    print(f"mean age error of the predictor, faces {label}: {e:+.3f}")
check(all(abs(e.value) < 0.02 for e in errors.values()), "glasses do not fool the predictor's age")

# %% [markdown]
# Glasses do not fool the predictor's age (both mean errors are within 0.02 of zero), so an
# age change it reports is in the generated images. Now the edits: 300 codes move 2 standard
# deviations along the plain eyeglasses normal, and the same distance along the normal with age
# projected out.

# %%
plain = steps["W"][glasses]
conditional = project_out(plain, stack_normals(boundaries["W"])[age]) * plain.norm()
paired = direction_changes(G, predictor, w_edit, torch.stack([plain, conditional]), STRENGTH).cpu()   # (2, 300, 8)
rows = torch.stack([paired[0, :, glasses], paired[0, :, age], paired[1, :, glasses], paired[1, :, age]], 1)
for label, k in (("plain normal", 0), ("age projected out", 1)):
    print(f"{label:18s}: eyeglasses {mean_interval(paired[k, :, glasses]):+.3f}   "
          f"age {mean_interval(paired[k, :, age]):+.3f}")
removed = bootstrap(rows, lambda x: 1 - x[..., 3].mean(1) / x[..., 1].mean(1))
print(f"projection removes {removed:.0%} of the ageing")
glasses_change = compare("age projected out", paired[1, :, glasses], "plain normal", paired[0, :, glasses])
print(f"eyeglasses change: {glasses_change}")
plain_mostly_ages = paired[0, :, age].mean() > paired[0, :, glasses].mean()
print("the plain 'eyeglasses' normal moves age " + ("more" if plain_mostly_ages else "less") + " than eyeglasses")
conditional_effects = paired[1].mean(0, keepdim=True)                     # (1, 8): section 3's test on it
conditional_passes = bool(reliable(conditional_effects, [glasses], MIN_EFFECT, MARGIN)[0])
side_index, side_change = largest_side_effects(conditional_effects, [glasses])
print(f"re-scoring the conditional edit: eyeglasses {conditional_effects[0, glasses]:+.2f}, largest side effect "
      f"{names[int(side_index[0])]} {side_change[0]:+.2f} -> {'passes' if conditional_passes else 'FAILS'}")

# %%
check(paired[0, :, age].mean() > 0.05, "the plain eyeglasses edit drags age along")
check(removed.value >= 0.5 and paired[1, :, glasses].mean() >= 0.8 * paired[0, :, glasses].mean(),
      "projecting age out removes at least half of the ageing and keeps at least 80 % of the eyeglasses change")

# %% [markdown]
# * The plain eyeglasses edit drags age along: the correlation the training data has on purpose,
#   learnt by the generator, shows up as a side effect of the edit.
# * With age projected out, at least half of the ageing is gone while at least 80 % of the
#   eyeglasses change stays (the measured share and the comparison are printed above). The
#   conditional edit then faces section 3's test, and the line above gives its verdict: the fair
#   test of the eyeglasses direction, since the plain one is *meant* to drag age along. (Had the
#   plain normal moved age more than eyeglasses, the SVM would mostly have found the age it is
#   correlated with; the line above also says which way round it is here.)
# * Projection keeps each code's distance to the age *boundary*, a linear model. Nothing
#   guarantees that this removes all of the predictor's age change (the predictor may react to
#   more than that one direction); how much it removes here is the share printed above.
#
# The same face — one the predictor reads without glasses — edited along the plain eyeglasses
# normal (top) and with age projected out (bottom):

# %%
start = room_face(glasses)
face = broadcast_ws(G, samples.w[start:start + 1]).expand(len(strengths), -1, -1)
pair_rows = [edit_ws(face, direction, strengths.to(device)) for direction in (plain, conditional)]
show_grid(render_ws(G, torch.cat(pair_rows)), len(strengths), "add glasses: plain (top) vs age projected out (bottom), -3 ... +3")
plt.show()

# %% [markdown]
# The same remedy works for any side effect, not only the one the data has on purpose. For every
# other edit that failed section 3's test (on this generator, the line below says whether there
# is one), project out the normal of the factor it drags along most (the side-effect column of
# section 3) and re-score the 300 codes:

# %%
projected = side_effect_projected(steps["W"], stack_normals(boundaries["W"]), effects["W"])   # (8, 64)
side_of, _ = largest_side_effects(effects["W"], range(len(names)))
rescued = {}
for i, name in enumerate(names):
    if passes["W"][i] or i == glasses:
        continue
    j = int(side_of[i])
    change = direction_changes(G, predictor, w_edit, projected[i:i + 1], STRENGTH).cpu()[0]    # (300, 8)
    mean_change = change.mean(0, keepdim=True)                                                # (1, 8)
    ok = bool(reliable(mean_change, [i], MIN_EFFECT, MARGIN)[0])
    k, side = (t[0] for t in largest_side_effects(mean_change, [i]))
    rescued[name] = ok
    print(f"{name:11s} {names[j]} projected out: own {mean_interval(change[:, i]):+.2f} (plain "
          f"{effects['W'][i, i]:+.2f}); {names[j]} {change[:, j].mean():+.2f} (plain {effects['W'][i, j]:+.2f}); "
          f"largest side effect now {names[int(k)]} {side:+.2f} -> {'passes' if ok else 'FAILS'}")
if not rescued:
    print("no plain edit but eyeglasses failed section 3's test: nothing else to project")
plain_ok = [name for i, name in enumerate(names) if passes["W"][i]]
conditional_ok = [name for name, ok in rescued.items() if ok] + (["eyeglasses"] if conditional_passes else [])
print(f"face factors with an edit in W that passes re-scoring: {len(plain_ok) + len(conditional_ok)} of "
      f"{len(names)} (plain normal: {len(plain_ok)}, {', '.join(plain_ok) or 'none'}; with a side effect "
      f"projected out: {len(conditional_ok)}, {', '.join(conditional_ok) or 'none'})")

# %% [markdown]
# Read these lines against section 3. The eyeglasses edit needs the projection because the
# *data* ties glasses to age; any other edit listed here needs it because the *generator* ties two
# factors the data draws independently — the remedy is the same, but here it patches a flaw of
# the model rather than a fact of the world. And a projection keeps each code's distance to one
# linear boundary, not the factor itself: the lines print how much of the side effect is left,
# and the largest side effect after the projection can belong to a third factor.

# %% [markdown]
# Which factors does the generator tie together? Read the 2,000 generated faces of section 2 and
# 5,000 training faces with the same predictor, and correlate the readings of each pair of
# factors. A pair that the training faces draw independently, but the generated faces correlate,
# is a tie the generator invented, and a boundary fitted on generated faces can inherit it as a
# side effect. This generator was trained to keep these correlations as they are in the data (the
# tie penalty of section 3), so here is how well that worked: the largest gaps between the two
# correlations, with intervals, and the mean over all 28 pairs. Then, for each plain edit that
# failed section 3's test (eyeglasses aside: its tie is in the data), its own factor against the
# factor it drags along.

# %%
real_read = predictor.predict(real_faces.images.to(device)).cpu()         # (5000, 8): the same reader for both


def read_correlation(read, i, j):
    return correlation_interval(read[:, i], read[:, j])


gap = invented_ties(samples.scores, real_read)                              # (8, 8), above the diagonal
upper = torch.ones_like(gap, dtype=torch.bool).triu(1)
print(f"mean |gap| over the {int(upper.sum())} pairs: {gap[upper].abs().mean():.3f}; the largest:")
largest_first = gap.abs().flatten().argsort(descending=True)                  # (64,) pair indices
for k in largest_first[:3].tolist():
    i, j = divmod(k, len(names))
    print(f"  {names[i]}-{names[j]}: generated faces {read_correlation(samples.scores, i, j):+.2f}, "
          f"training faces {read_correlation(real_read, i, j):+.2f}")
tied = divmod(int(largest_first[0]), len(names))
failing = [i for i in range(len(names)) if not passes["W"][i] and i != glasses]
invented = {}
for i in failing:
    j = int(side_of[i])
    generated, training = read_correlation(samples.scores, i, j), read_correlation(real_read, i, j)
    invented[names[i]] = (generated.low > training.high or generated.high < training.low) \
        and np.sign(generated.value) == np.sign(effects["W"][i, j].item())
    print(f"{names[i]:11s} drags {names[j]} {effects['W'][i, j]:+.2f}; correlation of the two readings: "
          f"generated faces {generated:+.2f}, training faces {training:+.2f}")
print(f"plain edits that fail besides eyeglasses: {len(failing)}")
check(gap[upper].abs().mean() < 0.05, "the generated faces keep the training faces' correlations: the mean gap "
      "over the 28 pairs is under 0.05")
check({names[k] for k in tied} == {"eyeglasses", "age"}, "the largest gap left is between eyeglasses and age, "
      "the pair the data ties on purpose")
check(all(invented.values()), "each plain edit that fails here (eyeglasses aside) drags along a factor that the "
      "generated faces correlate with its own, with the side effect's sign, and the training faces do not")

# %% [markdown]
# The generated faces keep the training faces' correlations: the mean gap over the 28 pairs is
# under 0.05 (checked), and the largest gap left is between eyeglasses and age, the pair the data
# ties on purpose (checked; the generator amplifies it a little, as section 5 measured). That is
# the tie penalty at work, and why every plain edit but eyeglasses passes here. Had an edit
# failed, the last check asks whether it dragged along a factor that the generated faces
# correlate with its own, with the side effect's sign, while the training faces do not: then the
# generator invented the tie and the boundary inherited it. That is what happened to every edit
# that failed on the previous `faces_stylegan`, trained without the penalty (this check passed on
# it; `benchmarks/faces_generator_screen.py` lists such ties, as large as -0.55 where the data has
# -0.01). Invented ties are also a cheap screen for a retrained generator: they take seconds to
# measure, where re-scoring takes minutes.

# %% [markdown]
# Every verdict so far rests on one fit: one draw of 2,000 scored samples, 200 codes at each end.
# Fit again on another draw and the normals move a little, and a verdict near the line can flip.
# The recorded study refitted the boundaries on 4 more draws of 2,000 fresh samples and re-scored
# the same 300 codes, plain and with each edit's largest side effect projected out. How many of
# the 5 fits pass, per factor:

# %%
draws = {kind: study[f"draws/{kind}"] for kind in ("plain", "projected")}      # (5 fits, 8 edits, 8 factors)
draw_gap = (draws["plain"][0] - effects["W"]).abs().max().item()
print(f"fit 0 is this notebook's: its recorded plain changes differ from section 3's by at most {draw_gap:.1e}")
check(draw_gap < 0.01, "the study's first fit is the notebook's")
verdict_of = {kind: torch.stack([reliable(e, range(len(names)), MIN_EFFECT, MARGIN) for e in d])   # (5, 8) bool
              for kind, d in draws.items()}
either = verdict_of["plain"] | verdict_of["projected"]
print(f"{'factor':12s} {'plain':>7s} {'projected':>9s} {'either':>7s}   own change (plain), lowest to highest fit")
for i, name in enumerate(names):
    own = draws["plain"][:, i, i]
    print(f"{name:12s} {int(verdict_of['plain'][:, i].sum()):3d} of {N_DRAWS} "
          f"{int(verdict_of['projected'][:, i].sum()):5d} of {N_DRAWS} {int(either[:, i].sum()):3d} of {N_DRAWS}"
          f"   {own.min():+.2f} to {own.max():+.2f}")
per_fit = either.sum(1).tolist()
print(f"face factors with a passing edit (plain or projected), per fit: {per_fit}")
robust = [name for i, name in enumerate(names) if either[:, i].all()]
print(f"factors with a passing edit on every one of the {N_DRAWS} fits: {len(robust)} of {len(names)} "
      f"({', '.join(robust) or 'none'})")

check(len(robust) == len(names), "every face factor has a passing edit on every one of the 5 fits")

# %% [markdown]
# Every face factor has a passing edit on every one of the 5 fits (checked), eyeglasses with age
# projected out. That is not a given: an edit whose side effect sits near half its own change passes
# on a lucky draw and fails on the next, so a count of passing edits from one fit — this notebook's
# included — is itself a sample. The kit's earlier generators passed a different number of plain
# edits from one fit to the next (4 to 7 of 8; `benchmarks/faces_generator_screen.py`). The robust
# statement is the last line: the factors whose edit passes on every fit.
#
# InterFaceGAN fitted on 500,000 samples. Does more data settle the verdicts? The recorded study
# also fitted the boundaries 5 times on 25,000 fresh samples each (2,500 codes at each end, a
# 20th of the paper's) and re-scored the same 300 codes along the plain normals:

# %%
large = study["large/plain"]                                                   # (5 fits, 8 edits, 8 factors)
large_verdicts = torch.stack([reliable(e, range(len(names)), MIN_EFFECT, MARGIN) for e in large])   # (5, 8)
print(f"plain edits passing, out of {N_DRAWS} fits on {N_SAMPLES:,} and on {N_LARGE:,} samples each")
print(f"{'factor':12s} {N_SAMPLES:>7,} {N_LARGE:>7,}   on {N_LARGE:,}: own change / largest side effect (mean of fits)")
large_side_of, large_side = largest_side_effects(large.mean(0), range(len(names)))
for i, name in enumerate(names):
    print(f"{name:12s} {int(verdict_of['plain'][:, i].sum()):4d}    {int(large_verdicts[:, i].sum()):4d}      "
          f"{large[:, i, i].mean():+.2f} / {names[int(large_side_of[i])]} {large_side[i]:+.2f}")
unanimous = {n: int(((v.all(0)) | (~v).all(0)).sum()) for n, v in
             ((N_SAMPLES, verdict_of["plain"]), (N_LARGE, large_verdicts))}
always_fails = [name for i, name in enumerate(names) if not large_verdicts[:, i].any()]
print(f"factors whose verdict is the same on all {N_DRAWS} fits: {unanimous[N_SAMPLES]} of {len(names)} with "
      f"{N_SAMPLES:,} samples, {unanimous[N_LARGE]} of {len(names)} with {N_LARGE:,}")
print(f"plain edits passing per fit on {N_LARGE:,} samples: {large_verdicts.sum(1).tolist()}; failing on every fit: "
      f"{', '.join(always_fails) or 'none'}")
for name in always_fails:
    i, j = names.index(name), int(large_side_of[names.index(name)])
    print(f"{name}: own change {draws['plain'][:, i, i].mean():+.2f} -> {large[:, i, i].mean():+.2f}, {names[j]} "
          f"{draws['plain'][:, i, j].mean():+.2f} -> {large[:, i, j].mean():+.2f} (mean of fits on "
          f"{N_SAMPLES:,} -> {N_LARGE:,} samples)")
others_pass = all(bool(large_verdicts[:, i].all()) for i in range(len(names)) if i != glasses)
ratio = large[:, glasses, age] / large[:, glasses, glasses]                   # (5,): age drag per unit of glasses
print(f"plain eyeglasses edit on {N_LARGE:,} samples: age moves {ratio.min():.2f} to {ratio.max():.2f} times as "
      f"much as eyeglasses (the test allows 0.50)")
check(others_pass, "every plain edit but eyeglasses passes on every fit of 25,000 samples")
check(large_verdicts[:, glasses].any() and not large_verdicts[:, glasses].all() and ratio.min() < 0.5 < ratio.max(),
      "the plain eyeglasses edit passes on some large fits and fails on others: from fit to fit its age drag "
      "falls on either side of half its own change")

# %% [markdown]
# With 25,000 samples per fit every plain edit but eyeglasses still passes on every fit (checked).
# The plain eyeglasses edit sits on the line: it passes on some large fits and fails on others,
# because from fit to fit its age drag falls on either side of half its own change (checked; the
# ratios are printed), and with 2,000 samples it fails on all five. That is the data's glasses–age
# correlation, meant to be there: a larger fit can draw the normal a little further from age, but no
# amount of fitting data removes a tie that the faces themselves have. Section 6's projection does.
# Compare the earlier generators: there, more samples per fit steadied the verdicts but some plain
# edit still failed on every large fit, a side effect the linear direction in W carried along and
# that more fitting data did not remove.

# %% [markdown]
# ## 7. Layer-wise edits: the semantic hierarchy (HiGAN)
#
# In $W^+$ each layer reads its own copy of $w$, so an edit can be applied to some layers only
# (`edit_ws(..., layers=...)`). HiGAN found that a scene generator organises itself: early layers
# decide layout, middle layers the objects, late layers lighting and colour. We measure it on the
# kit's `scenes_stylegan`, with boundaries from `scenes_predictor` (daylight, lamps, clouds,
# greenery, horizon, house position), applying each normal (1 standard deviation) to the early
# (layers 0-2: 4x4 and 8x8), middle (3-4: 16x16) or late (5-6: 32x32) layers only. `own_effects`
# keeps, for each boundary, the change of the factor it was fitted for; the share is that of the
# early layers in the sum of the three ranges.

# %%
scene_G = zoo.load("scenes_stylegan", device=device)
scene_predictor = zoo.load("scenes_predictor", device=device)
scene_names = [factor.name for factor in SCENE_FACTORS]
scenes = score_samples(scene_G, scene_predictor, N_SCENE_SAMPLES, generator)
scene_boundaries = fit_boundaries(scenes.w, scenes.scores, scene_names, ratio=RATIO)
print("validation accuracy:", {n: round(b.val_accuracy_, 3) for n, b in scene_boundaries.items()})

# %%
ranges = rescoring_ranges(scene_G.num_ws)                   # early 0-2, middle 3-4, late 5-6, all 0-6
scene_steps = std_steps(stack_normals(scene_boundaries), scenes.w)
_, scene_codes = sample_latents(scene_G, N_LAYER, generator)
scene_changes = study["layers/scenes"]                        # (6 boundaries, 4 ranges, 150 codes, 6 factors), recorded
live_scenes = layer_range_changes(scene_G, scene_predictor, scene_codes[:10], scene_steps, LAYER_STRENGTH, ranges)
scene_gap = (live_scenes - scene_changes[:, :, :10]).abs().max().item()
print(f"live layer-wise edits of the first 10 codes minus the recorded ones: at most {scene_gap:.1e}")
check(scene_gap < 0.01, "the live layer-wise edits reproduce the recording")
scene_own = own_effects(scene_changes.mean(2))


def hierarchy_table(own, names):
    """Each boundary's effect on its own factor per layer range, the sum of the three, the early share."""
    print(f"{'boundary':12s}" + "".join(f"{r:>12s}" for r in ranges) + f"{'sum of 3':>10s}{'early share':>12s}")
    for name, row in zip(names, own):
        print(f"{name:12s}" + "".join(f"{v:+12.2f}" for v in row) + f"{row[:3].sum():+10.2f}"
              f"{row[0] / row[:3].sum():12.0%}")


def early_share(own, names, name):
    row = own[names.index(name)]
    return (row[0] / row[:3].sum()).item()


hierarchy_table(scene_own, scene_names)

# %%
for factor in ("horizon", "house_x"):
    check(early_share(scene_own, scene_names, factor) > 0.8, f"the layout ({factor}) is decided in the early layers")
lamps = scene_own[scene_names.index("lamps_on")]
check(lamps[0] < lamps[1:3].sum(), "the lamps' light comes from the middle and late layers, not the early ones")

# %% [markdown]
# Layout lives in the early layers: the horizon and the house's position do more than 80 % of
# their work in layers 0-2 alone (the shares are in the table). The lamps are HiGAN's point in
# small: their light comes from the middle and late layers, not the early ones. Where the kit
# differs from HiGAN, the table says so too: in a 32x32 generator the sky's colour is set at 4x4
# and 8x8, so daylight is decided early, not late as in the paper's 256x256 scenes; read the
# greenery and cloudiness rows the same way before you trust a story about them.
#
# The same measurement on the faces: pose (yaw) against hair colour, skin tone and background.

# %%
face_changes = study["layers/faces"]                          # (8, 4, 150, 8), recorded
live_faces = layer_range_changes(G, predictor, w_edit[:10], steps["W"], LAYER_STRENGTH, ranges)
check((live_faces - face_changes[:, :, :10]).abs().max() < 0.01, "the live layer-wise face edits reproduce the recording")
face_own = own_effects(face_changes.mean(2))
hierarchy_table(face_own, names)
check(early_share(face_own, names, "yaw") > 0.7, "the head's pose (yaw) is decided in the early layers")
fig, axes = plt.subplots(1, 2, figsize=(13, 3.6), dpi=72)
for ax, (own, labels, title) in zip(axes, ((scene_own, scene_names, "scenes"), (face_own, names, "faces"))):
    x = np.arange(len(labels))
    for r, label in enumerate(list(ranges)[:3]):
        ax.bar(x + (r - 1) * 0.27, own[:, r], width=0.27, label=label)
    ax.set_xticks(x, labels, rotation=45, fontsize=8)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set(ylabel="change of its own factor", title=f"{title}: each boundary on one layer range (1 std)")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# In the faces, pose is decided early, like the scenes' layout. The colour factors are a
# tendency, not a law: read their early shares in the table — some colours are set at 4x4 and
# 8x8 already, and a 32x32 generator has only four resolutions (4, 8, 16, 32) where HiGAN's
# 256x256 ones have seven.
#
# One scene and one face, edited on each layer range alone (rows: as drawn, early, middle, late;
# columns: the direction, at 2 standard deviations):

# %%
def layer_rows(G_, codes, directions, strength):
    """(4 * k) images: for each direction, the code as drawn and edited on each layer range."""
    ws = broadcast_ws(G_, codes)
    images = []
    for direction in directions:
        images.append(ws)
        images += [edit_ws(ws, direction, strength, layers) for layers in list(ranges.values())[:3]]
    return render_ws(G_, torch.cat(images)).view(len(directions), 4, 3, 32, 32).transpose(0, 1).flatten(0, 1)


fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), dpi=72)
scene_pick = [scene_names.index(n) for n in ("horizon", "house_x", "daylight", "lamps_on")]
face_pick = [names.index(n) for n in ("yaw", "hair_color", "skin_tone", "background")]
show_grid(layer_rows(scene_G, scene_codes[:1], scene_steps[scene_pick], 2.0), len(scene_pick),
     "scenes: horizon, house x, daylight, lamps", axes[0])
show_grid(layer_rows(G, w_edit[:1], steps["W"][face_pick], 2.0), len(face_pick), "faces: yaw, hair colour, skin, background",
     axes[1])
plt.show()

# %% [markdown]
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
# 1. A boundary can separate held-out codes well and still fail re-scoring (look for the
#    attributes where that happens in $Z$). What does the accuracy of a linear classifier on
#    pseudo-labels prove, and what does it not?
# 2. `project_out` keeps the distance to one linear boundary. Why does that not guarantee the
#    predictor's age score stays put? How would you edit eyeglasses while keeping age *and* skin
#    tone (it accepts several conditions)?
# 3. This kit's first generator failed re-scoring because the predictor misread its blurry
#    samples. Design a check that tells a predictor's mistake from a generator's entanglement,
#    using only the procedural renderer (hint: you can render any factors you like).
# 4. The layer ranges here follow the resolutions (4-8, 16, 32). Design a measurement that finds,
#    for one attribute, the smallest set of layers giving 90 % of the all-layer edit.
# 5. The face generator trained against the predictor that judges its edits (section 3). What
#    could a generator learn that pleases this judge without drawing untangled faces, and which
#    measurement with a second, independent reader would expose it?
