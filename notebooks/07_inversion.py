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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/07_inversion.ipynb)
#
# # 07 — Inversion: how do I edit my own photo?
#
# Notebooks 05 and 06 edit faces the generator *drew*: sample a code, move it along a direction.
# A photo has no code. GAN inversion finds one — a code $w^*$ with $G(w^*) \approx x$ — and then
# every edit of the course applies to the photo. In this notebook you will measure, on 20 faces the
# generator never saw (the held-out test split), on 20 faces it drew itself, and on two pictures
# that are not faces at all:
# * **optimisation** into $Z$, $W$ and $W^+$ (Image2StyleGAN), and its sensitivity to the start;
# * a **learned encoder** (one forward pass) and the **hybrid, in-domain** method (encoder start +
#   the domain regulariser $\|w - E(G(w))\|^2$), and **pivotal tuning** (PTI), which tunes the
#   generator around the inverted code;
# * one table with the **distortion** (PSNR, feature distance), the **time**, and the
#   **editability** of every method's codes: does an InterFaceGAN edit still do what it should?
# * the generator as an **image prior**: inpainting, colorization and super-resolution, against
#   simple baselines, and semantic diffusion (blending a pasted region into a face);
# * how to bring in **any image of your own**.

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
from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import load_split
from gentut.evidence import check, compare, mean_interval
from gentut.invert.editability import edit_towards_other_side
from gentut.invert.encoder import encode_ws
from gentut.invert.images import to_model_image
from gentut.invert.indomain import semantic_diffusion
from gentut.invert.optimize import invert
from gentut.invert.prior import box_mask
from gentut.invert.pti import pivotal_tuning
from gentut.invert.report import format_table
from gentut.invert.study import (EDITS, FEATURE_WEIGHT, LEARNING_RATES, METHODS, N_FACES, PTI_STEPS, STEPS, STRENGTH,
                                 edit_directions, invert_lambdas, invert_spaces, restoration_tasks, restore_faces,
                                 spare_faces, study_faces, study_table, z_starts)
from gentut.metrics import psnr
from gentut.runtime import setup
from gentut.widgets.inversion import edit_panel, regularizer_panel, steps_panel
from gentut.widgets.render import image_grid

device, generator = setup(seed=0)

# %% [markdown]
# ## 1. Photos the generator has never seen, and faces it drew itself
#
# The zoo's style generator learnt the training split of the procedural faces; the **test split**
# plays "my own photos": same kind of face, but no code was ever made for them. We invert 20 of
# them, and 20 faces the generator *drew* from fresh codes — for these a perfect code exists, so
# any distortion is the method's fault. Two more pictures are *not* faces at all: a scene from the
# other dataset and a drawing made right here as an RGBA array of the wrong size, which
# `to_model_image` turns into the generator's format like any upload (section 9 shows what it
# accepts).
#
# **Recorded and live.** Every method on all 40 faces takes about two minutes on a laptop CPU —
# too long for a notebook. So the comparisons below read a *recording*: `python -m gentut.recorded
# inversion_study` ran the functions of `gentut.invert.study` on the 40 faces with the zoo's
# models, and `recorded.load` refuses it if any of those models has been retrained since. This
# notebook runs the same functions live on 8 of the pictures (4 real faces, 2 generated ones, the
# scene and the drawing) for the pictures and sliders, and checks that its live numbers for
# those faces are the recorded ones. Each table reports means over the 20 faces of a kind with a
# 95 % interval, and compares methods face by face.

# %%
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
E = zoo.load("faces_encoder", device=device)
study = recorded.load("inversion_study")
names = [f.name for f in FACE_FACTORS]

N = N_FACES                                                   # 20 of each kind
faces = study_faces(G)                                        # (40, 3, 32, 32): 20 real test faces, 20 generated
real_faces, drawn_faces = faces[:N], faces[N:]
spare = spare_faces(device)                                   # 20 more test faces, for restoration (section 8)
scene = load_split("scenes", "test", n=1).images.to(device)

drawing = np.zeros((48, 64, 4), np.uint8)                    # RGBA, 48 x 64: a "user upload"
drawing[..., :3] = (70, 130, 220)                            # blue sky ...
drawing[..., 3] = 255
rows, cols = np.mgrid[:48, :64]
drawing[(rows - 16) ** 2 + (cols - 40) ** 2 < 64, :3] = (250, 210, 40)     # ... a yellow sun
drawing[28:44, 14:34, :3] = (200, 40, 40)                                  # ... a red house
drawing[:, :8, 3] = 0                                                      # a transparent strip
shape = to_model_image(drawing).to(device)

