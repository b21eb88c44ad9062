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
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.distributions import Normal

from gentut import zoo
from gentut.data.procedural import SPLIT_SIZES, load_split
from gentut.evaluate import predictor_features, sample_images
from gentut.evidence import check, compare, spread
from gentut.gan2d import mode_coverage, train_2d_gan, train_discriminator
from gentut.gan2d_lab import lab_mixture, load_lab
from gentut.latent import interpolate, random_walk
from gentut.losses import g_nonsaturating_loss, g_saturating_loss
from gentut.metrics import frechet_distance
from gentut.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gentut.recipes import train_gan
from gentut.runtime import setup
from gentut.widgets.gan import gan2d_lab_panel, gan2d_panel, gan2d_view, interpolation_panel, truncation_panel
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
d_error = (d_trained - d_star)[where].abs().max().item()
print(f"max |D - D*| where p_data + p_G > 0.05: {d_error:.3f}")
print(check(d_error < 0.05, "where both densities have mass, the trained D matches D* to within 0.05"))

# %% [markdown]
# Where both densities have mass, the trained D matches D* to within 0.05.
#
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
print(check(abs(-math.log(4) + 2 * jsd - v_star) < 1e-3 and abs(v_trained - v_star) < 0.01,
            "the formula and the integral agree to 0.001; the trained D's sample estimate comes within 0.01"))

# %% [markdown]
# The formula and the integral agree to 0.001; the trained D's sample estimate comes within 0.01
# of them: it uses 40,000 samples and a D that is only close to D*.

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
# blue: "fake"). First, train one yourself: the original GAN with the non-saturating loss,
# small MLPs for G and D, a 2-d code $z$.

# %%
ring = lab_mixture()                       # 8 Gaussians, std 0.05, on a circle of radius 2
my_run = train_2d_gan(ring, loss="nonsaturating", steps=600, batch_size=128, lr=1e-3,
                      generator=torch.Generator().manual_seed(0))
print(f"your run at step {my_run.snapshots[-1].step}: "
      f"{mode_coverage(my_run.snapshots[-1].samples, ring)['modes']} of 8 modes covered")

# %% [markdown]
# Scrub through training with the slider: where does the generator put its samples, and how
# does the discriminator's surface move to push them?

# %%
gan2d_panel(my_run, ring)

# %% [markdown]
# ### Mode collapse, measured over seeds
#
# Whether a GAN *collapses* — puts its samples on only some of the modes — is a matter of chance:
# one run proves nothing. The kit ships a recording (made by `python -m gentut.gan2d_lab`; the
# cell below prints how long it took — WGAN-GP's five critic steps make it the slow one) of 8
# seeds of each of two objectives, 3,000 generator steps each, with the same networks and
# learning rate (1e-3, batch 128):
# * the GAN above (non-saturating loss, Adam betas (0.5, 0.999), one D step per G step);
# * WGAN-GP (Gulrajani et al., 2017) with the paper's settings except the learning rate (the
#   paper's is 1e-4): a critic $f$ with gradient penalty λ = 10 on $\lVert\nabla f\rVert$, 5 critic
#   steps per generator step, Adam betas (0, 0.9).
#
# A mode counts as covered when at least 1 % of the samples land within 3 standard deviations
# of it; "high quality" is the share of samples that land near *some* mode (the measures of
# Srivastava et al., 2017).

# %%
lab = load_lab()
record = zoo.read_manifest()["gan2d_lab"]
print(f"recording: {record['seeds']} seeds x {len(lab)} objectives, {record['steps']:,} steps each, "
      f"trained in {record['train_seconds'] / 60:.0f} min ({record['device']})")
fig, axes = plt.subplots(2, 8, figsize=(12, 3.4), dpi=72)
for row, (loss, seeds) in zip(axes, lab.items()):
    for seed, (ax, run) in enumerate(zip(row, seeds)):
        ax.imshow(gan2d_view(run, ring, -1, size=128))
        ax.set_title(f"{loss}\nseed {seed}", fontsize=8)
        ax.axis("off")
plt.show()

# %%
coverage = {loss: [[mode_coverage(s.samples, ring) for s in run.snapshots] for run in seeds]
            for loss, seeds in lab.items()}
steps = [s.step for s in lab["wgan-gp"][0].snapshots]
fig, axes = plt.subplots(1, 2, figsize=(10, 3), dpi=72)
for loss, runs in coverage.items():
    modes = np.array([[c["modes"] for c in run] for run in runs])
    quality = np.array([[c["high_quality"] for c in run] for run in runs])
    for ax, values in zip(axes, (modes, quality)):
        ax.plot(steps, values.mean(0), label=loss)
        ax.fill_between(steps, values.min(0), values.max(0), alpha=0.2)
