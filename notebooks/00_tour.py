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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/00_tour.ipynb)
#
# # 00 — A tour: from recognition to recreation
#
# *"What I cannot create, I do not understand."* — Richard Feynman
#
# Most of deep learning you may have met is **recognition**: given an image `x`, name its
# class `y`. This course is about **recreation**: learning the distribution `p(x)` of the images
# themselves well enough to draw new ones, and then opening the generator up to see, and steer,
# what it has learnt.
#
# In this notebook you will see:
# 1. the difference between a discriminative model `p(y | x)` and a generative model `p(x, y)`,
#    measured on the same digits;
# 2. the three families of generative models this course covers;
# 3. the map of the course;
# 4. the kit's own datasets, whose generating factors are known exactly, and its model zoo.

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

# %% [markdown]
# Every notebook starts the same way: `setup` picks the GPU when there is one (so this notebook
# runs unchanged on Colab) and seeds every random number generator, so each run draws the same
# figures.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import BernoulliNB

from gentut.data.digits import load_binarized_digits, load_grey_digits
from gentut.runtime import setup
from gentut.widgets.datasets import digits_browser
from gentut.widgets.render import image_grid

device, generator = setup(seed=0)

# %% [markdown]
# ## 1. The data: 8x8 handwritten digits, offline
#
# The lecture's running example is binarized MNIST (28x28 pixels, each black or white). The
# kit uses its little sibling that ships inside scikit-learn, so nothing is downloaded: 1,797
# digits of 8x8 pixels with 17 grey levels, which we threshold to black and white. The split is
# fixed once for the whole course.

# %%
# NBVAL_CHECK_OUTPUT
x_train, y_train = load_binarized_digits("train")
x_test, y_test = load_binarized_digits("test")
print("train:", tuple(x_train.shape), " test:", tuple(x_test.shape))
print("possible 8x8 binary images: 2**64 =", f"{2**64:,}")

# %% [markdown]
# Drag the sliders: the left picture is the digit as scikit-learn stores it, the right one is
# what our models see. The bottom row holds all 17 grey levels (darkest top left) and shows which
# of them the threshold turns into ink. Where does a threshold of 8 lose information, and what
# would a threshold of 2 or 14 do?

# %%
grey_digits, _ = load_grey_digits()
digits_browser(grey_digits)

# %% [markdown]
# ## 2. Recognition vs recreation, measured
#
# A **discriminative** model learns `p(y | x)` directly: here logistic regression. A
# **generative** model learns how the data is made, `p(x, y) = p(y) p(x | y)`. The simplest one
# treats every pixel as an independent coin given the class (a Bernoulli "naive Bayes"). It can
# recognise too, by Bayes' rule `p(y | x) ∝ p(y) p(x | y)`, but it can also *create*: draw `y`,
# then draw each pixel from `p(x_i | y)`.

# %%
flat_train, flat_test = x_train.flatten(1).numpy(), x_test.flatten(1).numpy()
discriminative = LogisticRegression(max_iter=2000).fit(flat_train, y_train.numpy())
generative = BernoulliNB(alpha=1.0).fit(flat_train, y_train.numpy())
print(f"test accuracy, discriminative  p(y|x): {discriminative.score(flat_test, y_test.numpy()):.3f}")
print(f"test accuracy, generative  p(y)p(x|y): {generative.score(flat_test, y_test.numpy()):.3f}")

# %% [markdown]
# Only one of the two can draw digits. Each row below is one class `y`; each picture samples all
# 64 pixels independently from the generative model's `p(x_i = 1 | y)`.

# %%
pixel_probs = torch.from_numpy(np.exp(generative.feature_log_prob_)).float()   # (10 classes, 64)
draws = torch.rand(10, 8, 64, generator=generator) < pixel_probs[:, None]     # (10, 8 samples, 64)
fig, axes = plt.subplots(1, 2, figsize=(8, 4), dpi=72)
axes[0].imshow(image_grid(pixel_probs.view(10, 1, 8, 8), nrow=5))
axes[0].set_title("p(x_i = 1 | y) for y = 0..9")
axes[1].imshow(image_grid(draws.float().view(80, 1, 8, 8), nrow=8))
axes[1].set_title("samples: a row per class")
for ax in axes:
    ax.axis("off")