targets = torch.cat([faces, scene, shape])                    # (42, 3, 32, 32), the last two out of domain
GROUPS = {"real": slice(0, N), "generated": slice(N, 2 * N)}
LIVE = [0, 1, 2, 3, N, N + 1, 2 * N, 2 * N + 1]               # what runs live: 4 real, 2 generated, scene, drawing
live_targets = targets[LIVE]

# %%
# NBVAL_CHECK_OUTPUT
print("targets:", tuple(targets.shape), "| real test faces:", N, "| generated faces:", N, "| out of domain: scene, drawing")
print("encoder:", type(E).__name__, "w_dim", E.w_dim, "| generator layers (W+):", G.num_ws)
print("recorded on all 40 faces:", len(study), "tensors | live here:", len(LIVE), "pictures")

# %%
fig, ax = plt.subplots(figsize=(10, 2.4), dpi=72)
ax.imshow(image_grid(torch.cat([targets[:10], targets[N:N + 10], targets[-2:]]).cpu(), nrow=11))
ax.set_axis_off()
ax.set_title("10 of the held-out faces, 10 of the generated faces, then the scene and the drawing", fontsize=9)
plt.show()

# %% [markdown]
# ## 2. The edits we will want: InterFaceGAN boundaries
#
# Editability needs edits. As in notebook 05: sample 2,000 codes, let the predictor score their
# images, fit one linear SVM per attribute in $W$, and scale each normal so that strength 1 moves
# a code by one standard deviation of the sampled codes (`edit_directions`). We will use *smile*,
# *eyeglasses* and *age*.

# %%
directions, boundaries = edit_directions(G, predictor)
print("held-out SVM accuracy:", {a: round(boundaries[a].val_accuracy_, 2) for a in EDITS})

# %% [markdown]
# ## 3. Optimisation-based inversion into Z, W and W+
#
# Image2StyleGAN's recipe: start somewhere, and let Adam move the code to lower
#
# $$L(w) = \|G(w) - x\|^2 + \lambda_F \|F(G(w)) - F(x)\|^2,$$
#
# where $F$ is a "perceptual" network — here the kit's attribute predictor's features
# (`predictor.features`, 64 numbers per image), with $\lambda_F = 0.02$. We search in three spaces:
# $z$ (64 numbers, through the mapping network), $w$ (64 numbers, the same at every layer) and
# $w^+$ (one $w$ per layer: 7 × 64 numbers), for 100 steps. $W$ and $W^+$ start at the average
# code `w_avg`, $Z$ at a random $z$ drawn once per face (`z_starts`). Live: the 8 pictures, as
# one batch per space.

# %%
SPACE_NAMES = {"z": "Z", "w": "W", "w+": "W+"}
z_init = z_starts(G, len(targets))[LIVE]                      # each face keeps the start it had in the recording
runs = {SPACE_NAMES[k]: run for k, run in invert_spaces(G, predictor, live_targets, z_init).items()}
live_faces = torch.tensor(LIVE[:6])                           # positions among the 40 faces of the study
recorded_psnr = {name: torch.cat([study[f"real/{k}/psnr"], study[f"generated/{k}/psnr"]])[live_faces]
                 for k, name in SPACE_NAMES.items()}
mismatch = {name: (psnr(run.images[:6], live_targets[:6]).cpu() - recorded_psnr[name]).abs().max().item()
            for name, run in runs.items()}
print("live PSNR minus recorded PSNR, largest over the 6 live faces:",
      ", ".join(f"{name} {value:.3f} dB" for name, value in mismatch.items()))
# 100 optimisation steps amplify rounding: other hardware (a GPU) lands within a fraction of a dB
check(max(mismatch.values()) < 0.5, "the live inversions reproduce the recorded ones (within 0.5 dB on every face)")
print()
print("on all 20 faces of each kind (recorded):")
for k, name in SPACE_NAMES.items():
    print(f"{name:3s} PSNR: real faces {mean_interval(study[f'real/{k}/psnr']):.1f} dB, "
          f"generated {mean_interval(study[f'generated/{k}/psnr']):.1f} dB | "
          f"{study[f'seconds/{k}'].item():.3f} s per image (batch of 40, recorded)")

