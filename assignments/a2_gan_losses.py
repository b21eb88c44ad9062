# ---
# jupyter:
#   jupytext:
#     formats: py:percent
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
# $-\log(1 - \sigma(t)) = \mathrm{softplus}(t)$. At the end your losses train a GAN on 1-D data.

# %%
# Colab only: install gentut, keeping Colab's own torch. Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gentut @ git+https://github.com/gentut/gentut"], check=True)

# %%
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from gentut.runtime import setup

device, generator = setup(seed=0)

# %% [markdown]
# ## Question 1 — the discriminator's loss (3 points)
#
# The discriminator maximises $\mathbb{E}\log D(x) + \mathbb{E}\log(1 - D(G(z)))$, i.e. it
# minimises the binary cross-entropy with real -> 1 and fake -> 0:
#
# $$L_D = \mathbb{E}_x[-\log\sigma(\text{real logit})] + \mathbb{E}_z[-\log(1 - \sigma(\text{fake logit}))].$$
#
# Write `d_logistic_loss(real_logits, fake_logits)` (each `(B,)`) returning a scalar: the mean
# over each batch, summed. It must stay finite for logits of $\pm 200$ (use `F.softplus`).

# %%
# ANSWER q1
def d_logistic_loss(real_logits, fake_logits):
    """Binary cross-entropy of D, real -> 1 and fake -> 0: (B,), (B,) -> scalar."""
    ### BEGIN SOLUTION
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    ### END SOLUTION


# %%
# TEST q1 (1 point)
loss = d_logistic_loss(torch.zeros(4), torch.zeros(4))
# --- check (runs in the grader) ---
assert loss.dim() == 0, f"the loss must be a scalar, got shape {tuple(loss.shape)}"
assert math.isclose(loss.item(), 2 * math.log(2), rel_tol=1e-5), "D undecided (logits 0): loss = 2 log 2"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.losses import d_logistic_loss as reference_d

# %%
# HIDDEN TEST q1 (2 points)
g = torch.Generator().manual_seed(3)
real, fake = 2 * torch.randn(7, generator=g), 2 * torch.randn(5, generator=g)
# --- probe (calls your code) ---
loss = d_logistic_loss(real, fake)
extreme = d_logistic_loss(torch.tensor([-200.0]), torch.tensor([200.0]))
# --- check (runs in the grader) ---
assert torch.allclose(loss, reference_d(real, fake), atol=1e-5), "wrong value on random logits"
assert torch.isfinite(extreme) and math.isclose(extreme.item(), 400.0, rel_tol=1e-4), \
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
    """-E log sigma(fake logit): (B,) -> scalar."""
    ### BEGIN SOLUTION
    return F.softplus(-fake_logits).mean()
    ### END SOLUTION


# %%
# TEST q2 (1 point)
loss = g_nonsaturating_loss(torch.zeros(3))
# --- check (runs in the grader) ---
assert math.isclose(loss.item(), math.log(2), rel_tol=1e-5), "logits 0: loss = log 2"
print("q2 public tests passed")

# %%
# REFERENCES q2
from gentut.losses import g_nonsaturating_loss as reference_g

# %%
# HIDDEN TEST q2 (2 points)
g = torch.Generator().manual_seed(4)
fake = 3 * torch.randn(9, generator=g)
# --- probe (calls your code) ---
loss = g_nonsaturating_loss(fake)
rejected = torch.full((4,), -20.0, requires_grad=True)
g_nonsaturating_loss(rejected).backward()
gradient = rejected.grad
far = g_nonsaturating_loss(torch.tensor([-200.0]))
# --- check (runs in the grader) ---
assert torch.allclose(loss, reference_g(fake), atol=1e-5), "wrong value on random logits"
assert torch.allclose(gradient, torch.full((4,), -0.25), atol=1e-4), \
    "when D rejects the fakes (logit -20) the gradient must stay strong: -1/B per logit"
assert torch.isfinite(far), "must stay finite at logit -200"

# %% [markdown]
# ## Question 3 — the WGAN critic loss (2 points)
#
# A WGAN critic returns unbounded scores and maximises $\mathbb{E}[D(x)] - \mathbb{E}[D(G(z))]$,
# an estimate of the Wasserstein-1 distance when $D$ is 1-Lipschitz. Write
# `wgan_critic_loss(real_scores, fake_scores)`: the scalar the critic *minimises*.

# %%
# ANSWER q3
def wgan_critic_loss(real_scores, fake_scores):
    """E D(G(z)) - E D(x): (B,), (B,) -> scalar."""
    ### BEGIN SOLUTION
    return fake_scores.mean() - real_scores.mean()
    ### END SOLUTION


