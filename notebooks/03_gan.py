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
# * a GAN Lab on a ring of 8 Gaussians: the training loop written out, with its loss curves;
#   samples and the discriminator's belief over training, mode collapse, and what WGAN-GP (its
#   objective as equations) changes — with a mode-coverage number;
# * a DCGAN on the kit's faces: a few training steps yourself, latent walks, and truncation;
# * the style-based generator the later notebooks use: mapping network, modulated convolutions,
#   the spaces Z, W, W+ and S, and style mixing, measured with the attribute predictor.

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
import inspect
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch.distributions import Normal

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import SPLIT_SIZES, load_split
from gentut.evaluate import predictor_features, sample_images
from gentut.evidence import bootstrap, check, compare, spread
from gentut.gan2d import mlp, mode_coverage, train_2d_gan, train_discriminator
from gentut.gan2d_lab import lab_mixture, load_lab
from gentut.interpret.edits import broadcast_ws, render_ws, sample_latents
from gentut.latent import interpolate, random_walk
from gentut.losses import d_logistic_loss, g_nonsaturating_loss, g_saturating_loss, gradient_penalty, wgan_critic_loss
from gentut.metrics import frechet_distance
from gentut.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gentut.progress import tqdm                  # tqdm.auto, keeping its last line in the saved notebook
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
low, high = (int((d_of_fake - d).abs().argmin()) for d in (0.01, 0.99))     # the grid points nearest 0.01, 0.99
for name, grad in gradients.items():
    print(f"{name:24s} at D(G(z)) = {d_of_fake[low]:.4f}: {grad[low].item():.3f}   "
          f"at {d_of_fake[high]:.4f}: {grad[high].item():.3f}")

# %% [markdown]
# ## 4. GAN Lab: a ring of eight Gaussians
#
# In two dimensions we can see everything: the generator's samples (black dots), the data's
# modes (white squares) and the discriminator's belief $\sigma(D(x))$ over the plane (red: "real",
# blue: "fake").
#
# ### The training loop, written out
#
# A GAN's training loop is a few lines of plain PyTorch. Each step: draw a batch of real points
# and a batch of codes $z \sim \mathcal{N}(0, I)$; take one step on D with its loss
# $-\log \sigma(D(x)) - \log(1 - \sigma(D(G(z))))$ (`d_logistic_loss`, with `G(z)` detached so that
# this step moves D only); then one step on G with the non-saturating loss
# $-\log \sigma(D(G(z)))$ (`g_nonsaturating_loss`), through the D just updated. G and D are small
# MLPs (2 hidden layers of 64 units), the code $z$ is 2-d. Watch the two losses it records: they
# do not fall to zero the way a classifier's loss does.

# %%
ring = lab_mixture()                       # 8 Gaussians, std 0.05, on a circle of radius 2
G, D = mlp(2, 2, hidden=64, n_hidden=2), mlp(2, 1, hidden=64, n_hidden=2)     # z (B, 2) -> x (B, 2) -> logit (B, 1)
opt_g = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
losses = {"D": [], "G": []}
for step in tqdm(range(400), desc="GAN, written out"):
    real = ring.sample(128, generator)                              # (128, 2)
    fake = G(torch.randn(128, 2, generator=generator))              # (128, 2)
    d_loss = d_logistic_loss(D(real).squeeze(1), D(fake.detach()).squeeze(1))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = g_nonsaturating_loss(D(fake).squeeze(1))
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    losses["D"].append(d_loss.item())
    losses["G"].append(g_loss.item())

# %% [markdown]
# The losses step by step (faint) and averaged over 25 steps (solid); the dashed lines are the
# losses of a D that cannot tell real from fake and says $\sigma(D) = 1/2$ everywhere:
# $2 \log 2$ for D and $\log 2$ for G. On the right, where G puts 1,000 samples after training.

# %%
def smooth(values, window=25):
    """Moving average of a loss curve (n,) -> (n - window + 1,)."""
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_losses(ax, curves, title, window=25):
    """Each loss of curves {name: (n,)} per step (faint) and smoothed, with the dashed lines of D = 1/2."""
    for (name, values), color in zip(curves.items(), ("tab:red", "tab:blue")):
        ax.plot(values, color=color, alpha=0.25, linewidth=0.8)
        ax.plot(np.arange(window - 1, len(values)), smooth(values, window), color=color, label=f"{name} loss")
    ax.axhline(2 * math.log(2), color="tab:red", linestyle="--", linewidth=1, label="2 log 2")
    ax.axhline(math.log(2), color="tab:blue", linestyle="--", linewidth=1, label="log 2")
    ax.set(xlabel="step", title=title, ylim=(0, None))
    ax.legend(fontsize=8, loc="lower right", ncol=2)


