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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/07_inversion.ipynb)
#
# # 07 — Inversion: how do I edit my own photo?
#
# Notebooks 05 and 06 edit faces the generator *drew*: sample a code, move it along a direction.
# A photo has no code. GAN inversion finds one — a code $w^*$ with $G(w^*) \approx x$ — and then
# every edit of the course applies to the photo. In this notebook you will measure, on faces the
# generator never saw (the held-out test split) and on two pictures that are not faces at all:
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
# Colab only: install gentut, keeping Colab's own torch. Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gentut @ git+https://github.com/gentut/gentut"], check=True)

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import load_split
from gentut.interpret.edits import broadcast_ws, sample_latents
from gentut.interpret.rescoring import fit_attribute_boundaries, stack_normals, std_steps
from gentut.invert.editability import mean_edit_scores
from gentut.invert.encoder import encode_ws
from gentut.invert.images import to_model_image
from gentut.invert.indomain import invert_in_domain, semantic_diffusion
from gentut.invert.optimize import invert
from gentut.invert.prior import Colorization, Inpainting, SuperResolution, box_mask, restore
from gentut.invert.pti import pivotal_tuning
from gentut.invert.report import format_table, score_inversion
from gentut.metrics import psnr
from gentut.runtime import setup
from gentut.widgets.inversion import edit_panel, regularizer_panel, steps_panel
from gentut.widgets.render import image_grid

device, generator = setup(seed=0)

# %% [markdown]
# ## 1. Photos the generator has never seen
#
# The zoo's style generator learnt the training split of the procedural faces; the **test split**
# plays "my own photos": same kind of face, but no code was ever made for them. Two more pictures
# are *not* faces at all — a scene from the other dataset and a drawing made right here as an
# RGBA array of the wrong size, which `to_model_image` turns into the generator's format like any
# upload (section 9 shows what it accepts). All inversions below run on these 10 images in one
# batch; the table of section 6 uses the 8 faces only.

# %%
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
E = zoo.load("faces_encoder", device=device)
names = [f.name for f in FACE_FACTORS]

test_faces = load_split("faces", "test", n=12).images.to(device)
faces, spare_faces = test_faces[:8], test_faces[8:]          # 8 for inversion, 4 for restoration (section 8)
scene = load_split("scenes", "test", n=1).images.to(device)

drawing = np.zeros((48, 64, 4), np.uint8)                    # RGBA, 48 x 64: a "user upload"
drawing[..., :3] = (70, 130, 220)                            # blue sky ...
drawing[..., 3] = 255
rows, cols = np.mgrid[:48, :64]
drawing[(rows - 16) ** 2 + (cols - 40) ** 2 < 64, :3] = (250, 210, 40)     # ... a yellow sun
drawing[28:44, 14:34, :3] = (200, 40, 40)                                  # ... a red house
drawing[:, :8, 3] = 0                                                      # a transparent strip
shape = to_model_image(drawing).to(device)

targets = torch.cat([faces, scene, shape])                    # (10, 3, 32, 32), the last two out of domain
n_faces = len(faces)

# %%
# NBVAL_CHECK_OUTPUT
print("targets:", tuple(targets.shape), "| faces:", n_faces, "| out of domain: scene, drawing")
print("encoder:", type(E).__name__, "w_dim", E.w_dim, "| generator layers (W+):", G.num_ws)

# %%
fig, ax = plt.subplots(figsize=(8, 1.2), dpi=72)
ax.imshow(image_grid(targets.cpu(), nrow=10))
ax.set_axis_off()
ax.set_title("8 held-out faces, a scene, a drawing", fontsize=9)
plt.show()

# %% [markdown]
# ## 2. The edits we will want: InterFaceGAN boundaries
#
# Editability needs edits. As in notebook 05: sample 2,000 codes, let the predictor score their
# images, fit one linear SVM per attribute in $W$, and scale each normal so that strength 1 moves
# a code by one standard deviation of the sampled codes. We will use *smile*, *eyeglasses* and *age*.

# %%
boundaries = fit_attribute_boundaries(G, predictor, names, n=2000, generator=generator)
_, w_samples = sample_latents(G, 2000, generator)
unit_steps = std_steps(stack_normals(boundaries), w_samples)           # (8, w_dim): 1 = one std
EDITS, STRENGTH = ["smile", "eyeglasses", "age"], 2.0
directions = {names.index(a): unit_steps[names.index(a)] for a in EDITS}
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
# $w^+$ (one $w$ per layer: 7 × 64 numbers). $W$ and $W^+$ start at the average code `w_avg`, $Z$
# at a random $z$. Each run inverts the whole batch at once; the time per image is the batch's
# time divided by 10.

