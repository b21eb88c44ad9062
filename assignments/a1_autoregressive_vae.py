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
# # Assignment 1 — Masked convolutions and the ELBO
#
# Two ideas from notebooks 01 and 02, written by you:
# * **PixelCNN's masked convolution** (van den Oord et al. 2016): a convolution whose output at a
#   pixel may only look at the pixels *before* it in raster order, so that one forward pass gives
#   every conditional $p(x_i \mid x_{<i})$ of an autoregressive model;
# * **the VAE's loss** (Kingma & Welling 2014): the reparameterization trick and the negative
#   evidence lower bound
#   $-\mathrm{ELBO}(x) = \mathbb{E}_{q(z|x)}[-\log p(x|z)] + \mathrm{KL}(q(z|x)\,\|\,\mathcal{N}(0, I))$.
#
# Each question asks for one function. Run the `# TEST` cells to check your work as you go; the
# grader runs them again with hidden tests on other inputs. At the end your functions train a
# small VAE on the kit's 8x8 binarized digits. Everything runs on a CPU in seconds.

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
import torch.nn.functional as F
from tqdm.auto import tqdm

from gentut.data.digits import load_binarized_digits
from gentut.grading.testing import raised
from gentut.runtime import setup

device, generator = setup(seed=0)

# %% [markdown]
# ## Question 1 — the causal mask (3 points)
#
# A PixelCNN kernel of size $k \times k$ (odd $k$) is multiplied by a 0/1 mask. The mask keeps
# every row above the centre, and in the centre row the entries left of the centre; everything
# below the centre row is zero. The two types differ only at the centre itself:
# * type **"A"** (first layer) hides the centre: the output at pixel $i$ must not see $x_i$;
# * type **"B"** (later layers) keeps it: by then the centre holds features of pixels before $i$.
#
# For $k = 3$, type A is `[[1, 1, 1], [1, 0, 0], [0, 0, 0]]`.
#
# Write `causal_mask(kernel_size, mask_type)` returning a float tensor of shape `(k, k)`, and
# raise a `ValueError` for a `mask_type` other than "A" or "B".

# %%
# ANSWER q1
def causal_mask(kernel_size, mask_type):
    """The (k, k) float 0/1 mask of a PixelCNN kernel of type "A" or "B"."""
    ### BEGIN SOLUTION
    if mask_type not in ("A", "B"):
        raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}")
    mask = torch.ones(kernel_size, kernel_size)
    centre = kernel_size // 2
    mask[centre, centre + (mask_type == "B"):] = 0
    mask[centre + 1:] = 0
    return mask
    ### END SOLUTION


# %%
# TEST q1 (1 point)
mask_a, mask_b = causal_mask(3, "A"), causal_mask(3, "B")
# --- check (runs in the grader) ---
expected_a = torch.tensor([[1., 1., 1.], [1., 0., 0.], [0., 0., 0.]])
expected_b = torch.tensor([[1., 1., 1.], [1., 1., 0.], [0., 0., 0.]])
assert mask_a.shape == (3, 3), "the mask must have shape (kernel_size, kernel_size)"
assert torch.equal(mask_a.float(), expected_a), f"type A, k=3 should be\n{expected_a}"
assert torch.equal(mask_b.float(), expected_b), f"type B, k=3 should be\n{expected_b}"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.models.autoregressive import causal_mask as reference_mask

# %%
# HIDDEN TEST q1 (2 points)
masks = {f"{k}{kind}": causal_mask(k, kind) for k in (1, 5, 7) for kind in ("A", "B")}
error = raised(causal_mask, 3, "C")
# --- check (runs in the grader) ---
for name, mask in masks.items():
    k, kind = int(name[:-1]), name[-1]
    assert torch.equal(mask.float(), reference_mask(k, kind)), f"wrong mask for k={k}, type {kind}"
assert isinstance(error, ValueError), "causal_mask(3, 'C') should raise a ValueError"

# %% [markdown]
# ## Question 2 — the masked convolution (4 points)
#
# Write `masked_conv2d(x, weight, bias, mask_type)`: a *same-size* convolution (padding
# $k/2$, rounded down) of `x` `(B, C_in, H, W)` with the kernel `weight` `(C_out, C_in, k, k)`
# multiplied by your mask, plus `bias` `(C_out,)`. `torch.nn.functional.conv2d` does the
# convolution. The test checks the property that matters, *causality*, with gradients: the
# output at a pixel must not change when you change that pixel (type A) or any later one.