def describe_losses(curves):
    """Print the range of each smoothed loss and how often D's lies below 2 log 2; check two sentences."""
    for name, values in curves.items():
        print(f"{name} loss, 25-step averages from {smooth(values).min():.2f} to {smooth(values).max():.2f}")
    below = np.mean(smooth(curves["D"]) < 2 * math.log(2))
    print(f"D loss below 2 log 2 = {2 * math.log(2):.3f} in {below:.0%} of the 25-step windows")
    print(check(min(smooth(values).min() for values in curves.values()) > 0.5,
                "averaged over 25 steps, neither loss falls below 0.5"))
    print(check(below > 0.9, "the D loss stays below 2 log 2 in more than 90 % of the windows"))


with torch.no_grad():
    loop_samples = G(torch.randn(1000, 2, generator=generator))
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), dpi=72, gridspec_kw={"width_ratios": [2, 1]})
plot_losses(axes[0], losses, "the written-out loop")
axes[1].scatter(*loop_samples.T, s=2, color="black")
axes[1].scatter(*ring.centres.T, marker="s", color="tab:green")
axes[1].set(aspect="equal", title=f"samples after {len(losses['D'])} steps")
plt.show()
print(f"after {len(losses['D'])} steps: {mode_coverage(loop_samples, ring)['modes']} of 8 modes covered")
describe_losses(losses)

# %% [markdown]
# Averaged over 25 steps, neither loss falls below 0.5: a classifier's loss would fall towards 0,
# but here each network's step undoes part of the other's, and D never wins outright. The D loss
# stays below 2 log 2 in more than 90 % of the windows: D keeps telling real from fake better than
# a coin would.

# %% [markdown]
# ### The kit's `train_2d_gan`
#
# `gentut.gan2d.train_2d_gan` runs the same loop, with bigger MLPs by default (3 hidden layers of
# 128 units), and adds what a lab needs:
# * **snapshots**: every `snapshot_every` steps it keeps G's samples for one fixed set of codes and
#   D's output over a grid of the plane: what the slider below scrubs through;
# * **a second objective**, `loss="wgan-gp"`: five critic steps per G step, the critic loss with
#   its gradient penalty, and that paper's Adam settings (the equations are further down);
# * **seeded networks**: G and D are initialised from the `generator` it is given, inside
#   `torch.random.fork_rng`, so one seed gives one run and the global random state is untouched;
# * **a divergence guard**: it raises `TrainingDiverged` at the first loss that is not finite;
# * **the loss history**, `run.history`: one `{"d": ..., "g": ...}` per G step, the two numbers the
#   loop above kept in `losses`.
#
# Two details differ from the loop above: the D step draws its fakes under `torch.no_grad()`
# (the same gradient as `detach()`), and the G step draws fresh codes instead of reusing the D
# step's batch. Train one with it: the original GAN, 600 steps.

# %%
my_run = train_2d_gan(ring, loss="nonsaturating", steps=600, batch_size=128, lr=1e-3,
                      generator=torch.Generator().manual_seed(0))
print(f"your run at step {my_run.snapshots[-1].step}: "
      f"{mode_coverage(my_run.snapshots[-1].samples, ring)['modes']} of 8 modes covered")

# %% [markdown]
# Its loss history, with the number of modes its samples cover at each snapshot (black, right axis):

# %%
run_losses = {"D": [h["d"] for h in my_run.history], "G": [h["g"] for h in my_run.history]}
run_modes = [mode_coverage(s.samples, ring)["modes"] for s in my_run.snapshots]   # at steps 0, 100, ...
fig, ax = plt.subplots(figsize=(8, 3.2), dpi=72)
plot_losses(ax, run_losses, "train_2d_gan, non-saturating GAN")
twin = ax.twinx()
twin.plot([s.step for s in my_run.snapshots], run_modes, "o-", color="black")
twin.set(ylabel="modes covered (of 8)", ylim=(0, 8.5))
plt.show()
g_means = [np.mean(run_losses["G"][a:a + 100]) for a in range(0, len(run_losses["G"]), 100)]
print("step                  " + "".join(f"{s.step:>7d}" for s in my_run.snapshots[1:]))
print("modes covered         " + "".join(f"{m:>7d}" for m in run_modes[1:]))
print("G loss, last 100 steps" + "".join(f"{g:7.3f}" for g in g_means))
describe_losses(run_losses)
both_rose = [100 * (k + 1) for k in range(1, len(g_means))
             if g_means[k] > g_means[k - 1] and run_modes[k + 1] > run_modes[k]]