axes[0].set(xlabel="generator step", ylabel="modes covered (of 8)", title="mean, and min-max over 8 seeds")
axes[1].set(xlabel="generator step", ylabel="high-quality share", title="mean, and min-max over 8 seeds")
axes[0].legend()
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print(f"{'':14s} {'all 8 modes':>12s} {'modes: mean':>12s} {'min':>4s} {'high quality':>13s}"
      f" {'KL(modes||uniform)':>19s} {'fewest modes, 2nd half':>23s}")
for loss, runs in coverage.items():
    final = [run[-1] for run in runs]
    late = [min(c["modes"] for c in run[len(run) // 2:]) for run in runs]
    print(f"{loss:14s} {sum(c['modes'] == 8 for c in final):7d} of 8 {np.mean([c['modes'] for c in final]):12.1f}"
          f" {min(c['modes'] for c in final):4d} {np.mean([c['high_quality'] for c in final]):13.2f}"
          f" {np.mean([c['kl_modes'] for c in final]):19.2f} {np.mean(late):23.1f}")

# %% [markdown]
# Averages hide what each run does. Seed by seed: the modes covered at every snapshot (one digit
# per 100 steps), the first step with all 8, the fewest after that, and the end.

# %%
names = {"nonsaturating": "GAN", "wgan-gp": "WGAN-GP"}
facts = {}
for loss, runs in coverage.items():
    facts[loss] = []
    for seed, run in enumerate(runs):
        modes = [c["modes"] for c in run]
        first = modes.index(8) if 8 in modes else None
        facts[loss].append({"modes": modes, "first_8": None if first is None else steps[first],
                            "fewest_after": None if first is None else min(modes[first:]), "final": modes[-1],
                            "high_quality": run[-1]["high_quality"]})
        print(f"{names[loss]:8s} seed {seed}: {''.join(map(str, modes))}   all 8 first at step "
              f"{facts[loss][-1]['first_8']}, fewest after that {facts[loss][-1]['fewest_after']}, final {modes[-1]}")
summary = {}
for loss, runs in facts.items():
    reached = [f for f in runs if f["first_8"] is not None]
    summary[loss] = {"reached": len(reached), "first_8": [f["first_8"] for f in reached],
                     "dropped": sum(f["fewest_after"] < 8 for f in reached),
                     "climbed_back": sum(f["final"] > f["fewest_after"] for f in reached),
                     "end_8": sum(f["final"] == 8 for f in runs), "finals": [f["final"] for f in runs],
                     "high_quality": [f["high_quality"] for f in runs]}
    row = summary[loss]
    print(f"\n{names[loss]}: {row['reached']} of 8 seeds reach all 8 modes, first at step "
          f"{spread(row['first_8']):.0f}; {row['dropped']} of them later drop below 8, {row['climbed_back']} climb "
          f"back from their lowest, and {row['end_8']} of 8 end with all 8")
gan, wgan = summary["nonsaturating"], summary["wgan-gp"]
delay = compare("WGAN-GP", wgan["first_8"], "the GAN", gan["first_8"], paired=False).difference
print(f"\nWGAN-GP reaches all 8 modes {delay:.0f} steps later than the GAN (mean over seeds"
      f"{'' if delay.excludes(0) else '; within noise'})")
print("high-quality share at the last step, over 8 seeds each:",
      compare("the GAN", gan["high_quality"], "WGAN-GP", wgan["high_quality"], paired=False))

fig, axes = plt.subplots(1, 2, figsize=(10, 2.8), dpi=72, sharey=True)
for ax, (loss, runs) in zip(axes, facts.items()):
    for seed, f in enumerate(runs):
        ax.plot(steps, np.array(f["modes"]) + 0.06 * (seed - 3.5), linewidth=1, label=f"seed {seed}")
    ax.set(xlabel="generator step", title=f"{names[loss]}: modes covered, each seed")
axes[0].set_ylabel("modes covered (of 8)")
axes[1].legend(fontsize=7, ncol=2, loc="lower right")
plt.show()

fig, axes = plt.subplots(2, 3, figsize=(6.5, 4.6), dpi=72)
for row, loss in zip(axes, facts):
    seed = next(i for i, f in enumerate(facts[loss]) if f["first_8"] is not None and f["fewest_after"] < 8)
    f = facts[loss][seed]
    first = steps.index(f["first_8"])
    lowest = first + int(np.argmin(f["modes"][first:]))
    for ax, index, what in zip(row, (first, lowest, len(steps) - 1), ("first all 8", "fewest after", "end")):
        ax.imshow(gan2d_view(lab[loss][seed], ring, index, size=128))
        ax.set_title(f"{names[loss]} seed {seed}, step {steps[index]}\n{what}: {f['modes'][index]} modes", fontsize=8)
        ax.axis("off")
plt.show()

print(check(gan["reached"] == 8 and max(gan["first_8"]) <= 1500,
            "every GAN seed spreads over all 8 modes in the first half"))
print(check(gan["dropped"] > 4, "most then lose modes"))
print(check(gan["climbed_back"] >= 1 and len(set(gan["finals"])) > 1,
            "some runs climb back, others keep falling, so seeds end with different numbers of modes"))
print(check(delay.low > 0, "WGAN-GP reaches all 8 modes later, on average over the seeds"))
print(check(wgan["dropped"] == wgan["reached"] == 8,
            "every WGAN-GP seed drops below 8 after first covering all of them"))
print(check(wgan["end_8"] == 8, "every WGAN-GP seed ends covering all 8"))
print(check(compare("the GAN", gan["high_quality"], "WGAN-GP", wgan["high_quality"], paired=False).verdict == "better",
            "fewer of WGAN-GP's samples sit on a mode"))

# %% [markdown]
# Read the curves, the table and the seeds together. Every GAN seed spreads over all 8 modes in
# the first half, and most then lose modes: the discriminator learns where the samples are, and
# the generator moves them to other modes. Losing a mode is not final: some runs climb back,
# others keep falling, so seeds end with different numbers of modes; the lowest count over the
# second half shows how far each run fell. WGAN-GP reaches all 8 modes later, on average over the
# seeds. It does not hold them either: every WGAN-GP seed drops below 8 after first covering all
# of them. Yet in this recording every WGAN-GP seed ends covering all 8. The paper's reason to
# expect it: the critic is a smooth function (the gradient penalty keeps its slope near 1), so
# an empty mode keeps pulling samples towards it — an argument, which nothing here measures. It
# pays in sharpness: fewer of WGAN-GP's samples sit on a mode (the high-quality share, compared
# over seeds above).
#
# Compare the two objectives side by side, seed by seed and step by step:

# %%
gan2d_lab_panel(lab, ring)

# %% [markdown]
# ## 5. DCGAN on faces
#
# DCGAN (Radford et al., 2016) is a GAN whose generator is a stack of upsampling convolutions
# with batch norm (`gentut/models/dcgan.py`). The zoo's `faces_dcgan` was trained on the faces'
# training split (`python -m gentut.train faces_dcgan`; the cell prints how long). First, a few
# steps of your own, from scratch, with the same recipe:

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
# How far did 100 steps get, compared with the zoo's model? The Fréchet distance (FD) between
# 1,000 samples and 1,000 held-out faces, in the attribute predictor's feature space (lower is
# better; two sets of real faces score the "floor"):

# %%
dcgan_record = zoo.read_manifest()["faces_dcgan"]
print(f"zoo's faces_dcgan: {dcgan_record['steps']:,} steps on {SPLIT_SIZES['train']:,} training faces, "
      f"trained in {dcgan_record['train_seconds'] / 60:.0f} min ({dcgan_record['device']})")
G = zoo.load("faces_dcgan", device=device)
predictor = zoo.load("faces_predictor", device=device)
held_out = load_split("faces", "val", n=1000).to(device)
held_features = predictor_features(predictor, held_out.images)          # the reals' features, once
floor = frechet_distance(predictor_features(predictor, load_split("faces", "test", n=1000).images.to(device)), held_features)
samples = {"100 steps (yours)": sample_images(my_G, 1000, generator),
           f"{dcgan_record['steps']:,} steps (zoo)": sample_images(G, 1000, generator)}
fds = {name: frechet_distance(predictor_features(predictor, images), held_features) for name, images in samples.items()}
for name, fd in fds.items():
    print(f"{name:18s} FD {fd:6.2f}")
print(f"{'real vs real':18s} FD {floor:6.2f}   (one sample of 1,000 each)")
fd_yours, fd_zoo = fds.values()
print(check(fd_yours > 5 * fd_zoo and fd_zoo > floor,
            "100 steps leave the FD many times the zoo model's, "
            "and the zoo model stays above the real-vs-real floor"))
fig, axes = plt.subplots(2, 1, figsize=(8, 2.6), dpi=72)
for ax, (name, images) in zip(axes, samples.items()):
    ax.imshow(image_grid(images[:12].cpu(), nrow=12))
    ax.set_title(name, fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# 100 steps leave the FD many times the zoo model's, and the zoo model stays above the
# real-vs-real floor.
#
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
middle = {name: paths[name][4].norm().item() for name in ("linear z1 -> z2", "spherical z1 -> z2")}
print(f"|z1| = {codes[0].norm():.2f}, |z2| = {codes[1].norm():.2f}; half way: linear {middle['linear z1 -> z2']:.2f}, "
      f"spherical {middle['spherical z1 -> z2']:.2f}")

# %% [markdown]
# Drag `alpha` to move along the straight line between two codes (left and right):

# %%
interpolation_panel(G, seed=1)

# %% [markdown]
# ## 7. Truncation: typicality vs diversity
#
# The *truncation trick* draws codes closer to the centre of the latent distribution: fewer
# unusual samples, less variety. Two versions, measured with 400 samples per ψ: FD to 400
# held-out faces; diversity, the mean distance between two samples' predictor features; and
# typicality, each sample's feature distance to its nearest held-out face (lower: more typical),
# averaged:
# * the DCGAN above, in Z: scale the code, `z' = ψ z`;
# * the style-based generator of the zoo (`faces_stylegan`, used from notebook 05 on), in its
#   intermediate space W: `w' = w̄ + ψ (w - w̄)`, where `w̄` is the average `w`. ψ = 1 is the
#   plain generator; ψ = 0 gives every code the same, average face.

# %%
style_G = zoo.load("faces_stylegan", device=device)
z = torch.randn(400, 64, generator=generator).to(device)
draws = {"DCGAN, Z: psi z": lambda psi: G(psi * z),
         "style-based, W: w_avg + psi (w - w_avg)": lambda psi: style_G(z, psi=psi)}
psis = [0.0, 0.25, 0.5, 0.75, 1.0]
real_features = held_features[:400]                      # the first 400 held-out faces
truncated = {}                                             # name -> {"fd", "diversity", "typicality", "faces"}
fig, axes = plt.subplots(1, 2, figsize=(10, 3), dpi=72)
for ax, (name, draw) in zip(axes, draws.items()):
    row = truncated[name] = {"fd": [], "diversity": [], "typicality": [], "nearest": [], "faces": []}
    for psi in psis:
        with torch.no_grad():
            images = draw(psi)
        features = predictor_features(predictor, images)
        row["fd"].append(frechet_distance(features, real_features))
        row["diversity"].append(torch.pdist(features).mean().item())
        row["nearest"].append(torch.cdist(features, real_features).min(1).values)     # (400,), one per code
        row["typicality"].append(row["nearest"][-1].mean().item())
        row["faces"].append(images[:8].cpu())
        print(f"{name:40s} psi = {psi:4.2f}: FD {row['fd'][-1]:6.2f}   diversity {row['diversity'][-1]:6.3f}   "
              f"typicality {row['typicality'][-1]:6.3f}")
    ax.plot(psis, row["fd"], marker="o", label="FD to real (lower: more realistic set)")
    ax.plot(psis, row["diversity"], marker="o", label="diversity (feature distance)")
    ax.plot(psis, row["typicality"], marker="o", label="typicality (distance to nearest real)")
    ax.set(xlabel="truncation psi", title=name)
    ax.legend(fontsize=8)
plt.show()

fig, axes = plt.subplots(1, 2, figsize=(12, 5.4), dpi=72)
for ax, (name, row) in zip(axes, truncated.items()):
    ax.imshow(image_grid(torch.cat(row["faces"]), nrow=8))
    ax.set_title(f"{name}\nrows: psi = " + ", ".join(map(str, psis)), fontsize=9)
    ax.axis("off")
plt.show()
for name, row in truncated.items():
    typical = compare("psi = 0.5", row["nearest"][2], "psi = 1", row["nearest"][4], higher_is_better=False)
    print(f"{name}, typicality on the same 400 codes: {typical.sentence('.3f')}")
    print(check(all(np.diff(row["fd"]) < 0), f"{name}: the FD falls as psi rises toward 1"))
    print(check(all(np.diff(row["diversity"]) > 0) and row["diversity"][0] < 1e-4,
                f"{name}: diversity rises with psi, from zero at psi = 0"))

# %% [markdown]
# For both generators the FD falls as ψ rises toward 1, and diversity rises with ψ, from zero at
# ψ = 0 (every code gives the same face). The FD rewards a *set* of samples that looks like the
# real set, diversity included, so it gets worse as ψ shrinks, whatever happens to each face.
# Whether each truncated face is more *typical* is what the third curve measures, and the two
# lines printed above compare ψ = 0.5 with ψ = 1 on the same codes: read the verdict there (it is
# not guaranteed; the average face need not lie close to any real one). Try it:

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
