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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/03_gan.ipynb)
#
# # 03 — Generative adversarial networks
#
# A GAN (Goodfellow et al., 2014) never writes down `p(x)`. A generator `G` turns noise `z` into
# samples, a discriminator `D` tries to tell them from real data, and the two play
#
# $$\min_G \max_D \; V(D, G) = \mathbb{E}_{x \sim p_{data}}[\log D(x)] + \mathbb{E}_{z \sim p(z)}[\log(1 - D(G(z)))].$$
#
# In this notebook you will check the theory numerically and then watch it work:
# * the optimal discriminator $D^* = p_{data} / (p_{data} + p_G)$, and the game's value as a
#   Jensen–Shannon divergence, on a 1-D example where every density is known;
# * why generators are trained with the *non-saturating* loss (its gradients, plotted);
# * a GAN Lab on a ring of 8 Gaussians: samples and the discriminator's belief over training,
#   mode collapse, and what WGAN-GP changes — with a mode-coverage number;
# * a DCGAN on the kit's faces: a few training steps yourself, latent walks, and truncation.

# %%
# Colab only: install gentut, keeping Colab's own torch. Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gentut @ git+https://github.com/gentut/gentut"], check=True)

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.distributions import Normal

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import load_split
from gentut.evaluate import generator_quality, predictor_features, sample_images
from gentut.gan2d import mode_coverage, ring_mixture, train_2d_gan, train_discriminator
from gentut.latent import interpolate, random_walk
from gentut.losses import g_nonsaturating_loss, g_saturating_loss
from gentut.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gentut.recipes import train_gan
from gentut.runtime import setup
from gentut.widgets.gan import gan2d_panel, gan2d_view, interpolation_panel, truncation_panel
from gentut.widgets.render import image_grid

device, generator = setup(seed=0)

# %% [markdown]
# ## 1. The optimal discriminator, checked
#
# For a fixed generator, $V$ is maximised pointwise by $D^*(x) = p_{data}(x) / (p_{data}(x) + p_G(x))$.
# Take two 1-D Gaussians we know exactly — "data" $\mathcal{N}(1.5, 0.5^2)$ and "generator"
# $\mathcal{N}(-0.5, 1)$ — train a small discriminator on samples of each with the GAN's
# discriminator loss, and compare it with the formula.

# %%
p_data, p_gen = Normal(1.5, 0.5), Normal(-0.5, 1.0)
real = p_data.sample((20000, 1))
fake = p_gen.sample((20000, 1))
D = train_discriminator(real, fake, steps=1500, generator=generator)

xs = torch.linspace(-4, 4, 401)[:, None]
d_star = p_data.log_prob(xs).exp() / (p_data.log_prob(xs).exp() + p_gen.log_prob(xs).exp())
with torch.no_grad():
    d_trained = torch.sigmoid(D(xs))
fig, ax = plt.subplots(figsize=(6, 3), dpi=72)
ax.plot(xs, p_data.log_prob(xs).exp(), label="p_data", color="tab:green")
ax.plot(xs, p_gen.log_prob(xs).exp(), label="p_G", color="tab:orange")
ax.plot(xs, d_star, label="D* (formula)", color="black", linewidth=3)
ax.plot(xs, d_trained, "--", label="trained D", color="tab:red")
ax.set_xlabel("x")
ax.legend()
plt.show()
where = (p_data.log_prob(xs).exp() + p_gen.log_prob(xs).exp()) > 0.05      # where there is data to learn from
print(f"max |D - D*| where p_data + p_G > 0.05: {(d_trained - d_star)[where].abs().max():.3f}")

# %% [markdown]
# ## 2. The value of the game is a Jensen–Shannon divergence
#
# Plugging $D^*$ into $V$ gives $V(G, D^*) = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\, p_G)$: the
# generator, by lowering $V$, lowers the JSD, which is 0 only when $p_G = p_{data}$. Three numbers
# that should agree: the JSD integrated numerically, $V(G, D^*)$ integrated numerically, and
# $V$ estimated from samples with the *trained* $D$.