print(f"the G loss and the modes covered both rose over the 100 steps up to step {', '.join(map(str, both_rose))}")
print(check(len(both_rose) > 0, "the G loss rose over stretches in which the samples covered more modes"))

# %% [markdown]
# The same two sentences hold for this run, and one more: the G loss rose over stretches in which
# the samples covered more modes. A GAN's losses say that the game is still being played, not
# how good the samples are; that is why this section counts modes.
#
# Scrub through training with the slider: where does the generator put its samples, and how
# does the discriminator's surface move to push them?

# %%
gan2d_panel(my_run, ring)

# %% [markdown]
# ### WGAN and WGAN-GP, as equations
#
# The recording below compares the GAN with WGAN-GP, which changes the objective. WGAN (Arjovsky
# et al., 2017) measures how far $p_G$ is from $p_{data}$ with the Wasserstein-1 or *Earth mover's*
# distance: the least average distance that mass must travel to turn one distribution into the
# other, over all couplings $\gamma$ whose marginals are the two distributions,
#
# $$W_1(p_{data}, p_G) = \inf_{\gamma \in \Pi(p_{data}, p_G)} \mathbb{E}_{(x, y) \sim \gamma} \lVert x - y \rVert.$$
#
# The Kantorovich–Rubinstein duality turns the infimum into a maximum over
# *1-Lipschitz* functions $D$ ($|D(x) - D(y)| \le \lVert x - y \rVert$), the **critic**, a real-valued
# score with no sigmoid:
#
# $$W_1(p_{data}, p_G) = \max_{\lVert D \rVert_L \le 1} \;
# \mathbb{E}_{x \sim p_{data}}[D(x)] - \mathbb{E}_{z \sim p(z)}[D(G(z))].$$
#
# The critic climbs this objective; the generator lowers the estimate, and since only the second
# term depends on G, its loss is
#
# $$L_G = -\mathbb{E}_{z}[D(G(z))].$$
#
# The hard part is the constraint. WGAN clips every weight of the critic to $[-c, c]$ after each
# step ($c = 0.01$ in the paper): a crude way to bound the slope. WGAN-GP (Gulrajani et al., 2017)
# uses instead that the optimal critic has gradient norm 1 on the straight lines between the points
# an optimal coupling pairs up (their proposition 1), and penalises any other norm at random points
# $\hat x$ on lines between data and generator samples:
#
# $$L_D = \mathbb{E}_{z}[D(G(z))] - \mathbb{E}_{x}[D(x)]
# + \lambda\, \mathbb{E}_{\hat x}\big[(\lVert \nabla_{\hat x} D(\hat x) \rVert_2 - 1)^2\big],
# \qquad \hat x = \epsilon x + (1 - \epsilon)\, G(z),\; \epsilon \sim U[0, 1].$$
#
# The paper reports that clipping pushes the critic towards overly simple functions and lets its
# gradients vanish or explode; this notebook trains no clipped WGAN and does not measure that.
# In the kit, the first two terms of $L_D$ are `gentut.losses.wgan_critic_loss`, the expectation
# after λ is `gentut.losses.gradient_penalty` (one $\epsilon$ per sample), and `train_2d_gan` with
# `loss="wgan-gp"` adds them with λ = 10 for each of its 5 critic steps and uses `-scores.mean()`,
# $L_G$, for the generator:

# %%
print(inspect.getsource(wgan_critic_loss))
print(inspect.getsource(gradient_penalty))

