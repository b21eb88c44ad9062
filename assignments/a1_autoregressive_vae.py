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
# grader runs them again with hidden tests on other inputs. Then you write the loop that trains
# a small VAE on the kit's 8x8 binarized digits (graded on its held-out likelihood), measure the
# blind spot of stacked masked convolutions, and explain what the KL weight does. Everything runs
# on a CPU in seconds.

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
import torch.nn.functional as F
from tqdm.auto import tqdm

from gentut.data.digits import load_binarized_digits
from gentut.grading.testing import close, max_error, raised, replaced
from gentut.runtime import setup

device, generator = setup(seed=0)
train_images, _ = load_binarized_digits("train")       # (1500, 1, 8, 8) in {0, 1}
test_images, _ = load_binarized_digits("test")         # (297, 1, 8, 8): held out


def make_vae(seed=0):
    """A tiny VAE: encoder 64 -> 128 -> 4 (mu and logvar, 2 each), decoder 2 -> 128 -> 64 logits."""
    torch.manual_seed(seed)
    encoder = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 4))
    decoder = torch.nn.Sequential(torch.nn.Linear(2, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64))
    return encoder, decoder

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
# raise a `ValueError` for a `mask_type` other than "A" or "B" (exactly these two strings).

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
error = raised(causal_mask, 3, "C")
# --- check (runs in the grader) ---
expected_a = torch.tensor([[1., 1., 1.], [1., 0., 0.], [0., 0., 0.]])
expected_b = torch.tensor([[1., 1., 1.], [1., 1., 0.], [0., 0., 0.]])
assert tuple(mask_a.shape) == (3, 3), "the mask must have shape (kernel_size, kernel_size)"
assert close(mask_a, expected_a), f"type A, k=3 should be\n{expected_a}\n(type A hides the centre itself)"
assert close(mask_b, expected_b), f"type B, k=3 should be\n{expected_b}\n(type B keeps the centre)"
assert isinstance(error, ValueError), "causal_mask(3, 'C') should raise a ValueError"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.models.autoregressive import causal_mask as reference_mask

# %%
# HIDDEN TEST q1 (1 point)
masks = {f"{k}{kind}": causal_mask(k, kind) for k in (1, 5, 7) for kind in ("A", "B")}
# --- check (runs in the grader) ---
for name, mask in masks.items():
    k, kind = int(name[:-1]), name[-1]
    assert close(mask, reference_mask(k, kind)), \
        f"wrong mask for k={k}, type {kind}: keep every row above the centre, and left of it in the centre row"

# %%
# HIDDEN TEST q1 (1 point)
errors = [raised(causal_mask, 5, kind) for kind in ("a", "b", "AB", None)]
# --- check (runs in the grader) ---
assert all(isinstance(error, ValueError) for error in errors), \
    "only the strings 'A' and 'B' are mask types: 'a', 'b', 'AB' and None must raise a ValueError"

# %% [markdown]
# ## Question 2 — the masked convolution (4 points)
#
# Write `masked_conv2d(x, weight, bias, mask_type)`: a *same-size* convolution (padding
# $k/2$, rounded down) of `x` `(B, C_in, H, W)` with the kernel `weight` `(C_out, C_in, k, k)`
# multiplied by your `causal_mask(k, mask_type)`, plus `bias` `(C_out,)`.
# `torch.nn.functional.conv2d` does the convolution. The property that matters is *causality*:
# the output at a pixel must not change when you change that pixel (type A) or any later one.
# The public test checks the convolution itself, with a mask of ones and one of zeros in place of
# yours; the hidden tests check causality with a right mask, so a mistake in question 1 costs
# only question 1.

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
g = torch.Generator().manual_seed(0)
x, weight, bias = torch.randn(2, 3, 6, 5, generator=g), torch.randn(4, 3, 5, 5, generator=g), torch.randn(4, generator=g)
# --- probe (calls your code) ---
with replaced(globals(), causal_mask=lambda k, kind: torch.ones(k, k)):
    unmasked = masked_conv2d(x, weight, bias, "A")
with replaced(globals(), causal_mask=lambda k, kind: torch.zeros(k, k)):
    all_masked = masked_conv2d(x, weight, bias, "A")
# --- check (runs in the grader) ---
assert tuple(unmasked.shape) == (2, 4, 6, 5), f"same size: (B, C_out, H, W) = (2, 4, 6, 5), got {tuple(unmasked.shape)}"
assert close(unmasked, F.conv2d(x, weight, bias, padding=2), atol=1e-4), \
    "with a mask of ones it should be F.conv2d(x, weight, bias, padding=k // 2)"