# %%
def integrate(values, grid):
    return torch.trapezoid(values.squeeze(), grid.squeeze()).item()


grid = torch.linspace(-8, 8, 4001)[:, None]
log_pd, log_pg = p_data.log_prob(grid), p_gen.log_prob(grid)          # logs: no 0 * log(0) far out
log_m = torch.logaddexp(log_pd, log_pg) - math.log(2)                  # log of the mixture (p_data + p_G) / 2
pd, pg = log_pd.exp(), log_pg.exp()
jsd = 0.5 * integrate(pd * (log_pd - log_m), grid) + 0.5 * integrate(pg * (log_pg - log_m), grid)
log_d_star = log_pd - torch.logaddexp(log_pd, log_pg)                  # log D*
log_one_minus = log_pg - torch.logaddexp(log_pd, log_pg)               # log (1 - D*)
v_star = integrate(pd * log_d_star + pg * log_one_minus, grid)
with torch.no_grad():
    v_trained = (torch.sigmoid(D(real)).log().mean() + (1 - torch.sigmoid(D(fake))).log().mean()).item()
print(f"JSD(p_data || p_G)            = {jsd:.4f} nats")
print(f"-log 4 + 2 JSD                = {-math.log(4) + 2 * jsd:.4f}")
print(f"V(G, D*), integrated          = {v_star:.4f}")
print(f"V(G, trained D), from samples = {v_trained:.4f}")

# %% [markdown]
# ## 3. Saturating vs non-saturating generator loss
#
# The minimax generator minimises $\log(1 - D(G(z)))$. Early in training $D$ easily spots fakes,
# $D(G(z)) \approx 0$, and this loss is flat there: the generator gets almost no gradient. The
# *non-saturating* loss $-\log D(G(z))$ has the same fixed point but strong gradients exactly
# there. Autograd on the kit's two loss functions, as a function of $D(G(z))$:

# %%
d_of_fake = torch.linspace(0.001, 0.999, 400)
gradients = {}
for name, loss_fn in [("saturating: log(1 - D)", g_saturating_loss), ("non-saturating: -log D", g_nonsaturating_loss)]:
    logits = torch.logit(d_of_fake).requires_grad_(True)
    loss_fn(logits).backward()
    gradients[name] = logits.grad.abs() * len(logits)          # |d loss / d logit| per sample
fig, ax = plt.subplots(figsize=(6, 3), dpi=72)
for name, grad in gradients.items():
    ax.plot(d_of_fake, grad, label=name)
ax.set(xlabel="D(G(z))", ylabel="|gradient wrt D's logit|")
ax.legend()
plt.show()
for name, grad in gradients.items():
    print(f"{name:24s} at D(G(z)) = 0.01: {grad[3].item():.3f}   at 0.99: {grad[-4].item():.3f}")

# %% [markdown]
# ## 4. GAN Lab: a ring of eight Gaussians
#
# In two dimensions we can see everything: the generator's samples (black dots), the data's
# modes (white squares) and the discriminator's belief $\sigma(D(x))$ over the plane (red: "real",
# blue: "fake"). We train two GANs with the same small networks:
# * the original GAN with the non-saturating loss (Adam, betas (0.5, 0.999));
# * WGAN-GP (Gulrajani et al., 2017) with the paper's settings: gradient penalty λ = 10,
#   5 critic steps per generator step, Adam betas (0, 0.9).
#
# (The learning rates, 1e-3 and 5e-4, are larger than the papers' image settings so that this
# runs in seconds. Each run has its own seed: change it and run again — GAN training is a
# different game every time, which is exactly why coverage must be measured.)

# %%
ring = ring_mixture(k=8, radius=2.0, std=0.05)
runs = {
    "GAN (non-saturating)": train_2d_gan(ring, loss="nonsaturating", steps=1500, batch_size=128, lr=1e-3,
                                         generator=torch.Generator().manual_seed(0)),
    "WGAN-GP": train_2d_gan(ring, loss="wgan-gp", steps=800, batch_size=128, lr=5e-4,
                            generator=torch.Generator().manual_seed(0)),
}