plt.show()

# %% [markdown]
# The samples are recognisable but noisy: independent pixels cannot say "if this pixel is ink,
# its neighbour probably is too". The models of this course are better answers to that problem;
# notebook 01 measures how much better, in likelihood.
#
# Does the better classifier depend on how much data there is? Ng & Jordan (2001) found that the
# generative naive Bayes reaches its (worse) asymptote faster, so it can win with little data and
# lose with a lot. Train both on random subsets of each size — 20 subsets per size, so that one
# lucky subset cannot decide — and compare them on the same subsets and the same 297 test digits:

# %%
from gentut.evidence import compare

sizes = [30, 60, 120, 250, 500, 1000]
rng = np.random.default_rng(0)
subsets = {n: [rng.choice(len(flat_train), n, replace=False) for _ in range(20)] for n in sizes}
accuracy = {name: {n: [] for n in sizes} for name in ("discriminative", "generative")}
for n in sizes:
    for idx in subsets[n]:
        labels = y_train.numpy()[idx]
        if len(set(labels)) < 10:                     # a tiny subset can miss a class: skip it
            continue
        for name, model in [("discriminative", LogisticRegression(max_iter=2000)), ("generative", BernoulliNB())]:
            accuracy[name][n].append(model.fit(flat_train[idx], labels).score(flat_test, y_test.numpy()))
fig, ax = plt.subplots(figsize=(5, 3), dpi=72)
for name, by_size in accuracy.items():
    ax.errorbar(sizes, [np.mean(by_size[n]) for n in sizes], [np.std(by_size[n]) for n in sizes],
                marker="o", capsize=3, label=name)
ax.set(xscale="log", xlabel="training images", ylabel="test accuracy (mean ± std over subsets)")
ax.legend()
plt.show()
learning_verdicts = {}
for n in sizes:
    result = compare("discriminative", accuracy["discriminative"][n], "generative", accuracy["generative"][n])
    learning_verdicts[n] = result.verdict
    print(f"n = {n:4d} ({len(accuracy['generative'][n])} subsets): {result.sentence('.3f')}")

# %% [markdown]
# *Think:* the generative model assumes more (independent pixels given the class) and so has
# fewer things to learn from each image. Read the verdicts above against Ng & Jordan's picture:
# where does the generative model win, if anywhere, and from which size on does its wrong
# assumption cost accuracy? On 8x8 digits with 297 test images the answer is not the paper's
# plot, and "within noise" is part of it.
#
# ## 3. Three families of generative models
#
# | family | how it defines `p(x)` | likelihood | sampling | notebooks |
# |---|---|---|---|---|
# | **autoregressive** | chain rule `p(x) = Π_i p(x_i \| x_<i)`, one conditional per pixel (FVSBN, NADE, PixelCNN, RNN) | exact | one pixel at a time | 01 |
# | **latent variable** | `p(x) = ∫ p(x \| z) p(z) dz` with a low-dimensional code `z` (mixtures, VAE, VQ-VAE) | a lower bound (ELBO) | one decoder pass | 02 |
# | **implicit** | a generator `x = G(z)` trained against a discriminator (GANs) | none | one generator pass | 03–08 |
#
# Each later notebook *measures* the trade-offs in this table on the kit's own models — for
# example notebook 01 times sampling against scoring.
#
# ## 4. The map of the course
#
# | # | notebook | you will |
# |---|---|---|
# | 00 | tour | meet the data and the kit (this notebook) |
# | 01 | autoregressive models | train FVSBN, NADE and PixelCNN, compare likelihoods in nats, sample pixel by pixel |
# | 02 | VAE | derive and measure the ELBO, walk a 2-D latent space |
# | 03 | GAN basics | watch a GAN learn a 2-D mixture, see mode collapse and WGAN-GP |
# | 04 | GAN dissection | find the units that draw trees and windows, switch them off |
# | 05 | InterFaceGAN / HiGAN | find attribute boundaries, edit smile, age and glasses |
# | 06 | unsupervised directions | SeFa, GANSpace, and an honest comparison against known factors |
# | 07 | GAN inversion | edit your own image; measure whether distortion and editability trade off |
# | 08 | image-to-image | pix2pix and CycleGAN on scenes |
#
# ## 5. The kit's own data: faces and scenes whose factors we know
#
# The interpretation lessons ask "which direction in the generator's latent space makes a face
# smile?" and "which units draw trees?". To *check* the answers, the kit draws its own data, so
# every image comes with the exact values of the factors that made it (and, for scenes, the
# class of every pixel). Nothing is downloaded: the images are computed from a seed.
#
# **Cartoon faces**: eight factors.