# %%
# TEST q3 (1 point)
loss = wgan_critic_loss(torch.tensor([3.0, 5.0]), torch.tensor([1.0]))
# --- check (runs in the grader) ---
assert math.isclose(loss.item(), -3.0), \
    "real scores average 4, fake 1: the critic's loss is 1 - 4 = -3"
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
assert torch.allclose(loss, reference_wgan(real, fake)), "wrong value on random scores"

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
# `(B, ...)`; draw $\epsilon$ as `torch.rand((B, 1, ..., 1), generator=generator)` (one per
# sample, as many 1s as `real` has further dimensions, on the CPU, then `.to(real.device)`);
# compute the gradient with `torch.autograd.grad(..., create_graph=True)` so that the penalty
# itself can be differentiated with respect to the critic's weights; return the scalar mean.

# %%
# ANSWER q4
def gradient_penalty(critic, real, fake, generator=None):
    """E (||grad D(x_hat)|| - 1)^2 at random interpolates x_hat: real, fake (B, ...) -> scalar."""
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
assert math.isclose(penalty.item(), 1.0, rel_tol=1e-5), f"a critic with gradient norm 2 everywhere has GP (2 - 1)^2 = 1, got {penalty.item()}"
print("q4 public tests passed")

# %%
# REFERENCES q4
from gentut.losses import gradient_penalty as reference_gp

# %%
# HIDDEN TEST q4 (3 points)
images = torch.randn(3, 2, 2, 2, generator=torch.Generator().manual_seed(1))
quadratic = lambda x: 0.5 * x.pow(2).flatten(1).sum(1)       # gradient x: at x_hat = real when fake = real
linear = nn.Linear(4, 1, bias=False)
with torch.no_grad():
    linear.weight.copy_(torch.tensor([[2.0, 0.0, 0.0, 0.0]]))
critic = nn.Sequential(nn.Flatten(), nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))
real, fake = torch.randn(6, 2, 2, 2), torch.randn(6, 2, 2, 2)
# --- probe (calls your code) ---
on_images = gradient_penalty(quadratic, images, images.clone())
gradient_penalty(lambda x: linear(x).squeeze(1), torch.randn(2, 4), torch.randn(2, 4)).backward()
weight_grad = linear.weight.grad
mine = gradient_penalty(lambda x: critic(x).squeeze(1), real, fake, torch.Generator().manual_seed(9))
# --- check (runs in the grader) ---
expected = (images.flatten(1).norm(dim=1) - 1).pow(2).mean()
assert torch.allclose(on_images, expected, atol=1e-5), \
    "wrong penalty for D(x) = ||x||^2 / 2 with images of shape (B, C, H, W)"
assert weight_grad is not None and torch.allclose(weight_grad, torch.tensor([[2.0, 0, 0, 0]])), \
    "the penalty must be differentiable w.r.t. the critic's weights (create_graph=True)"
reference = reference_gp(lambda x: critic(x).squeeze(1), real, fake, torch.Generator().manual_seed(9))
assert torch.allclose(mine, reference, atol=1e-5), "differs from the reference with the same epsilon draws"

# %% [markdown]
# ## Your losses at work: a 1-D GAN
#
# Data: $\mathcal{N}(2, 0.5^2)$. The generator is a line $G(z) = a z + b$ and the discriminator
# a small MLP, trained in turns with your `d_logistic_loss` and `g_nonsaturating_loss`. The
# generated mean and standard deviation should move from (0, 1) towards (2, 0.5).

# %%
G = nn.Linear(1, 1)
with torch.no_grad():
    G.weight.fill_(1.0)
    G.bias.fill_(0.0)
D = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=5e-3, betas=(0.5, 0.999))     # DCGAN's betas: a shorter memory
opt_d = torch.optim.Adam(D.parameters(), lr=5e-3, betas=(0.5, 0.999))
for step in tqdm(range(800), desc="training a 1-D GAN"):
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
with torch.no_grad():
    samples = G(torch.randn(5000, 1, generator=generator))
print(f"generated samples: mean {samples.mean():.2f} (data 2.00), std {samples.std():.2f} (data 0.50)")

# %% [markdown]
# ## Questions to think about
# 1. Plot the gradient of the saturating and the non-saturating loss against the fake logit
#    from -10 to 10. Where does each one vanish, and which matters early in training?
# 2. Why interpolate between real and fake samples for the penalty, rather than penalise the
#    gradient at the real samples only (R1, Mescheder et al. 2018)? What does each assume?
# 3. Your 1-D generator is a line. Which data distributions could it never match, whatever the
#    discriminator does?