assert close(all_masked, bias[None, :, None, None].expand(2, 4, 6, 5), atol=1e-5), \
    "with a mask of zeros only the bias is left: multiply the kernel by causal_mask(k, mask_type)"
print("q2 public tests passed")

# %%
def dependence(conv, mask_type, pixel=(3, 2), size=6, kernel=5, seed=0):
    """Which input pixels the output of conv at `pixel` depends on, measured with gradients: bool (size, size)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, 1, size, size, generator=g, requires_grad=True)
    weight, bias = torch.randn(2, 1, kernel, kernel, generator=g), torch.randn(2, generator=g)
    conv(x, weight, bias, mask_type)[0, :, pixel[0], pixel[1]].sum().backward()
    return x.grad[0, 0] != 0


print("your type-A convolution: the output at (3, 2) depends on\n", dependence(masked_conv2d, "A").int())

# %%
# REFERENCES q2
from gentut.models.autoregressive import MaskedConv2d

# %%
# HIDDEN TEST q2 (1 point)
def raster_mask(k, kind):
    """A right causal mask (q1): 1 before the centre in raster order (and at it, for type B)."""
    return (torch.arange(k * k) < k * k // 2 + (kind == "B")).float().view(k, k)


g = torch.Generator().manual_seed(5)
weight, bias = torch.randn(4, 3, 3, 3, generator=g), torch.randn(4, generator=g)
x = torch.randn(2, 3, 7, 5, generator=g)
# --- probe (calls your code) ---
with replaced(globals(), causal_mask=raster_mask), torch.no_grad():
    out = masked_conv2d(x, weight, bias, "B")
# --- check (runs in the grader) ---
layer = MaskedConv2d(3, 4, 3, "B")
with torch.no_grad():
    layer.weight.copy_(weight)
    layer.bias.copy_(bias)
    expected = layer(x)
assert close(out, expected, atol=1e-4), \
    f"masked_conv2d differs from a masked convolution (type B, 3 channels in, 4 out) by {max_error(out, expected):.3g}"

# %%
# HIDDEN TEST q2 (1 point)
def raster_mask(k, kind):
    """A right causal mask (q1): 1 before the centre in raster order (and at it, for type B)."""
    return (torch.arange(k * k) < k * k // 2 + (kind == "B")).float().view(k, k)


# --- probe (calls your code) ---
with replaced(globals(), causal_mask=raster_mask):
    seen_a = dependence(masked_conv2d, "A", pixel=(2, 4), seed=3)
    seen_b = dependence(masked_conv2d, "B", pixel=(2, 4), seed=3)
# --- check (runs in the grader) ---
order = torch.arange(36).view(6, 6)
index = 2 * 6 + 4
assert not seen_a[order >= index].any(), "type A: the output at a pixel sees that pixel or a later one"
assert seen_b[2, 4] and not seen_b[order > index].any(), "type B must see the centre pixel but nothing after it"

# %% [markdown]
# ## Question 3 — the reparameterization trick (2 points)
#
# The encoder outputs the mean `mu` and the log-variance `logvar` of $q(z|x)$, both `(B, z_dim)`.
# Write `reparameterize(mu, logvar, eps)`: a sample of $\mathcal{N}(\mu, \sigma^2)$, with
# $\log\sigma^2$ = `logvar`, written as a function of `mu`, `logvar` and standard normal noise
# `eps` (given, so the answer is deterministic), such that gradients flow into `mu` and `logvar`.

# %%
# ANSWER q3
def reparameterize(mu, logvar, eps):
    """A sample of q(z|x) = N(mu, exp(logvar)) made from the standard normal noise eps; all (B, z_dim)."""
    ### BEGIN SOLUTION
    return mu + torch.exp(0.5 * logvar) * eps
    ### END SOLUTION


# %%
# TEST q3 (1 point)
eps = torch.tensor([[1.0, -0.5]])
# --- probe (calls your code) ---
z = reparameterize(torch.zeros(1, 2), torch.full((1, 2), math.log(4.0)), eps)
# --- check (runs in the grader) ---
assert close(z, 2 * eps), f"with mu = 0 and variance 4, z should be 2 * eps = {2 * eps}, got {z}"
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
z = reparameterize(mu, logvar, eps)
z.sum().backward()
grad_mu, grad_logvar = mu.grad, logvar.grad
# --- check (runs in the grader) ---
sigma = torch.exp(0.5 * logvar.detach())
assert grad_mu is not None and grad_logvar is not None, "no gradient reached mu or logvar: no .detach() or no_grad here"
assert close(grad_mu, torch.ones(1, 3)), "dz/dmu should be 1"
assert not close(grad_logvar, torch.exp(logvar.detach()) * eps, atol=1e-4), \
    "sigma is exp(logvar / 2), the square root of the variance, not exp(logvar)"
assert close(grad_logvar, 0.5 * sigma * eps, atol=1e-5), "dz/dlogvar should be sigma * eps / 2"

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
# returning one value per image, shape `(B,)`, in nats (float32 or float64; values are compared
# within 1e-4 nats). `x` may be `(B, 1, H, W)`: flatten it. Use
# `F.binary_cross_entropy_with_logits` (why not `torch.log(torch.sigmoid(...))`? Try a logit of 200).

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
# --- probe (calls your code) ---
value = negative_elbo(torch.zeros(2, 64), torch.ones(2, 1, 8, 8), torch.zeros(2, 3), torch.zeros(2, 3))
value_kl = negative_elbo(torch.zeros(1, 4), torch.zeros(1, 4), torch.ones(1, 2), torch.zeros(1, 2))
value_mixed = negative_elbo(torch.tensor([[2.0, -1.0]]), torch.tensor([[1.0, 1.0]]), torch.zeros(1, 1),
                            torch.tensor([[math.log(4.0)]]))
# --- check (runs in the grader) ---
assert tuple(value.shape) == (2,), f"one value per image: shape (2,), got {tuple(value.shape)}"
assert close(value, torch.full((2,), 64 * math.log(2)), atol=1e-4), \
    "logits 0 give p = 1/2 per pixel: 64 log 2 nats (sum over pixels), and q = N(0, I) has KL 0"
assert close(value_kl, torch.tensor([4 * math.log(2) + 1.0]), atol=1e-4), "mu = 1 in 2 dimensions adds KL = 2 * 1/2"
expected = F.softplus(torch.tensor(-2.0)) + F.softplus(torch.tensor(1.0)) + 0.5 * (4 - 1 - math.log(4.0))
assert close(value_mixed, expected[None], atol=1e-4), \
    f"logits (2, -1) for pixels (1, 1) and variance 4: expected {expected.item():.4f} nats (check signs)"
print("q4 public tests passed")

# %%
# REFERENCES q4
from gentut.losses import negative_elbo as reference_elbo

# %%
# HIDDEN TEST q4 (1 point)
g = torch.Generator().manual_seed(11)
logits, x = 3 * torch.randn(5, 12, generator=g), (torch.rand(5, 12, generator=g) > 0.5).float()
mu, logvar = torch.randn(5, 4, generator=g), torch.randn(5, 4, generator=g)
# --- probe (calls your code) ---
value = negative_elbo(logits, x, mu, logvar)
# --- check (runs in the grader) ---
expected = reference_elbo(logits, x, mu, logvar)
reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
kl = expected - reconstruction
mistakes = [(reconstruction, "the KL term is missing"), (reconstruction - kl, "the KL term has the wrong sign"),
            (reconstruction + 2 * kl, "the KL term has an extra factor 2 (the 1/2 is part of it)"),
            (reconstruction / 12 + kl, "the pixels' BCE is averaged: sum it over pixels")]
if not close(value, expected, atol=1e-4):
    kind = next((hint for candidate, hint in mistakes if close(value, candidate, atol=1e-4)), "wrong value")
    raise AssertionError(f"negative_elbo on random inputs: {kind} (off by {max_error(value, expected):.3g} nats)")

# %%
# HIDDEN TEST q4 (1 point)
# --- probe (calls your code) ---
extreme = negative_elbo(torch.tensor([[200.0, -200.0]]), torch.tensor([[0.0, 1.0]]), torch.zeros(1, 1), torch.zeros(1, 1))
# --- check (runs in the grader) ---
assert torch.isfinite(torch.as_tensor(extreme)).all() and close(extreme, torch.tensor([400.0]), rtol=1e-4), \
    "logits of +-200 must give a finite loss (400 nats here): use F.binary_cross_entropy_with_logits"

# %%
# HIDDEN TEST q4 (1 point)
g = torch.Generator().manual_seed(12)
logits, x = torch.randn(3, 16, generator=g), (torch.rand(3, 1, 4, 4, generator=g) > 0.5).float()
mu, logvar = torch.randn(3, 2, generator=g), torch.randn(3, 2, generator=g)
# --- probe (calls your code) ---
value = negative_elbo(logits, x, mu, logvar)
# --- check (runs in the grader) ---
assert tuple(value.shape) == (3,), \
    f"one value per image, shape (B,) = (3,), for x of shape (B, 1, H, W): got {tuple(value.shape)} (flatten x, sum over D)"
assert close(value, reference_elbo(logits, x, mu, logvar), atol=1e-4), "images (B, 1, 4, 4): flatten x to (B, 16)"

# %% [markdown]
# ## Question 5 — train a VAE (4 points)
#
# Now the loop itself. Write `train_vae(encoder, decoder, images, steps=300, generator=None)`:
# * one `torch.optim.Adam` over the parameters of both networks, learning rate `3e-3`;
# * each step: draw a batch of 128 images, `images[torch.randint(len(images), (128,), generator=generator)]`;
#   encode the flattened batch into `mu, logvar` (the encoder's 4 outputs, split in two: `.chunk(2, dim=1)`);
#   draw `z` with your `reparameterize` and `eps = torch.randn(mu.shape, generator=generator)`;
#   decode `z` into logits; minimise the batch **mean** of your `negative_elbo`;
# * return the list of the batch losses (floats), one per step.
#
# `make_vae()` (above) builds the two networks. The hidden test trains them for 300 steps on the
# training digits and measures the $-$ELBO of the *held-out* digits: a right loop reaches about 22
# nats in a few seconds; it must be below 25 nats (a coin flip per pixel costs 64 log 2 = 44).

# %%
# ANSWER q5
def train_vae(encoder, decoder, images, steps=300, generator=None):
    """Train encoder and decoder on images (N, 1, 8, 8) with Adam on the mean -ELBO; return the batch losses."""
    ### BEGIN SOLUTION
    optimizer = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=3e-3)
    losses = []
    for _ in tqdm(range(steps), desc="training a tiny VAE"):
        batch = images[torch.randint(len(images), (128,), generator=generator)]
        mu, logvar = encoder(batch.flatten(1)).chunk(2, dim=1)
        z = reparameterize(mu, logvar, torch.randn(mu.shape, generator=generator))
        loss = negative_elbo(decoder(z), batch, mu, logvar).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    ### END SOLUTION


# %%
# Try your loop (not graded: the hidden tests train with right reparameterize and negative_elbo,
# so that a mistake in questions 3 or 4 costs only those questions).
encoder, decoder = make_vae()
losses = train_vae(encoder, decoder, train_images, steps=150, generator=torch.Generator().manual_seed(1))
print(f"-ELBO (nats per image): first 20 steps {sum(losses[:20]) / 20:.1f}, last 20 steps {sum(losses[-20:]) / 20:.1f} "
      "(a right loop gets below 32 by step 150)")

# %%
# HIDDEN TEST q5 (1 point)
def known_reparameterize(mu, logvar, eps):
    return mu + torch.exp(0.5 * logvar) * eps


def known_elbo(logits, x, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, x.flatten(1), reduction="none").sum(1)
    return bce + 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)


# --- probe (calls your code) ---
_encoder, _decoder = make_vae(seed=3)
with replaced(globals(), reparameterize=known_reparameterize, negative_elbo=known_elbo):   # q3 and q4 right
    losses = train_vae(_encoder, _decoder, train_images, steps=300, generator=torch.Generator().manual_seed(2))
# --- check (runs in the grader) ---
assert isinstance(losses, (list, tuple)) and len(losses) == 300 and all(isinstance(v, float) for v in losses), \
    "return one float per step (loss.item()), 300 of them"
first, last = sum(losses[:20]) / 20, sum(losses[-20:]) / 20
assert last < first - 10, f"the batch loss should fall by more than 10 nats over 300 steps ({first:.1f} -> {last:.1f})"

# %%
# HIDDEN TEST q5 (3 points)
# --- probe (calls your code) ---
weights = {"encoder": _encoder.state_dict(), "decoder": _decoder.state_dict()}      # trained in the cell above
# --- check (runs in the grader) ---
encoder, decoder = make_vae()
encoder.load_state_dict(weights["encoder"])
decoder.load_state_dict(weights["decoder"])
g = torch.Generator().manual_seed(123)
with torch.no_grad():
    mu, logvar = encoder(test_images.flatten(1)).chunk(2, dim=1)
    held_out = torch.stack([reference_elbo(decoder(mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=g)),
                                           test_images, mu, logvar).mean() for _ in range(10)]).mean().item()
assert held_out < 25, (f"after 300 steps the held-out -ELBO is {held_out:.1f} nats; a right loop reaches about 22 "
                       "(zero the gradients every step, minimise the mean loss, step the optimiser)")

# %% [markdown]
# ## Question 6 — the blind spot, measured (2 points)
#
# Stack a type-A masked convolution and then type-B ones, all $k \times k$ with one channel,
# weights of ones and no bias, on a `size` x `size` image. Write
# `blind_spot(conv, layers=3, kernel_size=3, size=7)`: using `conv` (a function with the signature
# of your `masked_conv2d`) and gradients as in `dependence` above, return **how many pixels before
# the centre pixel** (in raster order) the output at the centre does *not* depend on, as an `int`.
# The hidden test calls it with a right masked convolution and other sizes; below, try yours.

# %%
# ANSWER q6
def blind_spot(conv, layers=3, kernel_size=3, size=7):
    """The number of pixels before the centre (raster order) that the stacked convolutions' centre output ignores."""
    ### BEGIN SOLUTION
    x = torch.randn(1, 1, size, size, requires_grad=True)
    weight, h = torch.ones(1, 1, kernel_size, kernel_size), x
    for layer in range(layers):
        h = conv(h, weight, torch.zeros(1), "A" if layer == 0 else "B")
    centre = size // 2
    h[0, 0, centre, centre].backward()
    seen = (x.grad[0, 0] != 0).flatten()
    return int((~seen[:centre * size + centre]).sum())
    ### END SOLUTION