# %% [markdown]
# ### Mode collapse, measured over seeds
#
# Whether a GAN *collapses* — puts its samples on only some of the modes — is a matter of chance:
# one run proves nothing. The kit ships a recording (made by `python -m gentut.gan2d_lab`; the
# cell below prints how long it took — WGAN-GP's five critic steps make it the slow one) of 8
# seeds of each of two objectives, 3,000 generator steps each, with the same networks and
# learning rate (1e-3, batch 128):
# * the GAN above (non-saturating loss, Adam betas (0.5, 0.999), one D step per G step);
# * WGAN-GP with the paper's settings except the learning rate (the paper's is 1e-4): the
#   critic loss $L_D$ above with λ = 10, 5 critic steps per generator step, Adam betas (0, 0.9).
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
# ## 8. The style-based generator
#
# From notebook 04 on, the kit's generators are *style-based* (StyleGAN, Karras et al., 2019;
# StyleGAN2, Karras et al., 2020; `gentut/models/stylegan.py`): `scenes_stylegan` in 04, and
# `faces_stylegan` from 05 on, loaded above as `style_G`. It differs from the DCGAN in where the
# code enters:
# * a **mapping network**, an MLP of 4 layers, turns $z \sim \mathcal{N}(0, I)$ into $w$; the space
#   of these $w$ is **W**, free to take any shape the data need, where Z must stay Gaussian;
# * the synthesis network starts from a **learned constant** 4x4 tensor, the same for every image;
# * $w$ enters **every convolution** as a style: layer $\ell$'s affine map $A_\ell$ turns it into one
#   scale per input channel, $s = A_\ell w$. The kernel is **modulated**, $w'_{ijk} = s_i \, w_{ijk}$
#   ($i$ input channel, $j$ output channel, $k$ position in the kernel), then **demodulated**,
#   $w''_{ijk} = w'_{ijk} \big/ \sqrt{\sum_{i,k} {w'_{ijk}}^2 + \epsilon}$, so that each output channel
#   keeps unit scale whatever the style (StyleGAN2, eq. 1–3); each resolution also has a toRGB
#   layer, modulated but not demodulated;
# * each layer can read **its own** $w$: the same $w$ everywhere is a point of W, one $w$ per layer a
#   point of **W+**; the styles $s$ of all layers together are **S** (StyleSpace, Wu et al., 2021);
# * StyleGAN adds per-pixel noise inputs for stochastic detail; this kit has none: an image is a
#   deterministic function of its $w$s.
#
# The four spaces, counted from the model:

# %%
# NBVAL_CHECK_OUTPUT
conv_styles = [conv.affine.out_features for conv in style_G.convs]            # one s_i per input channel
rgb_styles = [to_rgb.affine.out_features for to_rgb in style_G.to_rgbs]
resolutions = [style_G.layer_resolution(i) for i in range(style_G.num_ws)]
print(f"Z : {style_G.z_dim} numbers per image")
print(f"W : {style_G.w_dim}")
print(f"W+: {style_G.num_ws} layers x {style_G.w_dim} = {style_G.num_ws * style_G.w_dim}"
      f" (layers at resolutions {resolutions})")
print(f"S : {sum(conv_styles) + sum(rgb_styles)} style channels: {sum(conv_styles)} in the {len(conv_styles)} "
      f"convolutions {conv_styles} + {sum(rgb_styles)} in the {len(rgb_styles)} toRGB layers {rgb_styles}")

# %% [markdown]
# `ModulatedConv2d.forward` does not build a kernel per image: it scales the input channels by $s$
# and the output channels by the demodulation factor, which gives the same result faster. Build
# $w''$ from the equations for one image and compare:

# %%
layer = style_G.convs[1]                                              # the first 8x8 convolution
with torch.no_grad():
    w = style_G.mapping(torch.randn(1, style_G.z_dim, generator=generator).to(device))     # (1, w_dim)
    x = torch.randn(1, layer.weight.shape[1], 8, 8, generator=generator).to(device)        # (1, C_in, 8, 8)
    s = layer.affine(w)[0]                                            # (C_in,): s = A w
    modulated = layer.scale * layer.weight * s[None, :, None, None]   # (C_out, C_in, 3, 3): w' = s_i w_ijk
    demodulated = modulated / torch.sqrt(modulated.pow(2).sum((1, 2, 3), keepdim=True) + 1e-8)   # w''
    by_equations = F.conv2d(x, demodulated, padding=1) + layer.bias[None, :, None, None]
    gap = (by_equations - layer(x, w)).abs().max().item()
print(f"largest difference between the equations and ModulatedConv2d: {gap:.1e} "
      f"(outputs of size ~{by_equations.abs().mean():.2f})")
print(check(gap < 1e-4, "the equations and the layer agree"))