# %%
# NBVAL_CHECK_OUTPUT
from gentut.data.faces import FACE_FACTORS, face_gallery, make_faces

for factor in FACE_FACTORS:
    print(f"{factor.name:12s} {factor.kind:10s} {factor.description}")

# %%
face_gallery(make_faces(16, seed=0, size=64), n=16)
plt.show()

# %% [markdown]
# Each slider below is one factor, and the face is redrawn from the slider values. This is the
# ground truth: later notebooks look for directions inside a GAN that do what these sliders do.

# %%
from gentut.widgets.datasets import face_factor_panel, scene_factor_panel

face_factor_panel(seed=3)

# %% [markdown]
# The factors are independent, except one pair that is correlated on purpose: older faces wear
# glasses more often (as in real photo collections). Notebook 05 shows what that does to an
# "age" edit, and how to fix it. Measured on 5,000 faces:

# %%
faces = make_faces(5000, seed=0, size=32)
names = [f.name for f in FACE_FACTORS]
correlation = np.corrcoef(faces.factor_matrix(names).T.numpy())
fig, ax = plt.subplots(figsize=(4.5, 4), dpi=72)
image = ax.imshow(correlation, cmap="RdBu_r", vmin=-1, vmax=1)
ax.set_xticks(range(len(names)), names, rotation=90)
ax.set_yticks(range(len(names)), names)
fig.colorbar(image)
plt.show()
age, glasses = names.index("age"), names.index("eyeglasses")
others = np.abs(correlation - np.eye(len(names)))
others[age, glasses] = others[glasses, age] = 0
print(f"correlation(age, eyeglasses) = {correlation[age, glasses]:.2f}; every other pair: |r| <= {others.max():.3f}")

# %%
from gentut.evidence import check

check(correlation[age, glasses] > 0.3 and others.max() < 0.05,
      "the factors are independent, except age and eyeglasses, correlated on purpose")

# %% [markdown]
# **Outdoor scenes**: seven pixel classes and six factors, mirroring the lecture's "turn up the
# lights", "add clouds" and "add vegetation". Each image comes with its segmentation map.

# %%
# NBVAL_CHECK_OUTPUT
from gentut.data.scenes import SCENE_CLASSES, SCENE_FACTORS, make_scenes, scene_gallery

print("classes:", ", ".join(SCENE_CLASSES))
for factor in SCENE_FACTORS:
    print(f"{factor.name:12s} {factor.kind:10s} {factor.description}")

# %%
scene_gallery(make_scenes(8, seed=0, size=64), n=8)
plt.show()

# %% [markdown]
# The layout (where the trees and clouds stand) stays fixed while you move the lighting sliders,
# so the segmentation map on the right does not change: the same scene by day and by night.
# `relight` redraws scenes under other lighting; checked on 200 scenes, the masks are identical:

# %%
from gentut.data.scenes import relight

day_scenes = make_scenes(200, seed=4, size=32)
night_scenes = relight(day_scenes, daylight=0.0, lamps_on=1.0)
check(torch.equal(day_scenes.masks, night_scenes.masks), "relighting keeps the segmentation map")
fig, ax = plt.subplots(figsize=(6, 1.6), dpi=72)
ax.imshow(image_grid(torch.cat([day_scenes.images[:6], night_scenes.images[:6]]), nrow=6))
ax.set_title("the same six scenes, as drawn and relit by night (identical masks)", fontsize=9)
ax.axis("off")
plt.show()

