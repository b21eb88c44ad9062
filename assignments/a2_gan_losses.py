# ---
# jupyter:
#   jupytext:
#     formats: py:percent
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
# # Assignment 2 — GAN losses and the gradient penalty
#
# Notebook 03 trained GANs with losses from `gentut.losses`; here you write them yourself:
# * the discriminator's logistic loss and the generator's *non-saturating* loss
#   (Goodfellow et al. 2014), written with logits so that they never overflow;
# * the WGAN critic loss (Arjovsky et al. 2017) and the gradient penalty of WGAN-GP
#   (Gulrajani et al. 2017), which needs a gradient *of a gradient*.
#
# Throughout, a discriminator returns **logits** (real numbers, not probabilities):
# $D(x) = \sigma(\text{logit})$, and $-\log\sigma(t) = \mathrm{softplus}(-t)$,
# $-\log(1 - \sigma(t)) = \mathrm{softplus}(t)$. Then you write the loop that trains a GAN on
# 1-D data (graded on what it learns), measure where the saturating loss stops teaching the
# generator, and explain the gradient penalty's choice of points.

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

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from gentut.grading.testing import close, max_error, raised, replaced
from gentut.runtime import setup

device, generator = setup(seed=0)


def make_1d_gan(seed=0):
    """A 1-D GAN: the generator is a line G(z) = a z + b starting at (a, b) = (1, 0); the
    discriminator a small MLP returning logits."""
    torch.manual_seed(seed)
    G = nn.Linear(1, 1)
    with torch.no_grad():
        G.weight.fill_(1.0)
        G.bias.fill_(0.0)
    D = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    return G, D

# %% [markdown]
# ## Question 1 — the discriminator's loss (3 points)
#
# The discriminator maximises $\mathbb{E}\log D(x) + \mathbb{E}\log(1 - D(G(z)))$, i.e. it
# minimises the binary cross-entropy with real -> 1 and fake -> 0:
#
# $$L_D = \mathbb{E}_x[-\log\sigma(\text{real logit})] + \mathbb{E}_z[-\log(1 - \sigma(\text{fake logit}))].$$
#
# Write `d_logistic_loss(real_logits, fake_logits)` (shapes `(B_real,)` and `(B_fake,)`, which may
# differ) returning a scalar: the mean over each batch, summed. It must stay finite for logits of
# $\pm 200$ (use `F.softplus`). Values are compared within 1e-5, in any float dtype.

# %%
# ANSWER q1
def d_logistic_loss(real_logits, fake_logits):
    """Binary cross-entropy of D, real -> 1 and fake -> 0: (B_real,), (B_fake,) -> scalar."""
    ### BEGIN SOLUTION
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    ### END SOLUTION


# %%
# TEST q1 (1 point)
# --- probe (calls your code) ---
undecided = d_logistic_loss(torch.zeros(4), torch.zeros(4))
confident = d_logistic_loss(torch.tensor([2.0, 4.0]), torch.tensor([-1.0]))
# --- check (runs in the grader) ---
assert undecided.dim() == 0, f"the loss must be a scalar, got shape {tuple(undecided.shape)}"
assert close(undecided, 2 * math.log(2), atol=1e-5), "D undecided (logits 0): loss = 2 log 2"
expected = (F.softplus(torch.tensor(-2.0)) + F.softplus(torch.tensor(-4.0))) / 2 + F.softplus(torch.tensor(-1.0))
assert not close(confident, (F.softplus(torch.tensor(2.0)) + F.softplus(torch.tensor(4.0))) / 2
                 + F.softplus(torch.tensor(1.0)), atol=1e-4), "real and fake are swapped: real logits should go to 1"
assert close(confident, expected, atol=1e-5), \
    f"real logits (2, 4), fake (-1): D is right, so the loss is small, {expected.item():.4f}"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.losses import d_logistic_loss as reference_d

# %%
# HIDDEN TEST q1 (1 point)
g = torch.Generator().manual_seed(3)
real, fake = 2 * torch.randn(7, generator=g), 2 * torch.randn(5, generator=g)
# --- probe (calls your code) ---
loss = d_logistic_loss(real, fake)
# --- check (runs in the grader) ---
expected = reference_d(real, fake)
mistakes = [(reference_d(fake, real), "real and fake are swapped"),
            (F.softplus(torch.cat([-real, fake])).mean(), "average each batch on its own, then add the two means"),
            (F.softplus(-real).sum() + F.softplus(fake).sum(), "a mean over each batch, not a sum")]