# %%
fig, axes = plt.subplots(2, 4, figsize=(10, 5.4), dpi=72)
for row, (name, run) in zip(axes, runs.items()):
    picks = np.linspace(0, len(run.snapshots) - 1, 4).astype(int)
    for ax, index in zip(row, picks):
        ax.imshow(gan2d_view(run, ring, index))
        ax.set_title(f"{name}\nstep {run.snapshots[index].step}", fontsize=9)
        ax.axis("off")
plt.show()

# %% [markdown]
# How many of the 8 modes does each generator reach? A mode counts when at least 1 % of the
# samples land within 3 standard deviations of it; "high quality" is the share of samples that
# land near *some* mode (the measures of Srivastava et al., 2017).

# %%
fig, ax = plt.subplots(figsize=(6, 3), dpi=72)
for name, run in runs.items():
    ax.plot([s.step for s in run.snapshots], [mode_coverage(s.samples, ring)["modes"] for s in run.snapshots],
            marker="o", label=name)
ax.set(xlabel="generator step", ylabel="modes covered (of 8)")
ax.legend()
plt.show()
print(f"{'':22s} {'modes':>6s} {'high quality':>13s} {'KL(modes || uniform)':>21s}  {'fewest modes, last half':>24s}")
for name, run in runs.items():
    final = mode_coverage(run.snapshots[-1].samples, ring)
    late = min(mode_coverage(s.samples, ring)["modes"] for s in run.snapshots[len(run.snapshots) // 2:])
    print(f"{name:22s} {final['modes']:6d} {final['high_quality']:13.2f} {final['kl_modes']:21.2f}  {late:24d}")

# %% [markdown]
# Read the curves and the table together. *Mode collapse* shows up as a generator that puts
# sharp samples on only some of the modes, or hops from mode to mode as the discriminator chases
# it (the coverage curve drops and recovers). A generator that covers every mode but scatters
# samples between them scores many modes but low "high quality". Which pattern does each of
# your runs show, and what does the Wasserstein critic's smooth surface change in how the
# generator is pushed?

# %% [markdown]
# Scrub through training with the slider: where does each generator put its samples, and how
# does the discriminator's surface move to push them?

# %%
gan2d_panel(runs["GAN (non-saturating)"], ring)

# %%
gan2d_panel(runs["WGAN-GP"], ring)

# %% [markdown]
# ## 5. DCGAN on faces
#
# DCGAN (Radford et al., 2016) is a GAN whose generator is a stack of upsampling convolutions
# with batch norm (`gentut/models/dcgan.py`). The zoo's `faces_dcgan` trained for 6,000 steps on
# 20,000 faces (`python -m gentut.train faces_dcgan`). First, a few steps of your own, from
# scratch, with the same recipe:

# %%
# NBVAL_CHECK_OUTPUT
faces = load_split("faces", "train", n=2000).to(device)
my_G = DCGANGenerator(z_dim=64, image_size=32, width=16, max_channels=128).to(device)
my_D = DCGANDiscriminator(image_size=32, width=16, max_channels=128).to(device)
print(f"training faces: {tuple(faces.images.shape)}")
print(f"generator: {sum(p.numel() for p in my_G.parameters()):,} parameters, "
      f"discriminator: {sum(p.numel() for p in my_D.parameters()):,}")

# %%
my_G, _ = train_gan(my_G, my_D, faces, steps=100, lr=5e-4, betas=(0.5, 0.999), generator=generator,
                    desc="DCGAN, 100 steps")

# %% [markdown]
# How far did 100 steps get, compared with the zoo's 6,000? The Fréchet distance (FD) between
# 1,000 samples and 1,000 held-out faces, in the attribute predictor's feature space (lower is
# better; two sets of real faces score the "floor"):

# %%
G = zoo.load("faces_dcgan", device=device)
predictor = zoo.load("faces_predictor", device=device)
held_out = load_split("faces", "val", n=1000).to(device)
floor = generator_quality(load_split("faces", "test", n=1000).images.to(device), held_out, predictor, FACE_FACTORS)["fd"]
samples = {"100 steps (yours)": sample_images(my_G, 1000, generator), "6,000 steps (zoo)": sample_images(G, 1000, generator)}
for name, images in samples.items():
    print(f"{name:18s} FD {generator_quality(images, held_out, predictor, FACE_FACTORS)['fd']:6.2f}")
print(f"{'real vs real':18s} FD {floor:6.2f}")
fig, axes = plt.subplots(2, 1, figsize=(8, 2.6), dpi=72)
for ax, (name, images) in zip(axes, samples.items()):
    ax.imshow(image_grid(images[:12].cpu(), nrow=12))
    ax.set_title(name, fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 6. Walking the latent space
#
# A trained generator maps *nearby codes to similar images*. The straight line from `z1` to `z2`
# morphs one face into another; a random walk of small steps drifts through faces. The
# straight line passes closer to the origin than typical codes do (a 64-d Gaussian code has
# norm ≈ 8): the spherical path (slerp) keeps the norm.

# %%
codes = torch.randn(2, 64, generator=generator)
alphas = torch.linspace(0, 1, 9)
paths = {"linear z1 -> z2": interpolate(codes[0], codes[1], alphas),
         "spherical z1 -> z2": interpolate(codes[0], codes[1], alphas, spherical=True),
         "random walk": random_walk(codes[0], 8, step_size=0.5, generator=generator)}
fig, axes = plt.subplots(3, 1, figsize=(8, 3.6), dpi=72)
for ax, (name, path) in zip(axes, paths.items()):
    with torch.no_grad():
        ax.imshow(image_grid(G(path.to(device)).cpu(), nrow=9))
    ax.set_title(f"{name}   |z| = " + " ".join(f"{n:.1f}" for n in path.norm(dim=1).tolist()), fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# Drag `alpha` to move along the straight line between two codes (left and right):

# %%
interpolation_panel(G, seed=1)

# %% [markdown]
# ## 7. Truncation: typicality vs diversity
#
# The style-based generator of the zoo (`faces_stylegan`, used from notebook 05 on) maps `z` to an
# intermediate code `w`. The *truncation trick* pulls `w` towards the average `w̄`:
# `w' = w̄ + ψ (w - w̄)`. ψ = 1 is the plain generator; ψ = 0 gives every code the same, average
# face. Measured over 1,000 samples per ψ: FD to held-out faces, and diversity as the mean
# distance between two samples' predictor features.

# %%
style_G = zoo.load("faces_stylegan", device=device)
psis = [0.0, 0.25, 0.5, 0.75, 1.0]
fd, diversity = [], []
for psi in psis:
    images = sample_images(style_G, 1000, generator, psi=psi)
    features = predictor_features(predictor, images)
    fd.append(generator_quality(images, held_out, predictor, FACE_FACTORS)["fd"])
    diversity.append(torch.pdist(features[:500]).mean().item())
    print(f"psi = {psi:4.2f}: FD {fd[-1]:6.2f}   diversity {diversity[-1]:6.3f}")
fig, ax = plt.subplots(figsize=(5, 3), dpi=72)
ax.plot(psis, fd, marker="o", label="FD to real (lower: more realistic set)")
ax.plot(psis, diversity, marker="o", label="diversity (feature distance)")
ax.set_xlabel("truncation psi")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The FD rewards a *set* of samples that looks like the real set, diversity included, so it can
# get worse as ψ shrinks even while each face looks cleaner. Try it:

# %%
truncation_panel(style_G, n=8, seed=2)

# %% [markdown]
# **Questions to think about**
# 1. In section 1 the trained D matches D* well where both densities have mass. What does it do
#    far away, where neither has samples — and why does that matter for the generator's gradient?
# 2. Section 4 reports two numbers per run: modes covered and the share of sharp samples. Which
#    would you report in a paper, and why is one number (or one seed) never enough?
# 3. If `p_G` and `p_data` do not overlap at all, what is their JSD, and what gradient does the
#    generator get? How does the Wasserstein distance behave instead?