# %%
fig, (curves, grid) = plt.subplots(1, 2, figsize=(11, 3), dpi=72, gridspec_kw={"width_ratios": [1, 2]})
for k, name in SPACE_NAMES.items():
    curves.plot(study[f"curve/{k}"].mean(1), label=name)
curves.set(yscale="log", xlabel="step", ylabel="loss (mean over the 40 faces)")
curves.legend()
grid.imshow(image_grid(torch.cat([live_targets[:6]] + [run.images[:6] for run in runs.values()]).cpu(), nrow=6))
grid.set_axis_off()
grid.set_title("rows: target, Z, W, W+ (4 real faces, then 2 generated)", fontsize=9)
plt.show()

# %% [markdown]
# Drag the slider to replay the optimisation (snapshots every 10 steps) on four faces and the two
# pictures that are not faces.

# %%
PANEL = [0, 1, 4, 5, 6, 7]                                    # of the live pictures: 2 real, 2 generated, scene, drawing
steps_panel(live_targets[PANEL], {k: run.subset(PANEL) for k, run in runs.items()})

# %% [markdown]
# ### Sensitivity to the start
#
# The loss is not convex in the code, so where the search starts matters. Invert one face from six
# different random $z$ — again as one batch — and compare the results.

# %%
common = dict(features=predictor.features, feature_weight=FEATURE_WEIGHT, generator=generator)
starts = invert(G, real_faces[:1].expand(6, -1, -1, -1), "z", steps=STEPS, lr=LEARNING_RATES["z"], **common)
scores = psnr(starts.images, real_faces[:1].expand(6, -1, -1, -1)).cpu()
print("PSNR from 6 random starts in Z:", " ".join(f"{v:.1f}" for v in scores), "dB")
print(f"spread (max - min): {scores.max() - scores.min():.1f} dB; the W run from w_avg reached "
      f"{psnr(runs['W'].images[:1], real_faces[:1]).item():.1f} dB on this face")
check(scores.max() - scores.min() > 0.5, "six random starts end more than half a decibel apart")
fig, ax = plt.subplots(figsize=(6, 1.2), dpi=72)
ax.imshow(image_grid(torch.cat([real_faces[:1], starts.images]).cpu(), nrow=7))
ax.set_axis_off()
ax.set_title("target, then the six results", fontsize=9)
plt.show()

# %% [markdown]
# Same face, same loss, six answers more than half a decibel apart (the spread is printed above):
# each start rolls into its own local minimum. This is why $W$ and $W^+$ start from `w_avg`, why
# projectors restart from several seeds, and why a good *start* (next section) is worth so much.

# %% [markdown]
# ## 4. A learned encoder, and the hybrid: in-domain inversion
#
# Optimisation is slow and needs a start. A trained encoder $E$ answers in one forward pass. The
# zoo's `faces_encoder` learnt on pairs $(w, G(w))$ that the frozen generator drew,
# with the loss $\|E(G(w)) - w\|^2 + 10\,\|G(E(G(w))) - G(w)\|^2$ (`python -m gentut.train
# faces_encoder`). It is fast enough to run live on all 42 pictures; its time is taken like the
# optimisations' when the study was recorded: code *and* render, for the batch of 40.

# %%
with torch.no_grad():
    encoded_ws = encode_ws(E, G, targets)
    encoded_images = G.synthesis(encoded_ws)
for group, part in GROUPS.items():
    print(f"encoder PSNR, {group} faces: {mean_interval(psnr(encoded_images[part], targets[part])):.1f} dB")
encoder_seconds, w_seconds = study["seconds/encoder"].item(), study["seconds/w"].item()
print(f"{1000 * encoder_seconds:.2f} ms per image, code and render: {w_seconds / encoder_seconds:.0f}x "
      "faster than 100 steps in W (both as recorded)")

# %% [markdown]
# In-domain inversion (Zhu et al. 2020) starts from $E(x)$ and adds the **domain regulariser**:
#
# $$w^* = \arg\min_w \|G(w) - x\|^2 + \lambda_F \|F(G(w)) - F(x)\|^2 + \lambda \|w - E(G(w))\|^2 .$$
#
# The last term is small only for codes the encoder maps back to themselves — codes that look
# like the generator's own. The study runs three weights $\lambda$ at once (one batch of 120
# problems) for 40 steps, fewer than before: the start is already good. Live: the same on the 8
# pictures.