# %%
print("with your masked_conv2d, 3 layers of 3x3 on 7x7, the centre ignores", blind_spot(masked_conv2d),
      "pixels before it")

# %%
# HIDDEN TEST q6 (2 points)
def known_conv(x, weight, bias, mask_type):
    k = weight.shape[-1]
    mask = (torch.arange(k * k) < k * k // 2 + (mask_type == "B")).float().view(k, k)
    return F.conv2d(x, weight * mask, bias, padding=k // 2)


# --- probe (calls your code) ---
counts = [blind_spot(known_conv, 3, 3, 7), blind_spot(known_conv, 4, 3, 11), blind_spot(known_conv, 2, 5, 9)]
# --- check (runs in the grader) ---
def true_count(layers, kernel_size, size):
    stack = [MaskedConv2d(1, 1, kernel_size, "A" if i == 0 else "B") for i in range(layers)]
    x = torch.randn(1, 1, size, size, requires_grad=True)
    h = x
    for layer in stack:
        with torch.no_grad():
            layer.weight.fill_(1.0)
            layer.bias.zero_()
        h = layer(h)
    h[0, 0, size // 2, size // 2].backward()
    seen = (x.grad[0, 0] != 0).flatten()[:(size // 2) * size + size // 2]
    return int((~seen).sum())


expected = [true_count(3, 3, 7), true_count(4, 3, 11), true_count(2, 5, 9)]
assert counts == expected, (f"blind spots (3 layers 3x3 on 7x7, 4 layers 3x3 on 11x11, 2 layers 5x5 on 9x9): "
                            f"expected {expected}, got {counts}; count the pixels before the centre with zero gradient")

# %% [markdown]
# # ANALYSIS q7 (2 points)
#
# Train the VAE again with the KL term multiplied by 10, and then by 0 (copy your `train_vae`
# into a cell of your own and change it). What happens to the codes `mu` of the test digits and
# to images decoded from $z \sim \mathcal{N}(0, I)$, and why? Answer in this cell, in a few sentences.
#
# ### BEGIN SOLUTION
# With a weight of 10 the KL term dominates: the codes collapse towards N(0, I) (posterior
# collapse), reconstructions blur towards the mean digit, and samples look alike. With 0 the model
# is a plain autoencoder: codes spread out wherever reconstruction likes them, the region N(0, I)
# covers is partly empty, so decoded samples from the prior are often not digits.
# ### END SOLUTION

# %% [markdown]
# ## Questions to think about
# 1. Your `negative_elbo` uses one sample of $z$. How would you estimate $\log p(x)$ itself more
#    tightly? (Notebook 02's IWAE bound.)
# 2. Where is the blind spot of question 6, and how does a gated PixelCNN (two stacks) remove it?