# %%
scene_factor_panel(seed=5)

# %% [markdown]
# How much of a scene does each class cover, and how fast is the data made? Measured here:

# %%
start = time.perf_counter()
scenes = make_scenes(2000, seed=0, size=32)
scene_seconds = time.perf_counter() - start
shares = torch.bincount(scenes.masks.flatten(), minlength=len(SCENE_CLASSES)).float() / scenes.masks.numel()
print("pixel share: " + ", ".join(f"{c} {100 * s:.1f}%" for c, s in zip(SCENE_CLASSES, shares)))
start = time.perf_counter()
make_faces(5000, seed=1, size=32)
print(f"faces: {5000 / (time.perf_counter() - start):,.0f} images/s, scenes: {2000 / scene_seconds:,.0f} images/s (32x32, this machine)")

# %% [markdown]
# ## 6. The model zoo
#
# The later notebooks start from trained models: generators (a VAE, a DCGAN and a style-based
# generator), an encoder that inverts the style-based generator (notebook 07), image-to-image
# translators (pix2pix and CycleGAN, notebook 08), and the "off-the-shelf" networks that read
# images — an attribute predictor for each dataset and a scene segmenter. All were trained by the kit itself (`python -m gentut.train NAME`,
# on a CPU) and ship with the package; every load checks the file's SHA-256.

# %%
from gentut import zoo

print(zoo.describe())

# %% [markdown]
# Samples from each generator, next to real faces:

# %%
from gentut.evaluate import sample_images

rows = {"real faces": make_faces(8, seed=2, size=32).images}
for name in ("faces_vae", "faces_dcgan", "faces_stylegan"):
    rows[name] = sample_images(zoo.load(name, device=device), 8, generator).cpu()
fig, axes = plt.subplots(len(rows), 1, figsize=(9, 1.5 * len(rows)), dpi=72)
for ax, (name, images) in zip(axes, rows.items()):
    ax.imshow(image_grid(images, nrow=8))
    ax.set_title(name, fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# Can the attribute predictor read the generated faces? It returns an estimate of every factor;
# here for the style generator's first eight samples above (rounded):

# %%
predictor = zoo.load("faces_predictor", device=device)
estimates = predictor.predict(rows["faces_stylegan"].to(device)).cpu()
print(" ".join(f"{name[:8]:>8s}" for name in names))
for row in estimates:
    print(" ".join(f"{value:8.2f}" for value in row.tolist()))

# %% [markdown]
# `benchmarks/zoo_quality.py` measures the zoo properly on held-out data: predictor accuracy,
# segmenter IoU, and how close each generator's samples are to real images (a Fréchet distance
# in the predictor's feature space); the README lists the figures.
#
# ## 7. How the kit is used
#
# * `gentut.runtime.setup(seed)` — device and seeds, first cell of every notebook.
# * `gentut.data` — datasets made or shipped by the kit (never downloaded unless you ask).
# * `gentut.models` — one readable file per model family; open them, they are short.
# * `gentut.zoo.load(name)` — a trained model, checked and ready on your device.
# * `gentut.training.fit` — the training loop, with a progress bar and a guard against NaNs.
# * `gentut.widgets` — the slider panels; each one calls a plain function you can call yourself.
#
# For example, the digit browser above is `digit_threshold_view(grey_digits, index, threshold)`
# wired to two sliders; calling it directly returns the same picture as an array:

# %%
# NBVAL_CHECK_OUTPUT
from gentut.widgets.datasets import digit_threshold_view

picture = digit_threshold_view(grey_digits, index=0, threshold=8)
print("picture:", picture.shape, picture.dtype)

# %% [markdown]
# **Questions to think about**
# 1. There are `2**64` possible 8x8 binary images but only 1,797 digits. What does it mean for a
#    model to put probability on images it has never seen?
# 2. Which of the three families would you choose to *detect* unusual images (needs `p(x)`),
#    and which to draw images *fast*?
# 3. The face data has eight factors, but a generator has a 64-dimensional code. Where might the
#    other dimensions go?