# %%
indomain_ws, _ = invert_lambdas(G, E, predictor, live_targets)
for lam, ws in indomain_ws.items():
    live = psnr(G.synthesis(ws[:6]), live_targets[:6]).cpu()
    kept = torch.cat([study[f"real/indomain {lam}/psnr"], study[f"generated/indomain {lam}/psnr"]])[live_faces]
    print(f"lambda = {lam:<4}: PSNR on the 20 real faces {mean_interval(study[f'real/indomain {lam}/psnr']):.1f} dB "
          f"(recorded); live minus recorded on the 6 live faces: at most {(live - kept).abs().max():.3f} dB")
    mismatch[f"in-domain {lam}"] = (live - kept).abs().max().item()
check(max(mismatch.values()) < 0.5, "the live in-domain inversions reproduce the recorded ones (within 0.5 dB)")

# %% [markdown]
# Slide $\lambda$: the middle row is the reconstruction, the bottom row the same code with glasses
# flipped on (strength +2).

# %%
REGULARIZER = [0, 1, 2, 3, 6, 7]                              # of the live pictures: 4 real faces, scene, drawing
regularizer_panel(G, live_targets[REGULARIZER], {lam: ws[REGULARIZER] for lam, ws in indomain_ws.items()},
                  directions[names.index("eyeglasses")], strength=STRENGTH)

# %% [markdown]
# ## 5. Pivotal tuning (PTI)
#
# PTI (Roich et al. 2022) keeps the code where edits work — the $W$ inversion, the *pivot* — and
# changes the generator instead: a copy of $G$'s synthesis weights is tuned for 40 steps so that
# $G'(w_{pivot}) = x$. The study tunes one generator for all 40 faces together (the paper's
# multi-identity variant); live, one copy is tuned for the 6 live faces (an easier problem: fewer
# faces share it), and the two out-of-domain pictures get their own copy in section 7.

# %%
pivots = runs["W"].ws
G_pti, pti_losses, pti_seconds = pivotal_tuning(G, pivots[:6], live_targets[:6], steps=PTI_STEPS, lr=3e-3,
                                                features=predictor.features, feature_weight=FEATURE_WEIGHT)
for group in GROUPS:
    gain = study[f"{group}/pti/psnr"] - study[f"{group}/w/psnr"]
    print(f"PTI vs its pivot, {group} faces (recorded, one generator for all 40): {mean_interval(gain):+.1f} dB; "
          f"worse than the pivot on {int((gain < 0).sum())} of {N} faces")
live_gain = psnr(G_pti.synthesis(pivots[:6]), live_targets[:6]) - psnr(runs["W"].images[:6], live_targets[:6])
print(f"live, one generator for the 6 live faces: {mean_interval(live_gain.cpu()):+.1f} dB")

# %% [markdown]
# ## 6. Distortion vs editability, measured
#
# For every method: **PSNR** and **feature distance** to the target (distortion), **seconds per
# image** (code and render, as recorded), and editability. For editability each face is pushed
# across each of the three boundaries (strength 2, towards "more" if the predictor reads the
# attribute as absent, "less" otherwise): **edit gain** is how far the predicted attribute moved
# the intended way, **drift** the mean change of the 7 other factors (identity, pose, background).
# The first row does the same to 200 codes the generator sampled itself: what an edit does to a
# code it "understands". **domain gap** is $\|w - E(G(w))\|^2$, averaged over layers. Each cell:
# the mean over 20 faces [95 % interval], from the recording.

# %%
scores = {}
for group, rows in study_table(study).items():
    reference = rows["sampled codes (reference)"][0]
    scores[group] = {name: row[0] for name, row in rows.items()}
    print(f"--- {group} faces ---")
    print(format_table(rows))

# %% [markdown]
# The lecture's claims, each tested face by face on the same 20 faces (paired), on both kinds of
# face. Every sentence below is printed from the numbers, with its interval.

# %%
def verdicts(metric, a, b, **kwargs):
    for group in GROUPS:
        print(f"  {group:9s} {compare(a, scores[group][a][metric], b, scores[group][b][metric], **kwargs)}")