# %% [markdown]
# ### Style mixing
#
# Since every layer reads its own $w$, one image can take some layers' $w$ from one code and the
# others from another (StyleGAN, sec. 3.1). The zoo's model was trained that way (its recipe
# mixes the codes of 90 % of its fakes), so no layer can count on its neighbours having the same
# $w$. Below, in each grid the left column gives the $w$ of one range of layers and the top row
# gives the $w$ of all the others: the coarse layers 0–2 (4x4, 8x8), the middle layers 3–4 (16x16),
# the fine layers 5–6 (32x32). Which aspects of a face travel with each range?

# %%
n_pairs, n_rows, n_cols = 150, 4, 6
_, w_layers = sample_latents(style_G, n_pairs, generator)       # codes that give the chosen layers
_, w_rest = sample_latents(style_G, n_pairs, generator)         # codes that give all other layers
ws_layers, ws_rest = broadcast_ws(style_G, w_layers), broadcast_ws(style_G, w_rest)    # (n, num_ws, w_dim)
swaps = {"coarse": [i for i, r in enumerate(resolutions) if r <= 8],        # StyleGAN's split, by resolution
         "middle": [i for i, r in enumerate(resolutions) if r == 16],
         "fine": [i for i, r in enumerate(resolutions) if r >= 32]}
chosen = {name: torch.isin(torch.arange(style_G.num_ws), torch.tensor(list(layers)))[:, None].to(device)
          for name, layers in swaps.items()}                    # (num_ws, 1): True on the swapped layers