# %%
STEPS = 100
common = dict(features=predictor.features, feature_weight=0.02, generator=generator)
runs = {"Z": invert(G, targets, "z", steps=STEPS, lr=0.05, **common),
        "W": invert(G, targets, "w", steps=STEPS, lr=0.1, **common),
        "W+": invert(G, targets, "w+", steps=STEPS, lr=0.1, **common)}
for name, run in runs.items():
    print(f"{name:3s} PSNR on the faces {psnr(run.images[:n_faces], faces).mean():5.2f} dB | "
          f"{run.seconds_per_image:.2f} s per image (batch of {len(targets)})")

# %%
fig, (curves, grid) = plt.subplots(1, 2, figsize=(11, 3), dpi=72, gridspec_kw={"width_ratios": [1, 2]})
for name, run in runs.items():
    curves.plot(run.losses[:, :n_faces].mean(1).cpu(), label=name)
curves.set(yscale="log", xlabel="step", ylabel="loss (mean over faces)")
curves.legend()
grid.imshow(image_grid(torch.cat([faces] + [run.images[:n_faces] for run in runs.values()]).cpu(), nrow=n_faces))
grid.set_axis_off()
grid.set_title("rows: target, Z, W, W+", fontsize=9)
plt.show()

# %% [markdown]
# $Z$ is the worst: every $z$ must pass through the mapping network, whose outputs cover only part
# of $W$. $W^+$ ends with the lowest loss — with seven codes it can fit details one code cannot.
# Drag the slider to replay the optimisation (snapshots every 10 steps). Watch the two pictures
# on the right: a scene and a drawing that no face code can draw.

# %%
steps_panel(targets, runs)

# %% [markdown]
# ### Sensitivity to the start
#
# The loss is not convex in the code, so where the search starts matters. Invert one face from six
# different random $z$ — again as one batch — and compare the results.

# %%
starts = invert(G, faces[:1].expand(6, -1, -1, -1), "z", steps=STEPS, lr=0.05, **common)
scores = psnr(starts.images, faces[:1].expand(6, -1, -1, -1)).cpu()
print("PSNR from 6 random starts in Z:", " ".join(f"{v:.1f}" for v in scores), "dB")
print(f"spread (max - min): {scores.max() - scores.min():.1f} dB; the W run from w_avg reached "
      f"{psnr(runs['W'].images[:1], faces[:1]).item():.1f} dB on this face")
fig, ax = plt.subplots(figsize=(6, 1.2), dpi=72)
ax.imshow(image_grid(torch.cat([faces[:1], starts.images]).cpu(), nrow=7))
ax.set_axis_off()
ax.set_title("target, then the six results", fontsize=9)
plt.show()

# %% [markdown]
# Same face, same loss, six answers several dB apart: each start rolls into its own local
# minimum. This is why $W$ and $W^+$ start from `w_avg`, why projectors restart from several seeds,
# and why a good *start* (next section) is worth so much.

# %% [markdown]
# ## 4. A learned encoder, and the hybrid: in-domain inversion
#
# Optimisation is slow and needs a start. A trained encoder $E$ answers in one forward pass. The
# zoo's `faces_encoder` learnt on pairs $(w, G(w))$ that the frozen generator drew,
# with the loss $\|E(G(w)) - w\|^2 + 10\,\|G(E(G(w))) - G(w)\|^2$ (`python -m gentut.train
# faces_encoder`). Its record says how well it does on generated faces and on real ones:

# %%
record = zoo.read_manifest()["faces_encoder"]
print(f"faces_encoder: {record['bytes'] / 2**20:.2f} MB, {record['steps']} steps, "
      f"trained in {record['train_seconds'] / 60:.0f} min ({record['device']})")
print(f"PSNR of G(E(x)): generated faces {record['metrics']['psnr_generated']:.1f} dB, "
      f"real (validation) faces {record['metrics']['psnr_real']:.1f} dB")
start = time.perf_counter()
with torch.no_grad():
    encoded_ws = encode_ws(E, G, targets)
encoder_seconds = (time.perf_counter() - start) / len(targets)
print(f"on our faces: {psnr(G.synthesis(encoded_ws[:n_faces]), faces).mean():.2f} dB, "
      f"{1000 * encoder_seconds:.1f} ms per image")