print("PSNR: does more freedom reconstruct better? (dB)")
verdicts("psnr", "optimise W", "optimise Z", unit=" dB")
verdicts("psnr", "optimise W+", "optimise W", unit=" dB")
print("edit gain: do codes from freer spaces edit worse?")
verdicts("gain", "optimise W", "optimise W+")
print("in-domain: what does raising lambda from 0 to 1 buy, and cost?")
verdicts("gain", "in-domain, lambda 1.0", "in-domain, lambda 0.0")
verdicts("psnr", "in-domain, lambda 1.0", "in-domain, lambda 0.0", unit=" dB")
verdicts("domain", "in-domain, lambda 1.0", "in-domain, lambda 0.0", higher_is_better=False)
print("PTI against its own pivot (W):")
verdicts("psnr", "PTI (W pivot + tuning)", "optimise W", unit=" dB")
verdicts("gain", "PTI (W pivot + tuning)", "optimise W")
print("every method's edit gain against codes the generator sampled itself (unpaired):")
for name in METHODS.values():
    c = compare(name, scores["real"][name]["gain"], "sampled codes", reference["gain"], paired=False)
    print(f"  real faces: {c}")

# %% [markdown]
# How to read these lines: a verdict is only as strong as its interval, and "within noise" is an
# answer too. Compare them with the lectures' claims — more freedom reconstructs better; the
# freer the code the worse it edits (the distortion–editability trade-off); the domain
# regulariser buys editability with reconstruction; PTI reconstructs like a free code and edits
# like its pivot. Where this kit's small generator (7 layers of 64 numbers, not StyleGAN's 18 of
# 512) does not reproduce a claim, the lines above say so: $W^+$ here has only 7 times the
# freedom of $W$, and on faces the generator drew itself a perfect $w$ exists, which $W^+$ — a
# larger space to search from the same start in the same 100 steps — may not find.
#
# Try the edits yourself: every row is one method's code for the four live real faces, moved
# along the chosen boundary (strength 0 shows the reconstructions).

# %%
edit_methods = {"W": (G, runs["W"].ws[:4]), "W+": (G, runs["W+"].ws[:4]), "encoder": (G, encoded_ws[:4]),
                "in-domain (lambda 1)": (G, indomain_ws[1.0][:4]), "PTI": (G_pti, pivots[:4])}
edit_panel(real_faces[:4], edit_methods, {a: directions[names.index(a)] for a in EDITS})

# %% [markdown]
# The same edits as a static picture (glasses flipped, strength 2):

# %%
glasses = names.index("eyeglasses")
rows_ = [real_faces[:4]]
for label, (G_m, ws) in edit_methods.items():
    with torch.no_grad():
        flipped = edit_towards_other_side(ws, directions[glasses], predictor.predict(G_m.synthesis(ws))[:, glasses], STRENGTH)
        rows_.append(G_m.synthesis(flipped))
fig, ax = plt.subplots(figsize=(3.2, 4.6), dpi=72)
ax.imshow(image_grid(torch.cat(rows_).cpu(), nrow=4))
ax.set_axis_off()
ax.set_title("target; then glasses flipped for " + ", ".join(edit_methods), fontsize=7)
plt.show()

# %% [markdown]
# ## 7. Out of domain: a scene and a drawing
#
# What does each method do with a picture the generator cannot draw? PTI gets its own tuned copy
# for these two (from their $W$ pivots). Compare the PSNR with the faces' (section 6, recorded),
# and the domain gap: how far from the generator's own codes each method had to go.
#
# What would you expect? The generator can draw nothing but faces; a code it "understands" should
# answer with a face, while a free code, or a tuned generator, can copy colours and layout.
# A good reconstruction of an out-of-domain picture says nothing about whether its edits will mean
# anything.

# %%
OOD = slice(6, 8)                                             # the scene and the drawing among the live pictures
ood = live_targets[OOD]
G_pti_ood, _, _ = pivotal_tuning(G, pivots[OOD], ood, steps=PTI_STEPS, lr=3e-3,
                                 features=predictor.features, feature_weight=FEATURE_WEIGHT)
ood_methods = {"optimise Z": (G, runs["Z"].ws[OOD], "z"), "optimise W": (G, runs["W"].ws[OOD], "w"),
               "optimise W+": (G, runs["W+"].ws[OOD], "w+"), "encoder": (G, encoded_ws[2 * N:], "encoder"),
               "in-domain, lambda 1.0": (G, indomain_ws[1.0][OOD], "indomain 1.0"), "PTI": (G_pti_ood, pivots[OOD], "pti")}
