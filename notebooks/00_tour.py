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
# 3. the map of the course, and how the kit (`gentut`) is used in every notebook.

# %%
# Colab only: install gentut, keeping Colab's own torch. Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gentut @ git+https://github.com/gentut/gentut"], check=True)

# %% [markdown]
# Every notebook starts the same way: `setup` picks the GPU when there is one (so this notebook
# runs unchanged on Colab) and seeds every random number generator, so each run draws the same
# figures.

# %%
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
# what our models see. Where does a threshold of 8 lose information, and what would a
# threshold of 2 or 14 do?

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
# its neighbour probably is too". Every model in this course is a better answer to that problem.
#
# Which classifier is better depends on how much data there is. Train both on growing subsets
# of the training set and measure:

# %%
sizes = [30, 60, 120, 250, 500, 1000, 1500]
accuracy = {"discriminative": [], "generative": []}
for n in sizes:
    for name, model in [("discriminative", LogisticRegression(max_iter=2000)), ("generative", BernoulliNB())]:
        accuracy[name].append(model.fit(flat_train[:n], y_train[:n].numpy()).score(flat_test, y_test.numpy()))
fig, ax = plt.subplots(figsize=(5, 3), dpi=72)
for name, values in accuracy.items():
    ax.plot(sizes, values, marker="o", label=name)
ax.set(xscale="log", xlabel="training images", ylabel="test accuracy")
ax.legend()
plt.show()
for i, n in enumerate(sizes):
    print(f"n = {n:5d}   discriminative {accuracy['discriminative'][i]:.3f}   generative {accuracy['generative'][i]:.3f}")

# %% [markdown]
# *Think:* the generative model assumes more (independent pixels given the class) and so has
# fewer things to learn from each image. Where in the plot does that help, and where does the
# wrong assumption start to cost accuracy? (Ng & Jordan, 2001, studied exactly this.)
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
# | 07 | GAN inversion | edit your own image; the distortion–editability trade-off |
# | 08 | image-to-image | pix2pix and CycleGAN on scenes |
#
# ## 5. How the kit is used
#
# * `gentut.runtime.setup(seed)` — device and seeds, first cell of every notebook.
# * `gentut.data` — datasets made or shipped by the kit (never downloaded unless you ask).
# * `gentut.models` — one readable file per model family; open them, they are short.
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