# %% [markdown]
# The encoder is hundreds of times faster than optimisation, and on real faces nearly as exact as
# 100 steps in $W$. Note the gap between generated and real faces in its record: it never saw a
# real face, and on them it loses about 10 dB.
#
# In-domain inversion (Zhu et al. 2020) starts from $E(x)$ and adds the **domain regulariser**:
#
# $$w^* = \arg\min_w \|G(w) - x\|^2 + \lambda_F \|F(G(w)) - F(x)\|^2 + \lambda \|w - E(G(w))\|^2 .$$
#
# The last term is small only for codes the encoder maps back to themselves — codes that look
# like the generator's own. We run three weights $\lambda$ at once (30 problems in one batch) for
# 40 steps, fewer than before: the start is already good.

# %%
LAMBDAS = (0.0, 0.1, 1.0)
weights = torch.tensor(LAMBDAS).repeat_interleave(len(targets)).to(device)
indomain = invert_in_domain(G, E, targets.repeat(len(LAMBDAS), 1, 1, 1), domain_weight=weights,
                            steps=40, lr=0.05, **common)
indomain_ws = dict(zip(LAMBDAS, indomain.ws.split(len(targets))))
for lam, ws in indomain_ws.items():
    print(f"lambda = {lam:<4}: PSNR on the faces {psnr(G.synthesis(ws[:n_faces]), faces).mean():5.2f} dB")

# %% [markdown]
# Slide $\lambda$: the middle row is the reconstruction, the bottom row the same code with glasses
# flipped on (strength +2).

# %%
regularizer_panel(G, targets, indomain_ws, directions[names.index("eyeglasses")], strength=STRENGTH)

# %% [markdown]
# ## 5. Pivotal tuning (PTI)
#
# PTI (Roich et al. 2022) keeps the code where edits work — the $W$ inversion, the *pivot* — and
# changes the generator instead: a copy of $G$'s synthesis weights is tuned for 40 steps so that
# $G'(w_{pivot}) = x$. One generator is tuned for all 8 faces together (the paper's multi-identity
# variant); the two out-of-domain pictures get their own copy in section 7.

# %%
pivots = runs["W"].ws
G_pti, pti_losses, pti_seconds = pivotal_tuning(G, pivots[:n_faces], faces, steps=40, lr=3e-3,
                                                features=predictor.features, feature_weight=0.02)
print(f"PTI: PSNR {psnr(G_pti.synthesis(pivots[:n_faces]), faces).mean():.2f} dB "
      f"(pivot alone {psnr(runs['W'].images[:n_faces], faces).mean():.2f} dB), "
      f"tuning {pti_seconds / n_faces:.2f} s per image")

# %% [markdown]
# ## 6. Distortion vs editability, measured
#
# For every method: **PSNR** and **feature distance** to the target (distortion), **seconds per
# image**, and editability. For editability each face is pushed across each of the three
# boundaries (strength 2, towards "more" if the predictor reads the attribute as absent, "less"
# otherwise): **edit gain** is how far the predicted attribute moved the intended way, **drift**
# the mean change of the 7 other factors (identity, pose, background). The first row does the same
# to 200 codes the generator sampled itself: what an edit does to a code it "understands".
# **domain gap** is $\|w - E(G(w))\|^2$, averaged over layers.

# %%
def scores_of(G_method, ws, seconds, reference_G=None):
    return score_inversion(G_method, ws[:n_faces], faces, predictor, E, directions, STRENGTH, seconds, reference_G)


gain, drift = mean_edit_scores(G, predictor, broadcast_ws(G, w_samples[:200]), directions, STRENGTH)
table = {"sampled codes (reference)": {"gain": gain, "drift": drift},
         **{f"optimise {name}": scores_of(G, run.ws, run.seconds_per_image) for name, run in runs.items()},
         "encoder": scores_of(G, encoded_ws, encoder_seconds),
         **{f"in-domain, lambda {lam}": scores_of(G, ws, indomain.seconds_per_image + encoder_seconds)
            for lam, ws in indomain_ws.items()},
         "PTI (W pivot + tuning)": scores_of(G_pti, pivots, runs["W"].seconds_per_image + pti_seconds / n_faces, G)}
print(format_table(table))

# %% [markdown]
# Read the table along two axes. Down the PSNR column, more freedom reconstructs better. Along
# the edit columns, ask how close each method comes to the reference row. The lines below pull out
# the comparisons the lectures make.