if not close(loss, expected, atol=1e-5):
    kind = next((hint for candidate, hint in mistakes if close(loss, candidate, atol=1e-5)), "wrong value")
    raise AssertionError(f"batches of 7 real and 5 fake logits: {kind} (off by {max_error(loss, expected):.3g})")

# %%
# HIDDEN TEST q1 (1 point)
# --- probe (calls your code) ---
extreme = d_logistic_loss(torch.tensor([-200.0]), torch.tensor([200.0]))
# --- check (runs in the grader) ---
assert torch.isfinite(torch.as_tensor(extreme)) and close(extreme, 400.0, rtol=1e-4), \
    "logits of +-200 must give a finite loss (400): use softplus, not log(sigmoid)"

# %% [markdown]
# ## Question 2 — the non-saturating generator loss (3 points)
#
# The minimax generator minimises $\mathbb{E}\log(1 - D(G(z)))$, whose gradient vanishes when
# $D$ confidently rejects the fakes, early in training. The non-saturating loss minimises
# $\mathbb{E}[-\log D(G(z))]$ instead. Write `g_nonsaturating_loss(fake_logits)` -> scalar.

# %%
# ANSWER q2
def g_nonsaturating_loss(fake_logits):
    """The generator's non-saturating loss, averaged over the batch: (B,) -> scalar."""
    ### BEGIN SOLUTION
    return F.softplus(-fake_logits).mean()
    ### END SOLUTION


# %%
# TEST q2 (1 point)
# --- probe (calls your code) ---
at_zero = g_nonsaturating_loss(torch.zeros(3))
fooled = g_nonsaturating_loss(torch.tensor([3.0, 1.0]))
# --- check (runs in the grader) ---
assert close(at_zero, math.log(2), atol=1e-5), "logits 0: loss = log 2"
expected = (F.softplus(torch.tensor(-3.0)) + F.softplus(torch.tensor(-1.0))) / 2
assert close(fooled, expected, atol=1e-5), \
    f"fake logits (3, 1): D is fooled, so the generator's loss is small, {expected.item():.4f}"
print("q2 public tests passed")

# %%
# REFERENCES q2
from gentut.losses import g_nonsaturating_loss as reference_g

# %%
# HIDDEN TEST q2 (1 point)
g = torch.Generator().manual_seed(4)
fake = 3 * torch.randn(9, generator=g)
# --- probe (calls your code) ---
loss = g_nonsaturating_loss(fake)
# --- check (runs in the grader) ---
expected = reference_g(fake)
mistakes = [(-F.softplus(fake).mean(), "this is the saturating loss E log(1 - D(G(z)))"),
            (F.softplus(fake).mean(), "the sign of the logit: -log sigma(t) = softplus(-t)")]
if not close(loss, expected, atol=1e-5):
    kind = next((hint for candidate, hint in mistakes if close(loss, candidate, atol=1e-5)), "wrong value")
    raise AssertionError(f"random fake logits: {kind} (off by {max_error(loss, expected):.3g})")

# %%
# HIDDEN TEST q2 (1 point)
rejected = torch.full((4,), -20.0, requires_grad=True)
# --- probe (calls your code) ---
g_nonsaturating_loss(rejected).backward()
gradient = rejected.grad
# --- check (runs in the grader) ---
assert gradient is not None and close(gradient, torch.full((4,), -0.25), atol=1e-4), \
    "when D rejects the fakes (logit -20) the gradient must stay strong: -1/B per logit"

# %% [markdown]
# ## Question 3 — the WGAN critic loss (2 points)
#
# A WGAN critic returns unbounded scores and maximises $\mathbb{E}[D(x)] - \mathbb{E}[D(G(z))]$,
# an estimate of the Wasserstein-1 distance when $D$ is 1-Lipschitz. Write
# `wgan_critic_loss(real_scores, fake_scores)`: the scalar the critic *minimises*.

# %%
# ANSWER q3
def wgan_critic_loss(real_scores, fake_scores):
    """The scalar a WGAN critic minimises: (B_real,), (B_fake,) -> scalar."""
    ### BEGIN SOLUTION
    return fake_scores.mean() - real_scores.mean()
    ### END SOLUTION


# %%
# TEST q3 (1 point)
# --- probe (calls your code) ---
loss = wgan_critic_loss(torch.tensor([3.0, 5.0]), torch.tensor([1.0]))
# --- check (runs in the grader) ---
assert close(loss, -3.0, atol=1e-6), "real scores average 4, fake 1: the critic's loss is 1 - 4 = -3"
print("q3 public tests passed")