print(f"{'':24s} {'PSNR scene':>10s} {'PSNR drawing':>12s} {'real faces':>11s} {'domain gap':>10s}")
ood_images, drop = [], {}
with torch.no_grad():
    for name, (G_method, ws, key) in ood_methods.items():
        images = G_method.synthesis(ws)
        gap = ((ws - E(G.synthesis(ws))[:, None]) ** 2).mean().item()
        scene_psnr, drawing_psnr = psnr(images, ood).tolist()
        face_psnr = study[f"real/{key}/psnr"].mean().item()
        print(f"{name:24s} {scene_psnr:10.1f} {drawing_psnr:12.1f} {face_psnr:11.1f} {gap:10.3f}")
        ood_images.append(images)
        drop[name] = face_psnr - (scene_psnr + drawing_psnr) / 2
columns = [ood] + ood_images                                  # each (2, 3, 32, 32): scene, drawing
fig, ax = plt.subplots(figsize=(9, 3), dpi=72)
ax.imshow(image_grid(torch.cat([c[:1] for c in columns] + [c[1:] for c in columns]).cpu(), nrow=len(columns)))
ax.set_axis_off()
ax.set_title("columns: target, " + ", ".join(ood_methods), fontsize=8)
plt.show()
print("PSNR lost on the two out-of-domain pictures compared with real faces: "
      + ", ".join(f"{name} {value:.1f} dB" for name, value in sorted(drop.items(), key=lambda kv: kv[1])))

# %% [markdown]
# Look at the pictures and the last line together: the methods that lose the most are the ones
# that answered with a face. These are two pictures, not a sample: read them as a demonstration,
# not as a measurement.
#
# ## 8. The generator as an image prior: inpainting, colorization, super-resolution
#
# Inversion needs only a loss between *something* computed from $G(w)$ and what we observed. Hide
# part of 20 new faces, invert the observation, and let the generator fill in the rest
# (Gu, Shen & Zhou 2020):
#
# * inpainting: $\|m \odot G(w) - m \odot x\|^2$ with a 10 × 20 hole over the eyes;
# * colorization: $\|\mathrm{gray}(G(w)) - \mathrm{gray}(x)\|^2$;
# * super-resolution: $\|\mathrm{down}_4(G(w)) - \mathrm{down}_4(x)\|^2$ from 8 × 8 pixels.
#
# Each is compared with a baseline that needs no model: mean fill, the grey copy, bicubic
# upsampling. The restored pictures keep what was observed (the known pixels, the brightness).
# The comparisons use all 20 faces from the recording (`restoration_tasks`, `restore_faces`);
# the pictures are 4 of them, restored live.

# %%
restored_rows, prior_wins, gap = [], {}, 0.0
for name, (task, baseline_name) in restoration_tasks().items():
    restored, baseline, _ = restore_faces(G, spare[:4], task)          # live: 4 of the 20 faces
    prior, plain = study[f"restore/{name}/prior"], study[f"restore/{name}/baseline"]   # all 20, recorded
    gap = max(gap, (psnr(restored, spare[:4]).cpu() - prior[:4]).abs().max().item())
    comparison = compare("GAN prior", prior, baseline_name, plain, unit=" dB")
    prior_wins[name] = comparison.verdict == "better"
    print(f"{name:20s} {comparison}  ({study[f'seconds/restore {name}'].item():.3f} s per image, recorded)")
    restored_rows += [baseline, restored]
print(f"live restorations of 4 faces minus the recorded ones: at most {gap:.3f} dB")
check(gap < 0.5, "the live restorations reproduce the recorded ones (within 0.5 dB)")
fig, ax = plt.subplots(figsize=(4, 7), dpi=72)
ax.imshow(image_grid(torch.cat([spare[:4]] + restored_rows).detach().cpu(), nrow=4))
ax.set_axis_off()
ax.set_title("rows: truth; then baseline, GAN prior\nfor inpainting, colorization, super-resolution", fontsize=8)
plt.show()
check(all(prior_wins.values()), "the GAN prior beats the model-free baseline on every task")