# %%
def compare(a, b):
    ra, rb = table[a], table[b]
    print(f"{a} vs {b}: PSNR {ra['psnr'] - rb['psnr']:+.1f} dB, edit gain {ra['gain'] - rb['gain']:+.2f}, "
          f"drift {ra['drift'] - rb['drift']:+.3f}, domain gap {ra['domain'] - rb['domain']:+.3f}")


compare("optimise W+", "optimise W")
compare("in-domain, lambda 1.0", "in-domain, lambda 0.0")
compare("PTI (W pivot + tuning)", "optimise W")
compare("encoder", "optimise W")

# %% [markdown]
# What the measurements show, honestly:
# * **Distortion** falls with freedom: Z, then W, then W+, and PTI far below all of them.
# * **W+ versus W** is a small effect on this small generator: W+ gains only a fraction of a dB,
#   its codes lie about twice as far from the encoder's domain, but its edits gain about as much
#   and drift no more than W's. The lecture's "W+ edits worse" needs a bigger gap in freedom
#   (StyleGAN's 18 layers of 512) or longer optimisation to show up clearly.
# * The **trade-off is plain elsewhere**: every optimised code edits *less* than a sampled code
#   (gain below the reference row), while the encoder and in-domain codes edit as well as or
#   better than sampled ones — and raising $\lambda$ buys edit gain and a smaller domain gap
#   with PSNR. Drift barely differs between methods.
# * **PTI** is the best of both here: the pivot's editability with the lowest distortion — at the
#   price of a tuned copy of the generator and the most seconds per image.
#
# Try the edits yourself: every row is one method's code for the first four faces, moved along the
# chosen boundary (strength 0 shows the reconstructions).

# %%
methods = {"W": (G, runs["W"].ws[:4]), "W+": (G, runs["W+"].ws[:4]), "encoder": (G, encoded_ws[:4]),
           "in-domain (lambda 1)": (G, indomain_ws[1.0][:4]), "PTI": (G_pti, pivots[:4])}
edit_panel(faces[:4], methods, {a: directions[names.index(a)] for a in EDITS})

# %% [markdown]
# ## 7. Out of domain: a scene and a drawing
#
# What does each method do with a picture the generator cannot draw? PTI gets its own tuned copy
# for these two (from their $W$ pivots). Compare the PSNR with the faces' (section 6), and the
# domain gap: how far from the generator's own codes each method had to go.
#
# Expect the methods that stay in the domain (Z, the encoder, in-domain) to answer with a face —
# the only thing this generator can draw — and the free ones to copy colours and layout: W+ by
# leaving the domain far behind, PTI by changing the generator itself. A good reconstruction of
# an out-of-domain picture says nothing about whether its edits will mean anything.

# %%
G_pti_ood, _, _ = pivotal_tuning(G, pivots[n_faces:], targets[n_faces:], steps=40, lr=3e-3,
                                 features=predictor.features, feature_weight=0.02)
ood = targets[n_faces:]
ood_methods = {"optimise Z": (G, runs["Z"].ws), "optimise W": (G, runs["W"].ws), "optimise W+": (G, runs["W+"].ws),
               "encoder": (G, encoded_ws), "in-domain, lambda 1.0": (G, indomain_ws[1.0]), "PTI": (G_pti_ood, pivots)}
print(f"{'':24s} {'PSNR scene':>10s} {'PSNR drawing':>12s} {'domain gap':>10s}")
ood_images = []
with torch.no_grad():
    for name, (G_method, ws) in ood_methods.items():
        images = G_method.synthesis(ws[n_faces:])
        gap = ((ws[n_faces:] - E(G.synthesis(ws[n_faces:]))[:, None]) ** 2).mean().item()
        scene_psnr, drawing_psnr = psnr(images, ood).tolist()
        print(f"{name:24s} {scene_psnr:10.1f} {drawing_psnr:12.1f} {gap:10.3f}")
        ood_images.append(images)
columns = [ood] + ood_images                                  # each (2, 3, 32, 32): scene, drawing
fig, ax = plt.subplots(figsize=(9, 3), dpi=72)
ax.imshow(image_grid(torch.cat([c[:1] for c in columns] + [c[1:] for c in columns]).cpu(), nrow=len(columns)))
ax.set_axis_off()
ax.set_title("columns: target, " + ", ".join(ood_methods), fontsize=8)
plt.show()