lefts, tops = render_ws(style_G, ws_layers[:n_rows]).cpu(), render_ws(style_G, ws_rest[:n_cols]).cpu()
fig, axes = plt.subplots(1, 3, figsize=(15, 4), dpi=72)
for ax, (name, layers) in zip(axes, swaps.items()):
    grid_ws = torch.where(chosen[name], ws_layers[:n_rows, None], ws_rest[None, :n_cols])   # (rows, cols, num_ws, w)
    mixed = render_ws(style_G, grid_ws.flatten(0, 1)).cpu().view(n_rows, n_cols, *tops.shape[1:])
    tiles = [torch.ones_like(tops[:1]), tops] + [torch.cat([lefts[r:r + 1], mixed[r]]) for r in range(n_rows)]
    ax.imshow(image_grid(torch.cat(tiles), nrow=n_cols + 1))
    ax.set_title(f"{name}: layers {layers[0]}-{layers[-1]} from the left column", fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# The attribute predictor measures what travels. For 150 pairs of codes and each range, it scores
# the mixed face and its two sources; across the pairs, a factor *follows* a source when the mixed
# face's score correlates more with that source's score than with the other's, by a difference
# whose 95 % interval (bootstrap over the pairs) excludes 0; otherwise the verdict is "within noise".

# %%
def correlation_gap(x):
    """Scores (..., n, 3) of one factor (mixed face, layers' source, rest's source)
    -> r(mixed, layers' source) - r(mixed, rest's source), (...)."""
    mean = x.mean(-2)                                                                     # (..., 3)
    cov = np.swapaxes(x, -1, -2) @ x / x.shape[-2] - mean[..., :, None] * mean[..., None, :]   # (..., 3, 3)
    variance = np.diagonal(cov, axis1=-2, axis2=-1)                                       # (..., 3)
    r = cov[..., 0, 1:] / np.sqrt(variance[..., :1] * variance[..., 1:])                  # (..., 2)
    return r[..., 0] - r[..., 1]


scores_layers = predictor.predict(render_ws(style_G, ws_layers)).cpu()                     # (n, 8)
scores_rest = predictor.predict(render_ws(style_G, ws_rest)).cpu()
results = {}                        # swap -> {factor: (r with the layers' code, r with the rest's code, verdict)}
for name in swaps:
    mixed_scores = predictor.predict(render_ws(style_G, torch.where(chosen[name], ws_layers, ws_rest))).cpu()
    results[name] = {}
    for j, factor in enumerate(FACE_FACTORS):
        triple = torch.stack([mixed_scores[:, j], scores_layers[:, j], scores_rest[:, j]], 1).numpy()   # (n, 3)
        gap = bootstrap(triple, correlation_gap)
        verdict = "layers" if gap.low > 0 else "rest" if gap.high < 0 else "within noise"
        results[name][factor.name] = (*np.corrcoef(triple.T)[0, 1:], verdict)
verdicts = ("layers", "rest", "within noise")
follows = {name: {v: [f for f, (_, _, fv) in results[name].items() if fv == v] for v in verdicts}
           for name in swaps}                   # swap -> {verdict: [factors]}
print(f"{'':12s}" + "".join(f"{f'{name} {layers[0]}-{layers[-1]}':>34s}" for name, layers in swaps.items()))
print(f"{'factor':12s}" + f"{'r(layers)  r(rest)       follows':>34s}" * len(swaps))
for factor in FACE_FACTORS:
    print(f"{factor.name:12s}" + "".join(f"{r_l:+11.2f}{r_r:+9.2f}{v:>14s}"
                                         for r_l, r_r, v in (results[name][factor.name] for name in swaps)))
for name, layers in swaps.items():
    print(f"\n{name} layers {layers[0]}-{layers[-1]} from one code: the mixed face follows that code in "
          f"{', '.join(follows[name]['layers']) or 'none'}; the other code in "
          f"{', '.join(follows[name]['rest']) or 'none'}; neither more than the other (within noise) in "
          f"{', '.join(follows[name]['within noise']) or 'none'}")

# %% [markdown]
# What the table says, checked below:

# %%
others = {f.name for f in FACE_FACTORS} - {"age"}
print(check(set(follows["coarse"]["layers"]) == others,
            "with the coarse layers from one code, the mixed face follows that code in every factor but age: pose "
            "(yaw), hair length, glasses, smile, and the colours too (hair colour, skin tone, background hue)"))
print(check(follows["middle"]["layers"] == [] and follows["fine"]["layers"] == [],
            "no factor follows the middle layers or the fine layers"))
age = [max(abs(results[name]["age"][0]), abs(results[name]["age"][1])) for name in ("coarse", "fine")]
coarse_min = min(results["coarse"][f][0] for f in ("yaw", "eyeglasses", "hair_length"))
print(check(all("age" in follows[name]["within noise"] for name in ("coarse", "fine"))
            and max(age) < 0.8 and coarse_min > 0.9,
            "age follows both codes, neither more than the other within noise, when the coarse or the fine layers "
            "come from one code, and correlates below 0.8 with either, where pose, glasses and hair length "
            f"correlate above 0.9 with the coarse code (age: at most {max(age):.2f})"))

# %% [markdown]
# With the coarse layers from one code, the mixed face follows that code in every factor but age:
# pose (yaw), hair length, glasses, smile, and the colours too (hair colour, skin tone, background
# hue). No factor follows the middle layers or the fine layers. Age is spread out: when the coarse
# or the fine layers come from one code, it follows both codes, neither more than the other within
# noise, and correlates below 0.8 with either, where pose, glasses and hair length correlate above
# 0.9 with the coarse code.
#
# StyleGAN's faces (Karras et al., 2019, sec. 3.1) split partly the same way: there the coarse
# styles bring pose, hair style, face shape and eyeglasses, and the fine styles mainly the colour
# scheme. Here colour does not wait for the fine layers: every colour factor comes with the
# coarse layers, and the middle and fine layers decide none of the eight factors alone. A
# possible reason, which nothing here measures: the kit's images are 32x32, so its fine layers
# work at a resolution the paper counts among the middle ones (16x16 to 32x32), and the paper's
# fine layers (64x64 to 1024x1024) have no counterpart here.
# Notebook 05 (section 7) edits faces in W+ one layer range at a time and measures the split from
# the other side.

# %% [markdown]
# **Questions to think about**
# 1. In section 1 the trained D matches D* well where both densities have mass. What does it do
#    far away, where neither has samples — and why does that matter for the generator's gradient?
# 2. Section 4 reports two numbers per run: modes covered and the share of sharp samples. Which
#    would you report in a paper, and why is one number (or one seed) never enough?
# 3. If `p_G` and `p_data` do not overlap at all, what is their JSD, and what gradient does the
#    generator get? How does the Wasserstein distance behave instead?
# 4. The loss curves of section 4 neither fall to zero nor settle. If you could watch only the
#    losses, how would you notice that a run had collapsed onto a few modes?
# 5. WGAN-GP penalises the critic's gradient only at points between real and fake samples. Why
#    there, and not everywhere in the plane? What does weight clipping constrain instead?
# 6. In the style-mixing table the background hue travels with the pose. To give a face a new
#    background without turning its head, which layers would you edit, and what would you check
#    afterwards?