# %% [markdown]
# The prior beats every baseline (the margins and intervals are printed above): where the
# observation is silent (the hole, the colours, the fine detail), the generator supplies what
# faces it has seen look like there. The same prior is also its limit: it can only fill in
# something it can draw (try a scene).
#
# ### Semantic diffusion
#
# The same masked loss, with the in-domain regulariser, blends a pasted region into a new face
# (Zhu et al. 2020): copy the centre of one face (eyes, glasses, mouth) onto another, match only
# that region, and let the generator redraw the rest so that the result is one face it could
# have drawn. Which parts of the result follow which source? For every factor the predictor reads,
# the share of the 20 results whose value is closer to the pasted face's than to the surrounding
# face's:

# %%
centre = (1 - box_mask(32, 10, 8, 16, 16)).to(device)        # 1 on the pasted region
pasted = centre * real_faces + (1 - centre) * real_faces.roll(1, 0)    # face i's centre on face i-1
blended = semantic_diffusion(G, E, pasted, centre, domain_weight=1.0, steps=40, lr=0.05, generator=generator)
with torch.no_grad():
    inner, outer, result = (predictor.predict(x) for x in (real_faces, real_faces.roll(1, 0), blended.images))
follows_pasted = ((result - inner).abs() < (result - outer).abs()).float().cpu()        # (20, 8)
shares = {n: mean_interval(follows_pasted[:, j]) for j, n in enumerate(names)}
for n, share in shares.items():
    side = "the pasted centre" if share.low > 0.5 else "the surroundings" if share.high < 0.5 else "neither clearly"
    print(f"{n:12s} follows the pasted centre in {share:.2f} of the results: {side}")
fig, ax = plt.subplots(figsize=(8, 1.8), dpi=72)
ax.imshow(image_grid(torch.cat([pasted[:10], blended.images[:10]]).cpu(), nrow=10))
ax.set_axis_off()
ax.set_title("rows: copy and paste, semantic diffusion (10 of the 20)", fontsize=9)
plt.show()

# %% [markdown]
# The seams disappear: the generator redraws one coherent face. The lines above say, factor by
# factor, which source won — with an interval over the 20 results, so "neither clearly" means
# the factor followed no source consistently.

# %% [markdown]
# ## 9. Your own image
#
# `to_model_image` takes a file path, PNG/JPEG bytes (e.g. from an `ipywidgets.FileUpload`), a
# PIL image, a numpy array or a tensor, of any size and mode (grey, RGB, RGBA, palette), and
# returns the (1, 3, 32, 32) tensor in [0, 1] every method above takes: centre-cropped, resized,
# transparency laid over white. Anything it cannot read is refused with a message that says why.

# %%
# NBVAL_CHECK_OUTPUT
examples = {"grey uint8 (100, 80)": np.full((100, 80), 128, np.uint8),
            "RGBA drawing (48, 64, 4)": drawing,
            "tensor (3, 32, 32)": scene[0].cpu()}
for label, image in examples.items():
    print(f"{label:26s} -> {tuple(to_model_image(image).shape)}")
for label, bad in {"NaN pixels": np.full((8, 8, 3), np.nan), "floats in 0-255": np.full((8, 8, 3), 200.0),
                   "a 1-D array": np.zeros(10), "a text file's bytes": b"hello, not a picture"}.items():
    try:
        to_model_image(bad)
    except ValueError as error:
        print(f"{label:26s} -> ValueError: {str(error)[:70]}")

# %% [markdown]
# To edit a photo of your own: `x = to_model_image("photo.png").to(device)`, then
# `invert_in_domain(G, E, x, domain_weight=1.0, features=predictor.features, feature_weight=0.02)`
# and `edit_panel(x, {"mine": (G, run.ws)}, ...)`. It will come back as a cartoon face — the
# generator can draw nothing else (section 7).
#
# **Questions to think about**
# 1. Section 6 tests "W+ reconstructs better but edits worse" on real and on generated faces.
#    Where do the two kinds of face disagree, and why might a perfect code's existence (for the
#    generated ones) change the answer? Which column would you trust less if the encoder that
#    measures the domain gap had itself been trained badly?
# 2. PTI tunes one generator for 40 faces at once. What does that cost the faces it was *not*
#    tuned for, and how would you measure it?
# 3. In section 8 the restoration searched in W. Predict what W+ (7 times more freedom) would do
#    to each task — then change `space="w"` to `"w+"` and check.