# %%
# REFERENCES q3
from gentut.losses import wgan_critic_loss as reference_wgan

# %%
# HIDDEN TEST q3 (1 point)
g = torch.Generator().manual_seed(5)
real, fake = torch.randn(6, generator=g), torch.randn(3, generator=g)
# --- probe (calls your code) ---
loss = wgan_critic_loss(real, fake)
# --- check (runs in the grader) ---
expected = reference_wgan(real, fake)
assert not close(loss, -expected, atol=1e-6), "the sign: the critic minimises the negative of what it maximises"
assert close(loss, expected, atol=1e-6), f"batches of 6 real and 3 fake scores: off by {max_error(loss, expected):.3g}"

# %% [markdown]
# ## Question 4 — the gradient penalty (5 points)
#
# WGAN-GP keeps the critic close to 1-Lipschitz by penalising gradient norms away from 1 at
# random points between real and fake samples (Gulrajani et al. 2017, eq. 3):
#
# $$\mathrm{GP} = \mathbb{E}\left[(\|\nabla_{\hat x} D(\hat x)\|_2 - 1)^2\right], \qquad
#   \hat x = \epsilon x + (1 - \epsilon)\tilde x, \quad \epsilon \sim U[0, 1] \text{ per sample}.$$
#
# Write `gradient_penalty(critic, real, fake, generator=None)`: `real` and `fake` have shape
# `(B, ...)`; draw one $\epsilon \sim U[0, 1]$ per sample with `generator` (for instance
# `torch.rand((B, 1, ..., 1), generator=generator)`, as many 1s as `real` has further
# dimensions, on the CPU, then `.to(real.device)`; $1 - \epsilon$ is as good, since it has the same
# distribution); the norm is over all of a sample's dimensions; compute the gradient with
# `torch.autograd.grad(..., create_graph=True)` so that the penalty itself can be differentiated
# with respect to the critic's weights; return the scalar mean. The hidden tests check the
# distribution of your $\hat x$ over many samples, not one particular draw.

# %%
# ANSWER q4
def gradient_penalty(critic, real, fake, generator=None):
    """The WGAN-GP penalty at random interpolates of real and fake (B, ...): a scalar."""
    ### BEGIN SOLUTION
    shape = (len(real),) + (1,) * (real.dim() - 1)
    mix = torch.rand(shape, generator=generator).to(real.device)
    x_hat = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()
    ### END SOLUTION


# %%
# TEST q4 (2 points)
linear = nn.Linear(4, 1, bias=False)
with torch.no_grad():
    linear.weight.copy_(torch.tensor([[2.0, 0.0, 0.0, 0.0]]))       # gradient (2, 0, 0, 0) everywhere: norm 2
# --- probe (calls your code) ---
penalty = gradient_penalty(lambda x: linear(x).squeeze(1), torch.randn(5, 4), torch.randn(5, 4),
                           torch.Generator().manual_seed(0))
# --- check (runs in the grader) ---
assert penalty.dim() == 0, "the penalty must be a scalar"
assert close(penalty, 1.0, rtol=1e-5), f"a critic with gradient norm 2 everywhere has GP (2 - 1)^2 = 1, got {penalty}"
print("q4 public tests passed")

# %%
# REFERENCES q4
from gentut.losses import gradient_penalty as reference_gp

# %%
# HIDDEN TEST q4 (1 point)
g = torch.Generator().manual_seed(21)
real, fake = torch.randn(3000, 2, 2, generator=g), torch.randn(3000, 2, 2, generator=g)
# --- probe (calls your code) ---
_inputs = []
gradient_penalty(lambda x: (_inputs.append(x.detach().clone()), x.flatten(1).sum(1))[1], real, fake,
                 torch.Generator().manual_seed(7))
x_hat = _inputs[0] if _inputs else None
# --- check (runs in the grader) ---
assert x_hat is not None and tuple(x_hat.shape) == (3000, 2, 2), "the critic should be called once, on x_hat (B, ...)"
direction = (real - fake).flatten(1)
t = ((x_hat.double() - fake).flatten(1) * direction).sum(1) / direction.pow(2).sum(1)
off_line = (x_hat.double() - (t[:, None, None] * real + (1 - t[:, None, None]) * fake)).abs().max().item()
assert off_line < 1e-4, "x_hat must lie on the segment between each real sample and its fake: eps x + (1 - eps) x_fake"
t_sorted = t.sort().values
ks = (t_sorted - torch.arange(1, 3001, dtype=torch.float64) / 3000).abs().max().item()
assert t.std() > 0.05, "one eps for the whole batch: draw one per sample"
assert ks < 0.05, f"eps should be uniform on [0, 1] (Kolmogorov-Smirnov distance {ks:.3f} over 3000 samples)"