# %%
# ANSWER q2
def masked_conv2d(x, weight, bias, mask_type):
    """(B, C_in, H, W) -> (B, C_out, H, W): conv2d with the kernel masked by causal_mask."""
    ### BEGIN SOLUTION
    kernel_size = weight.shape[-1]
    mask = causal_mask(kernel_size, mask_type).to(weight)
    return F.conv2d(x, weight * mask, bias, padding=kernel_size // 2)
    ### END SOLUTION


# %%
# TEST q2 (2 points)
def dependence(mask_type, pixel=(3, 2), size=6, kernel=5, seed=0):
    """Which input pixels the output at `pixel` depends on, measured with gradients: bool (size, size)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, 1, size, size, generator=g, requires_grad=True)
    weight, bias = torch.randn(2, 1, kernel, kernel, generator=g), torch.randn(2, generator=g)
    out = masked_conv2d(x, weight, bias, mask_type)
    assert out.shape == (1, 2, size, size), f"output shape should be (1, 2, {size}, {size}), got {tuple(out.shape)}"
    out[0, :, pixel[0], pixel[1]].sum().backward()
    return x.grad[0, 0] != 0


seen = dependence("A")
# --- check (runs in the grader) ---
order = torch.arange(36).view(6, 6)                  # raster order of each pixel
index = 3 * 6 + 2
assert not seen[order >= index].any(), "type A: the output at a pixel sees that pixel or a later one"
assert seen[order < index].any(), "type A: the output should depend on some earlier pixels"
print("q2 public tests passed")

# %%
# REFERENCES q2
from gentut.models.autoregressive import MaskedConv2d

# %%
# HIDDEN TEST q2 (2 points)
g = torch.Generator().manual_seed(5)
weight, bias = torch.randn(4, 3, 3, 3, generator=g), torch.randn(4, generator=g)
x = torch.randn(2, 3, 7, 5, generator=g)
# --- probe (calls your code) ---
with torch.no_grad():
    out = masked_conv2d(x, weight, bias, "B")
seen_b = dependence("B", pixel=(2, 4), seed=3)
# --- check (runs in the grader) ---
layer = MaskedConv2d(3, 4, 3, "B")
with torch.no_grad():
    layer.weight.copy_(weight)
    layer.bias.copy_(bias)
    assert torch.allclose(out, layer(x), atol=1e-5), \
        "masked_conv2d differs from a reference masked convolution (type B, 3 channels in, 4 out)"
assert seen_b[2, 4] and not seen_b.flatten()[2 * 6 + 5:].any(), "type B must see the centre but nothing after it"

# %% [markdown]
# ## Question 3 — the reparameterization trick (2 points)
#
# The encoder outputs the mean `mu` and the log-variance `logvar` of $q(z|x)$, both `(B, z_dim)`.
# A sample $z = \mu + \sigma \epsilon$ with $\sigma = \exp(\tfrac12 \log\sigma^2)$ and
# $\epsilon \sim \mathcal{N}(0, I)$ lets gradients flow into `mu` and `logvar`. Here `eps` is
# given (so the answer is deterministic): write `reparameterize(mu, logvar, eps)`.

# %%
# ANSWER q3
def reparameterize(mu, logvar, eps):
    """z = mu + exp(logvar / 2) * eps; all (B, z_dim)."""
    ### BEGIN SOLUTION
    return mu + torch.exp(0.5 * logvar) * eps
    ### END SOLUTION


# %%
# TEST q3 (1 point)
eps = torch.tensor([[1.0, -0.5]])
# --- probe (calls your code) ---
z = reparameterize(torch.zeros(1, 2), torch.full((1, 2), math.log(4.0)), eps)
# --- check (runs in the grader) ---
assert torch.allclose(z, 2 * eps), f"with mu = 0 and variance 4, z should be 2 * eps = {2 * eps}, got {z}"
print("q3 public tests passed")

# %%
# REFERENCES q3
from gentut.models.vae import reparameterize as reference_reparameterize

# %%
# HIDDEN TEST q3 (1 point)
mu = torch.tensor([[0.3, -1.0, 2.0]], requires_grad=True)
logvar = torch.tensor([[0.0, 1.0, -2.0]], requires_grad=True)
eps = torch.tensor([[0.5, -1.5, 2.0]])
# --- probe (calls your code) ---
reparameterize(mu, logvar, eps).sum().backward()
grad_mu, grad_logvar = mu.grad, logvar.grad
# --- check (runs in the grader) ---
assert torch.allclose(grad_mu, torch.ones(1, 3)), "dz/dmu should be 1"
assert torch.allclose(grad_logvar, 0.5 * torch.exp(0.5 * logvar.detach()) * eps), "dz/dlogvar should be sigma * eps / 2"

# %% [markdown]
# ## Question 4 — the negative ELBO (5 points)
#
# For binary images and a decoder that outputs Bernoulli **logits** `(B, D)`, the loss of each
# image is
#
# $$-\mathrm{ELBO}(x) = \underbrace{\sum_{d=1}^{D} \mathrm{BCE}(\text{logit}_d, x_d)}_{-\log p(x|z)}
#   + \underbrace{\tfrac12 \sum_{j} \left(\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2\right)}_{\mathrm{KL}(q(z|x)\,\|\,\mathcal{N}(0, I))}$$
#
# with $z$ the one sample the logits were decoded from. Write `negative_elbo(logits, x, mu, logvar)`
# returning one value per image, shape `(B,)`, in nats. `x` may be `(B, 1, H, W)`: flatten it.
# Use `F.binary_cross_entropy_with_logits` (why not `torch.log(torch.sigmoid(...))`? Try a
# logit of 200).

# %%
# ANSWER q4
def negative_elbo(logits, x, mu, logvar):
    """-ELBO per image: logits (B, D), x (B, ...) with D values in {0, 1}, mu and logvar (B, z_dim) -> (B,)."""
    ### BEGIN SOLUTION
    reconstruction = F.binary_cross_entropy_with_logits(logits, x.flatten(1), reduction="none").sum(1)
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
    return reconstruction + kl
    ### END SOLUTION


# %%
# TEST q4 (2 points)
value = negative_elbo(torch.zeros(2, 64), torch.ones(2, 1, 8, 8), torch.zeros(2, 3), torch.zeros(2, 3))
value_kl = negative_elbo(torch.zeros(1, 4), torch.zeros(1, 4), torch.ones(1, 2), torch.zeros(1, 2))
# --- check (runs in the grader) ---
assert value.shape == (2,), f"one value per image: shape (2,), got {tuple(value.shape)}"
assert torch.allclose(value, torch.full((2,), 64 * math.log(2))), \
    "logits 0 give p = 1/2 per pixel: 64 log 2 nats, and q = N(0, I) has KL 0"
assert torch.allclose(value_kl, torch.tensor([4 * math.log(2) + 1.0])), "mu = 1 in 2 dimensions adds KL = 2 * 1/2"
print("q4 public tests passed")

# %%
# REFERENCES q4
from gentut.losses import negative_elbo as reference_elbo

# %%
# HIDDEN TEST q4 (3 points)
g = torch.Generator().manual_seed(11)
logits, x = 3 * torch.randn(5, 12, generator=g), (torch.rand(5, 1, 3, 4, generator=g) > 0.5).float()
mu, logvar = torch.randn(5, 4, generator=g), torch.randn(5, 4, generator=g)
# --- probe (calls your code) ---
value = negative_elbo(logits, x, mu, logvar)
extreme = negative_elbo(torch.tensor([[200.0, -200.0]]), torch.tensor([[0.0, 1.0]]), torch.zeros(1, 1), torch.zeros(1, 1))
# --- check (runs in the grader) ---
assert torch.allclose(value, reference_elbo(logits, x, mu, logvar), atol=1e-4), \
    "negative_elbo differs from the reference on random inputs"
assert torch.isfinite(extreme).all() and torch.allclose(extreme, torch.tensor([400.0])), \
    "logits of +-200 must give a finite loss (400 nats here): use a numerically stable BCE"

# %% [markdown]
# ## Your functions at work
#
# A tiny VAE (64 pixels -> 2-D code -> 64 logits) trained for a few hundred steps with your
# `reparameterize` and `negative_elbo`. A coin flip per pixel costs 64 log 2 = 44 nats; the loss
# should fall below 35 nats within the first 20 steps and end near 21.

# %%
images, _ = load_binarized_digits("train")
encoder = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 4))
decoder = torch.nn.Sequential(torch.nn.Linear(2, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64))
optimizer = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=3e-3)
losses = []
for step in tqdm(range(400), desc="training a tiny VAE"):
    batch = images[torch.randint(len(images), (128,), generator=generator)]
    mu, logvar = encoder(batch.flatten(1)).chunk(2, dim=1)
    z = reparameterize(mu, logvar, torch.randn(mu.shape, generator=generator))
    loss = negative_elbo(decoder(z), batch, mu, logvar).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(f"-ELBO (nats per image): first 20 steps {sum(losses[:20]) / 20:.1f}, last 20 steps {sum(losses[-20:]) / 20:.1f}")

# %% [markdown]
# ## Questions to think about
# 1. Stack a type-A and two type-B 3x3 masked convolutions and measure (with `dependence`-style
#    gradients) which pixels the last layer sees: where is the blind spot, and why?
# 2. Your `negative_elbo` uses one sample of $z$. How would you estimate $\log p(x)$ itself more
#    tightly? (Notebook 02's IWAE bound.)
# 3. What happens to the code and to the samples if you multiply the KL term by 10? By 0?