# %% [markdown]
# ## 8. The generator as an image prior: inpainting, colorization, super-resolution
#
# Inversion needs only a loss between *something* computed from $G(w)$ and what we observed. Hide
# part of four new faces, invert the observation, and let the generator fill in the rest
# (Gu, Shen & Zhou 2020):
#
# * inpainting: $\|m \odot G(w) - m \odot x\|^2$ with a 10 × 20 hole over the eyes;
# * colorization: $\|\mathrm{gray}(G(w)) - \mathrm{gray}(x)\|^2$;
# * super-resolution: $\|\mathrm{down}_4(G(w)) - \mathrm{down}_4(x)\|^2$ from 8 × 8 pixels.
#
# Each is compared with a baseline that needs no model: mean fill, the grey copy, bicubic
# upsampling. The restored pictures keep what was observed (the known pixels, the brightness).

# %%
tasks = {"inpainting": Inpainting(box_mask(32, 10, 6, 10, 20)), "colorization": Colorization(),
         "super-resolution x4": SuperResolution(4)}
baseline_names = {"inpainting": "mean fill", "colorization": "grey copy", "super-resolution x4": "bicubic"}
restored_rows = []
print(f"{'task':20s} {'baseline':>10s} {'PSNR':>6s} {'GAN prior (W)':>14s} {'s/image':>8s}")
for name, task in tasks.items():
    observed = task(spare_faces)
    baseline = task.baseline(observed)
    run = restore(G, observed, task, space="w", steps=60, lr=0.1, generator=generator)
    restored = task.paste(observed, run.images)
    print(f"{name:20s} {baseline_names[name]:>10s} {psnr(baseline, spare_faces).mean():6.1f} "
          f"{psnr(restored, spare_faces).mean():14.1f} {run.seconds_per_image:8.2f}")
    restored_rows += [baseline, restored]
fig, ax = plt.subplots(figsize=(4, 7), dpi=72)
ax.imshow(image_grid(torch.cat([spare_faces] + restored_rows).detach().cpu(), nrow=4))
ax.set_axis_off()
ax.set_title("rows: truth; then baseline, GAN prior\nfor inpainting, colorization, super-resolution", fontsize=8)
plt.show()

# %% [markdown]
# The prior wins every task by several dB: where the observation is silent (the hole, the
# colours, the fine detail), the generator supplies what faces it has seen look like there. The
# same prior is also its limit: it can only fill in something it can draw (try a scene).
#
# ### Semantic diffusion
#
# The same masked loss, with the in-domain regulariser, blends a pasted region into a new face
# (Zhu et al. 2020): copy the centre of one face (eyes, glasses, mouth) onto another, match only
# that region, and let the generator redraw the rest so that the result is one face it could
# have drawn. Which parts of the result follow which source? For every factor the predictor reads,
# the share of the 8 results whose value is closer to the pasted face's than to the surrounding
# face's:

# %%
centre = 1 - box_mask(32, 10, 8, 16, 16)                     # 1 on the pasted region
pasted = centre * faces + (1 - centre) * faces.roll(1, 0)    # face i's centre on face i-1
blended = semantic_diffusion(G, E, pasted, centre, domain_weight=1.0, steps=40, lr=0.05, generator=generator)
with torch.no_grad():
    inner, outer, result = (predictor.predict(x) for x in (faces, faces.roll(1, 0), blended.images))
follows_pasted = ((result - inner).abs() < (result - outer).abs()).float().mean(0)
print(" ".join(f"{n}: {v:.2f}" for n, v in zip(names, follows_pasted.tolist())))
fig, ax = plt.subplots(figsize=(8, 1.8), dpi=72)
ax.imshow(image_grid(torch.cat([pasted, blended.images]).cpu(), nrow=n_faces))
ax.set_axis_off()
ax.set_title("rows: copy and paste, semantic diffusion", fontsize=9)
plt.show()

# %% [markdown]
# The seams disappear. Glasses, pose and skin tone come with the pasted centre; the background
# stays with the surroundings; smile, age and hair mostly follow the surroundings too: the
# generator redraws one coherent face, and where the two sources disagree the larger one tends to
# win. (A share near 0.5 means the factor follows neither source consistently.)

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
# 1. The table puts a number on "W+ reconstructs better but edits worse". Which column would you
#    trust less if the encoder that measures the domain gap had itself been trained badly, and how
#    would you check it?
# 2. PTI reconstructs best and edits like its pivot. What does tuning one generator for several
#    faces cost the *other* faces it was not tuned for, and how would you measure it?
# 3. In section 8 the restoration searched in W. Predict what W+ (7 times more freedom) would do
#    to each task — then change `space="w"` to `"w+"` and check.