# %%
# HIDDEN TEST q4 (1 point)
images = torch.randn(4, 3, 2, 2, generator=torch.Generator().manual_seed(1))
others = torch.randn(4, 3, 2, 2, generator=torch.Generator().manual_seed(2))
# --- probe (calls your code) ---
_inputs = []
penalty = gradient_penalty(lambda x: (_inputs.append(x.detach().clone()), 0.5 * x.pow(2).flatten(1).sum(1))[1],
                           images, others, torch.Generator().manual_seed(3))
x_hat = _inputs[0] if _inputs else None
# --- check (runs in the grader) ---
expected = (x_hat.flatten(1).norm(dim=1) - 1).pow(2).mean()           # D(x) = ||x||^2 / 2 has gradient x
wrong = (x_hat.norm(dim=-1) - 1).pow(2).mean()
assert not close(penalty, wrong, atol=1e-5), "the norm is over all of a sample's dimensions (flatten them), not the last one"
assert close(penalty, expected, atol=1e-5), \
    f"D(x) = ||x||^2 / 2 on images (B, C, H, W): the penalty at your x_hat should be {expected.item():.5f}"

# %%
# HIDDEN TEST q4 (1 point)
linear = nn.Linear(4, 1, bias=False)
with torch.no_grad():
    linear.weight.copy_(torch.tensor([[2.0, 0.0, 0.0, 0.0]]))
# --- probe (calls your code) ---
_error = raised(lambda: gradient_penalty(lambda x: linear(x).squeeze(1), torch.randn(2, 4), torch.randn(2, 4)).backward())
weight_grad = linear.weight.grad
# --- check (runs in the grader) ---
assert weight_grad is not None and close(weight_grad, torch.tensor([[2.0, 0, 0, 0]]), atol=1e-5), \
    "the penalty must be differentiable w.r.t. the critic's weights: torch.autograd.grad(..., create_graph=True)"

# %% [markdown]
# ## Question 5 — train the GAN (4 points)
#
# Data: $\mathcal{N}(2, 0.5^2)$. Write `train_gan(G, D, steps=800, generator=None)`, the loop that
# trains the 1-D GAN of `make_1d_gan()` in turns:
# * two Adam optimisers, one per network, learning rate `5e-3`, `betas=(0.5, 0.999)` (DCGAN's);
# * each step: 256 real samples `2 + 0.5 * torch.randn(256, 1, generator=generator)` and 256
#   fakes `G(torch.randn(256, 1, generator=generator))`; one discriminator step on your
#   `d_logistic_loss` (fakes detached), then one generator step on your `g_nonsaturating_loss`
#   (`D(...)` returns `(B, 1)`: squeeze it to `(B,)`).
#
# Since G is a line, its samples are $\mathcal{N}(b, a^2)$: the hidden test trains for 800 steps
# and reads $|b - 2| + ||a| - 0.5|$ from the weights, which must be below 0.5 (a right loop
# reaches about 0.1 in a few seconds; without generator steps it stays at 2.5).

# %%
# ANSWER q5
def train_gan(G, D, steps=800, generator=None):
    """Train the 1-D GAN (G, D) on N(2, 0.5^2) with your losses, alternating one D and one G step."""
    ### BEGIN SOLUTION
    opt_g = torch.optim.Adam(G.parameters(), lr=5e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=5e-3, betas=(0.5, 0.999))
    for _ in tqdm(range(steps), desc="training a 1-D GAN"):
        real = 2 + 0.5 * torch.randn(256, 1, generator=generator)
        fake = G(torch.randn(256, 1, generator=generator))
        loss_d = d_logistic_loss(D(real).squeeze(1), D(fake.detach()).squeeze(1))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = g_nonsaturating_loss(D(fake).squeeze(1))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    ### END SOLUTION


# %%
# Try your loop (not graded: the hidden tests train with right losses, so that a mistake in
# questions 1 or 2 costs only those questions).
G, D = make_1d_gan()
train_gan(G, D, steps=300, generator=torch.Generator().manual_seed(1))
print(f"after 300 steps the generator draws N({G.bias.item():.2f}, {abs(G.weight.item()):.2f}^2); "
      "the data is N(2.00, 0.50^2)")

# %%
# HIDDEN TEST q5 (1 point)
def known_d_loss(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def known_g_loss(fake_logits):
    return F.softplus(-fake_logits).mean()


# --- probe (calls your code) ---
_G, _D = make_1d_gan(seed=4)
_d_before = [p.detach().clone() for p in _D.parameters()]
with replaced(globals(), d_logistic_loss=known_d_loss, g_nonsaturating_loss=known_g_loss):   # q1 and q2 right
    train_gan(_G, _D, steps=800, generator=torch.Generator().manual_seed(2))
d_trained = any(not torch.equal(before, after) for before, after in zip(_d_before, _D.parameters()))
g_moved = abs(_G.bias.item()) > 0.1
# --- check (runs in the grader) ---
assert d_trained, "the discriminator's weights did not change: step its optimiser every iteration"
assert g_moved, "the generator did not move: step its optimiser on the generator's loss every iteration"

# %%
# HIDDEN TEST q5 (3 points)
# --- probe (calls your code) ---
a, b = _G.weight.item(), _G.bias.item()                      # trained in the cell above
# --- check (runs in the grader) ---
distance = abs(b - 2) + abs(abs(a) - 0.5)
assert distance < 0.5, (f"after 800 steps the generator draws N({b:.2f}, {abs(a):.2f}^2), "
                        f"{distance:.2f} from N(2, 0.5^2) (|mean - 2| + |std - 0.5|); a right loop gets below 0.5: "
                        "step D then G every iteration, detach the fakes for D, zero each optimiser's gradients")

# %% [markdown]
# ## Question 6 — where the saturating loss stops teaching (2 points)
#
# For a fake logit $t$, the saturating generator loss $\log(1 - \sigma(t))$ and the
# non-saturating one $-\log\sigma(t)$ have gradients of different sizes. Measure, with
# `torch.autograd.grad` (not by hand), the logit `t` below which the saturating loss's gradient
# is smaller in magnitude than **1%** of the non-saturating loss's gradient: search a grid of
# logits from -10 to 10 in steps of 0.01 and set `saturation_logit` to the largest grid point
# where the ratio is below 0.01 (a float, within 0.05 of the right value).

# %%
# ANSWER q6
### BEGIN SOLUTION
logits = torch.arange(-1000, 1001, dtype=torch.float64).div(100).requires_grad_(True)
(saturating,) = torch.autograd.grad(torch.log1p(-torch.sigmoid(logits)).sum(), logits)
(nonsaturating,) = torch.autograd.grad((-F.logsigmoid(logits)).sum(), logits)
below = (saturating.abs() < 0.01 * nonsaturating.abs()).nonzero()
saturation_logit = float(logits[below.max()].item())
### END SOLUTION

# %%
# HIDDEN TEST q6 (2 points)
# --- probe (calls your code) ---
value = saturation_logit
# --- check (runs in the grader) ---
assert isinstance(value, (int, float)) and abs(value - math.log(0.01)) < 0.05, \
    (f"saturation_logit should be within 0.05 of the logit where the gradients' ratio is 0.01, got {value!r}; "
     "compare the two gradients' magnitudes on the grid")

# %% [markdown]
# # ANALYSIS q7 (2 points)
#
# Why does WGAN-GP penalise the gradient at random points *between* real and fake samples, rather
# than at the real samples only (R1, Mescheder et al. 2018)? What does each choice assume about
# where the critic must be 1-Lipschitz? Answer in this cell, in a few sentences.
#
# ### BEGIN SOLUTION
# The optimal WGAN critic has gradient norm 1 along straight lines between coupled points of the
# real and generated distributions (Gulrajani et al., prop. 1), so the constraint is enforced
# where it matters, between the two distributions, sampled uniformly along such lines. R1 only
# keeps the critic flat on the data manifold (a zero-centred penalty on reals), which is enough
# for local convergence near equilibrium without assuming anything about the space in between.
# ### END SOLUTION

# %% [markdown]
# ## Questions to think about
# 1. Your 1-D generator is a line. Which data distributions could it never match, whatever the
#    discriminator does?
# 2. Train your GAN with the saturating loss instead: does it still reach N(2, 0.5^2) here, and
#    why might that change when D starts out far better than G?
