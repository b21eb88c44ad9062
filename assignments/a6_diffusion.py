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
# # Assignment 6 — Diffusion models: the noising step, the training loss, one DDIM step
#
# A denoising diffusion model (Ho et al. 2020, "DDPM") destroys data with Gaussian noise in $T$
# small steps of variances $\beta_0, \dots, \beta_{T-1}$ and learns to undo them. Notebook 10 uses
# the kit's `gentut.diffusion`; here you write its core yourself:
# * the **forward process** in one draw: $x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1 - \bar\alpha_t}\,\epsilon$
#   with $\bar\alpha_t = \prod_{s \le t}(1 - \beta_s)$;
# * DDPM's **training loss** $L_\text{simple}$: one random step per image, and the squared error
#   of the network's guess of the noise;
# * one **deterministic DDIM step** (Song et al. 2021), which samples in a few dozen network
#   passes instead of $T$.
#
# Then you write the loop that trains a small noise predictor on 2-D points (graded on its
# held-out loss), measure two facts of DDPM's schedule, and explain why training is cheap while
# sampling is not. Steps are numbered from 0 to $T - 1$, as in the kit (the papers' 1 to $T$).
# Everything runs on a CPU in seconds.

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
import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.gan2d import ring_mixture
from gentut.grading.testing import close, max_error, raised, replaced
from gentut.runtime import setup

device, generator = setup(seed=0)
ddpm_betas = torch.linspace(1e-4, 0.02, 1000)          # DDPM's linear schedule: T = 1000 steps (float32)
short_betas = torch.linspace(1e-3, 0.2, 100)           # the same schedule in T = 100 steps (betas x 10): question 4
ring = ring_mixture(8)                                 # 8 Gaussians of std 0.05 on a circle of radius 2
train_points = ring.sample(2000, torch.Generator().manual_seed(0))       # (2000, 2)
test_points = ring.sample(2000, torch.Generator().manual_seed(1))        # (2000, 2): held out


class NoisePredictor(nn.Module):
    """eps_theta(x_t, t) for 2-D points: [x_t (B, 2), t / T (B, 1)] -> the predicted noise (B, 2)."""

    def __init__(self, steps, hidden=128):
        super().__init__()
        self.steps = steps
        self.net = nn.Sequential(nn.Linear(3, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, 2))

    def forward(self, x, t):                                  # x (B, 2), t (B,) integer steps
        return self.net(torch.cat([x, t.float()[:, None] / self.steps], 1))


def make_predictor(seed=0):
    """A NoisePredictor for the 100-step schedule, initialised from `seed`."""
    torch.manual_seed(seed)
    return NoisePredictor(len(short_betas))


class Recorder(nn.Module):
    """A stand-in noise predictor for the tests: it keeps every (x_t, t) it is called with and
    returns respond(x_t, t) times a weight of 1 (so that gradients have somewhere to go)."""

    def __init__(self, respond=None):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(()))
        self.respond = respond or (lambda x, t: torch.zeros_like(x))
        self.calls = []

    def forward(self, x, t):
        self.calls.append((x.detach().clone(), torch.as_tensor(t).detach().clone()))
        return self.weight * self.respond(x, t)

# %% [markdown]
# ## Question 1 — the forward process in one draw (5 points)
#
# Each step of the forward process shrinks the data a little and adds a little noise:
# $q(x_t \mid x_{t-1}) = \mathcal{N}\big(\sqrt{1 - \beta_t}\,x_{t-1},\ \beta_t I\big)$. Composed,
# these Gaussians give $x_t$ from $x_0$ in **one** draw:
#
# $$\bar\alpha_t = \prod_{s=0}^{t} (1 - \beta_s), \qquad
#   x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1 - \bar\alpha_t}\,\epsilon, \quad \epsilon \sim \mathcal{N}(0, I).$$
#
# $\bar\alpha_t$ is the share of the signal's variance left at step $t$ (the product includes
# step $t$ itself, so $\bar\alpha_0 = 1 - \beta_0$).
# 1. Write `alpha_bar(betas)`: `(T,)` -> `(T,)`, the cumulative product of $1 - \beta$.
# 2. Write `noisy(x0, t, eps, abar)`: `x0` and `eps` of shape `(B, ...)` (images `(B, C, H, W)`,
#    or the points `(B, 2)` of question 4), **one step index per sample** `t` `(B,)` (integers
#    in 0..T-1), `abar` `(T,)`; return $x_t$, the shape of `x0`. `abar[t]` is `(B,)`: reshape it
#    to `(B, 1, ..., 1)` (as many 1s as `x0` has further dimensions) before multiplying.
#
# Values are compared within 1e-6 (and 1e-4 relative), in any float dtype. Keep the dtype of the
# inputs: the kit keeps its schedules in float64, and given float64 inputs your functions must
# compute in float64 (do not convert to float32 on the way).

# %%
# ANSWER q1
def alpha_bar(betas):
    """abar_t = prod_{s <= t} (1 - beta_s): (T,) -> (T,)."""
    ### BEGIN SOLUTION
    return torch.cumprod(1 - betas, dim=0)
    ### END SOLUTION


def noisy(x0, t, eps, abar):
    """x_t = sqrt(abar[t]) x0 + sqrt(1 - abar[t]) eps for x0, eps (B, ...) and one step per sample t (B,)."""
    ### BEGIN SOLUTION
    a = abar[t].reshape(-1, *[1] * (x0.dim() - 1))                    # (B, 1, ..., 1)
    return a.sqrt() * x0 + (1 - a).sqrt() * eps
    ### END SOLUTION


# %%
# TEST q1 (1 point)
toy_betas = torch.tensor([0.1, 0.2, 0.5])
x0 = torch.stack([torch.full((3, 2, 2), 1.0), torch.full((3, 2, 2), -1.0)])     # 2 images (2, 3, 2, 2): +1 and -1
eps = torch.full((2, 3, 2, 2), 2.0)
toy_abar = torch.tensor([0.64, 0.36])
# --- probe (calls your code) ---
bars = alpha_bar(toy_betas)
x_t = noisy(x0, torch.tensor([1, 0]), eps, toy_abar)
start = noisy(x0, torch.tensor([0, 0]), eps, alpha_bar(ddpm_betas))
# --- check (runs in the grader) ---
assert close(bars, torch.tensor([0.9, 0.72, 0.36])), \
    f"betas (0.1, 0.2, 0.5): abar = (0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.5) = (0.9, 0.72, 0.36), got {bars}"
assert tuple(x_t.shape) == (2, 3, 2, 2), f"x_t has the shape of x0, (2, 3, 2, 2), got {tuple(x_t.shape)}"
expected = torch.stack([torch.full((3, 2, 2), 0.6 * 1 + 0.8 * 2), torch.full((3, 2, 2), 0.8 * -1 + 0.6 * 2)])
assert close(x_t, expected), \
    ("image 0 at t = 1 (abar 0.36): 0.6 * 1 + 0.8 * 2 = 2.2 everywhere; image 1 at t = 0 (abar 0.64): "
     f"0.8 * -1 + 0.6 * 2 = 0.4; got {x_t[:, 0, 0, 0].tolist()} (each image with its own t, abar[t] reshaped to "
     "(B, 1, 1, 1); the square roots of abar and of 1 - abar)")
assert close(start, math.sqrt(1 - 1e-4) * x0 + 0.01 * eps, atol=1e-5), \
    "at t = 0 of DDPM's schedule (beta_0 = 1e-4) x_t is nearly x0: sqrt(0.9999) x0 + 0.01 eps"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.diffusion import NoiseSchedule

# %%
# HIDDEN TEST q1 (1 point)
# --- probe (calls your code) ---
ddpm_bars = alpha_bar(ddpm_betas)
# --- check (runs in the grader) ---
b = ddpm_betas.double()
expected = NoiseSchedule(b).abar
mistakes = [(torch.cumsum(1 - b, 0), "that is a cumulative sum: abar is the cumulative product of 1 - beta"),
            (1 - torch.cumsum(b, 0), "1 - (beta_0 + ... + beta_t) is only the first-order approximation: multiply"),
            (torch.cumprod(b, 0), "the product is of 1 - beta, not of beta"),
            (torch.cat([torch.ones(1, dtype=torch.float64), expected[:-1]]),
             "abar_t includes step t itself: abar_0 = 1 - beta_0, not 1")]
if not close(ddpm_bars, expected, atol=1e-6, rtol=1e-4):
    kind = next((hint for candidate, hint in mistakes if close(ddpm_bars, candidate, atol=1e-6, rtol=1e-4)),
                "wrong values")
    raise AssertionError(f"abar of DDPM's 1000-step schedule: {kind} (off by {max_error(ddpm_bars, expected):.3g})")

# %%
# HIDDEN TEST q1 (1 point)
g = torch.Generator().manual_seed(11)
images, noise = torch.randn(4, 3, 2, 4, generator=g), torch.randn(4, 3, 2, 4, generator=g)     # W = B = 4
points, point_noise = torch.randn(4, 2, generator=g), torch.randn(4, 2, generator=g)
steps = torch.tensor([0, 7, 9, 3])
abar10 = torch.linspace(0.95, 0.05, 10)
# --- probe (calls your code) ---
per_image = noisy(images, steps, noise, abar10)
point_error = raised(noisy, points, steps, point_noise, abar10)
per_point = noisy(points, steps, point_noise, abar10) if point_error is None else None
# --- check (runs in the grader) ---
a = abar10[steps].double()
expected = a.sqrt().reshape(4, 1, 1, 1) * images + (1 - a).sqrt().reshape(4, 1, 1, 1) * noise
last_axis = a.sqrt() * images + (1 - a).sqrt() * noise
one_step = a[0].sqrt() * images + (1 - a[0]).sqrt() * noise
if not close(per_image, expected):
    hint = ("abar[t] (B,) was multiplied along the last axis of the images: reshape it to (B, 1, 1, 1)"
            if close(per_image, last_axis) else
            "every image was noised with the first image's step: use each image's own t"
            if close(per_image, one_step) else "wrong values")
    raise AssertionError(f"4 images (4, 3, 2, 4), steps (0, 7, 9, 3): {hint}")
assert close(per_point, a.sqrt()[:, None] * points + (1 - a).sqrt()[:, None] * point_noise), \
    ("right for images (B, C, H, W), not for 4 points (4, 2)" + (f" ({point_error!r})" if point_error else "") +
     ": reshape abar[t] to (B, 1, ..., 1) with as many 1s as x0 has further dimensions (here (B, 1)), not to a "
     "fixed (B, 1, 1, 1)")

# %%
# HIDDEN TEST q1 (1 point)
levels = torch.tensor([0.64, 0.36, 0.16])
ones, zeros = torch.ones(3, 1, 2, 2), torch.zeros(3, 1, 2, 2)
# --- probe (calls your code) ---
signal = noisy(ones, torch.tensor([0, 1, 2]), zeros, levels)        # the coefficient of x0
spread = noisy(zeros, torch.tensor([0, 1, 2]), ones, levels)        # the coefficient of eps
# --- check (runs in the grader) ---
def everywhere(values):                                              # (3,) -> (3, 1, 2, 2)
    return values.reshape(3, 1, 1, 1).expand(3, 1, 2, 2)


assert close(signal, everywhere(levels.sqrt())) or not close(signal, everywhere(levels)), \
    "x0's coefficient is sqrt(abar_t), not abar_t: the square root is missing"
assert close(signal, everywhere(levels.sqrt())), \
    "x0 = 1, eps = 0 at abar (0.64, 0.36, 0.16) should give sqrt(abar) = (0.8, 0.6, 0.4) in every pixel"
hints = [(1 - levels, "eps's coefficient is sqrt(1 - abar_t), not 1 - abar_t: the square root is missing"),
         (1 - levels.sqrt(), "eps's coefficient is sqrt(1 - abar_t), not 1 - sqrt(abar_t)")]
if not close(spread, everywhere((1 - levels).sqrt())):
    kind = next((hint for value, hint in hints if close(spread, everywhere(value))),
                f"x0 = 0, eps = 1 should give sqrt(1 - abar) = {(1 - levels).sqrt().tolist()} in every pixel")
    raise AssertionError(kind)

# %%
# HIDDEN TEST q1 (1 point)
g = torch.Generator().manual_seed(12)
betas64 = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
images64 = torch.randn(3, 1, 4, 4, generator=g, dtype=torch.float64)
noise64 = torch.randn(3, 1, 4, 4, generator=g, dtype=torch.float64)
abar64 = torch.cumprod(1 - betas64, 0)
# --- probe (calls your code) ---
bars64 = alpha_bar(betas64)
x_t64 = noisy(images64, torch.tensor([999, 0, 400]), noise64, abar64)
# --- check (runs in the grader) ---
for name, value in (("alpha_bar", bars64), ("noisy", x_t64)):
    assert torch.is_tensor(value) and value.dtype == torch.float64, \
        f"float64 inputs: {name} must return float64, got {getattr(value, 'dtype', type(value).__name__)}"
    assert (value != value.float().double()).any(), \
        (f"float64 inputs: {name} returned float64 numbers that all fit in float32, so it computed in float32; "
         "keep the inputs' dtype (do not convert to float32, or build tensors without a dtype)")

# %% [markdown]
# Your forward process at work on the 8 Gaussians of question 4 (the 100-step schedule): by the
# last step nothing of the ring is left.

# %%
_abar, _steps = alpha_bar(short_betas), [0, 10, 25, 50, 99]
_eps = torch.randn(train_points.shape, generator=torch.Generator().manual_seed(0))
fig, axes = plt.subplots(1, len(_steps), figsize=(12, 2.6), dpi=72)
for ax, step in zip(axes, _steps):
    points = noisy(train_points[:500], torch.full((500,), step), _eps[:500], _abar)
    ax.scatter(points[:, 0], points[:, 1], s=2)
    ax.set(title=f"t = {step}, abar = {float(_abar[step]):.3f}", xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), aspect="equal")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Question 2 — the training loss $L_\text{simple}$ (5 points)
#
# A network $\epsilon_\theta(x_t, t)$ learns to guess the noise in $x_t$. DDPM's loss draws, for
# each image, **one** step $t$ uniformly from $\{0, \dots, T-1\}$ and one noise
# $\epsilon \sim \mathcal{N}(0, I)$, noises the image in one draw and scores the guess:
#
# $$L_\text{simple} = \mathbb{E}_{x_0,\, t,\, \epsilon}\,\big\|\epsilon - \epsilon_\theta\big(\sqrt{\bar\alpha_t}\,x_0
#   + \sqrt{1-\bar\alpha_t}\,\epsilon,\ t\big)\big\|^2 .$$
#
# Write `diffusion_loss(model, x0, abar, generator)` for a batch `x0` `(B, ...)` and `abar`
# `(T,)`:
# 1. draw `t = torch.randint(T, (B,), generator=generator)` (one step per image, 0 and T-1
#    included) and `eps = torch.randn(x0.shape, generator=generator)` (either order);
# 2. `x_t` with your `noisy`; the guess `model(x_t, t)` (the shape of `x0`);
# 3. return the mean squared error between the guess and `eps`, averaged over **everything**
#    (images and dimensions): a scalar tensor through which gradients reach the model.
#
# The tests give your loss a `Recorder` (above), a stand-in network that keeps the `(x_t, t)` it
# was called with: from them the grader recovers your $\epsilon = (x_t - \sqrt{\bar\alpha_t}\,x_0) /
# \sqrt{1 - \bar\alpha_t}$, so it checks what your code drew (over many calls: uniform steps, one
# per image, standard normal noise) and the value your loss gives for it (within 1e-5), whatever
# the order of your draws. The public test replaces your `noisy` by a stand-in ($x_t = x_0 +
# \epsilon$) and the hidden tests by a right one: a mistake in question 1 costs only question 1.

# %%
# ANSWER q2
def diffusion_loss(model, x0, abar, generator=None):
    """L_simple on a batch x0 (B, ...): one uniform step t and one noise eps per image, the mean squared
    error of model(x_t, t) against eps: a scalar."""
    ### BEGIN SOLUTION
    t = torch.randint(len(abar), (len(x0),), generator=generator)
    eps = torch.randn(x0.shape, generator=generator, dtype=x0.dtype)
    return (model(noisy(x0, t, eps, abar), t) - eps).pow(2).mean()
    ### END SOLUTION


# %%
# TEST q2 (1 point)
toy_images = torch.tensor([[1.0, -2.0, 0.5, 0.0], [3.0, 1.0, -1.0, 2.0], [0.0, 0.5, -0.5, 1.5]]).reshape(3, 1, 2, 2)
toy_abar = torch.tensor([0.9, 0.5, 0.1])                               # T = 3


def plain_noisy(x0, t, eps, abar):
    """A stand-in for your noisy (x_t = x0 + eps), so that this test checks the loss alone."""
    return x0 + eps


# --- probe (calls your code) ---
_recorder = Recorder()                                                 # guesses 0 everywhere
with replaced(globals(), noisy=plain_noisy):
    _loss = diffusion_loss(_recorder, toy_images, toy_abar, torch.Generator().manual_seed(0))
    again = diffusion_loss(Recorder(), toy_images, toy_abar, torch.Generator().manual_seed(0))
loss, calls = _loss, len(_recorder.calls)
if torch.is_tensor(_loss) and _loss.requires_grad:
    _loss.backward()
weight_grad = _recorder.weight.grad
x_seen, t_seen = _recorder.calls[0] if _recorder.calls else (None, None)
# --- check (runs in the grader) ---
assert calls == 1, f"call the model once per loss, on the whole batch: it was called {calls} times"
assert tuple(x_seen.shape) == (3, 1, 2, 2), \
    f"model(x_t, t): x_t has the shape of x0, (3, 1, 2, 2), got {tuple(x_seen.shape)}"
assert tuple(t_seen.shape) == (3,) and not t_seen.is_floating_point(), \
    f"model(x_t, t): t holds one integer step per image, shape (3,), got {t_seen!r}"
assert int(t_seen.min()) >= 0 and int(t_seen.max()) <= 2, f"steps are indices into abar (0..T-1 = 0..2), got {t_seen}"
assert torch.is_tensor(loss) and loss.dim() == 0, f"return a scalar tensor, got {loss!r}"
assert weight_grad is not None, "no gradient reached the model's weights: keep the loss a tensor (no .item())"
a = toy_abar[t_seen].reshape(3, 1, 1, 1)
eps = x_seen - toy_images                                         # the noise in x_t = x0 + eps (the stand-in)
if not close(loss, eps.pow(2).mean(), atol=1e-5):                 # or x_t computed without calling noisy
    eps = (x_seen - a.sqrt() * toy_images) / (1 - a).sqrt()
assert close(loss, eps.pow(2).mean(), atol=1e-5), \
    (f"a model that guesses 0 scores the mean of eps^2 over all 12 numbers: {eps.pow(2).mean().item():.5f} for "
     f"the noise in your x_t, got {float(loss):.5f} (is the target eps? a mean, not a sum? is x_t made by noisy?)")
assert close(again, loss, atol=1e-6), "the same generator seed must give the same loss: draw t and eps with it"
print("q2 public tests passed")

# %%
# REFERENCES q2
from gentut.diffusion import diffusion_loss as reference_loss

# %%
# HIDDEN TEST q2 (1 point)
def known_noisy(x0, t, eps, abar):
    a = abar[t].reshape(-1, *[1] * (x0.dim() - 1))
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def guess(x, t):                                                      # the stand-in's guess: depends on x_t and t
    return 0.5 * x + (torch.as_tensor(t).float() / 10).reshape(-1, *[1] * (x.dim() - 1))


points = torch.tensor([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0], [-1.5, 2.5], [0.0, -0.5]])
abar6 = torch.tensor([0.95, 0.8, 0.6, 0.4, 0.2, 0.05])
# --- probe (calls your code) ---
_recorder = Recorder(guess)
with replaced(globals(), noisy=known_noisy):                          # q1 right
    value = diffusion_loss(_recorder, points, abar6, torch.Generator().manual_seed(3))
calls = len(_recorder.calls)
x_seen, t_seen = _recorder.calls[0] if _recorder.calls else (None, None)
# --- check (runs in the grader) ---
assert calls == 1, f"call the model once per loss, on the whole batch: it was called {calls} times"
t_seen = torch.as_tensor(t_seen).long().reshape(-1).expand(5)
a = abar6[t_seen][:, None].double()
eps = (x_seen.double() - a.sqrt() * points) / (1 - a).sqrt()
prediction = guess(x_seen.double(), t_seen)
expected = (prediction - eps).pow(2).mean()
mistakes = [((prediction - points).pow(2).mean(), "the target is the noise eps, not x0"),
            ((prediction - eps).pow(2).sum(), "average the squared errors (a mean over everything), not a sum"),
            ((prediction - eps).pow(2).sum(1).mean(), "average over the dimensions too, not only over the points"),
            ((eps - prediction).abs().mean(), "the squared error, not the absolute one")]
if close(x_seen, points):
    raise AssertionError("the model was called on x0: give it the noisy x_t")
if not close(value, expected, atol=1e-5):
    kind = next((hint for candidate, hint in mistakes if close(value, candidate, atol=1e-5)), "wrong value")
    got = f"{float(value):.5f}" if torch.as_tensor(value).numel() == 1 else repr(value)
    raise AssertionError(f"5 points, a stand-in model whose guess depends on x_t and t: {kind} "
                         f"(expected {expected.item():.5f} for the noise in your x_t, got {got})")

# %%
# HIDDEN TEST q2 (1 point)
abar10 = torch.linspace(0.9, 0.1, 10)                                  # T = 10
few_points = torch.randn(8, 2, generator=torch.Generator().manual_seed(4))
# --- probe (calls your code) ---
_recorder, _g = Recorder(), torch.Generator().manual_seed(5)
with replaced(globals(), noisy=known_noisy):
    for _ in range(1000):
        diffusion_loss(_recorder, few_points, abar10, _g)
first_steps = [int(torch.as_tensor(t).reshape(-1)[0]) for _, t in _recorder.calls]      # the first point's t per call
# --- check (runs in the grader) ---
first_steps = torch.tensor(first_steps)
assert len(first_steps) == 1000, f"1000 losses should call the model 1000 times, not {len(first_steps)}"
assert first_steps.min() >= 0 and first_steps.max() <= 9, \
    f"T = 10: steps are indices into abar, 0..9; you drew {first_steps.min().item()}..{first_steps.max().item()}"
assert (first_steps == 9).any(), "t = T - 1 = 9 is never drawn: torch.randint(T, ...) draws 0..T-1, T-1 included"
assert (first_steps == 0).any(), "t = 0 is never drawn: draw from 0..T-1 (torch.randint(T, ...)), 0 included"
counts = torch.bincount(first_steps, minlength=10)
assert (counts - 100).abs().max() < 45, \
    f"t should be uniform on 0..9: over 1000 draws each step about 100 times (+-45), counts {counts.tolist()}"

# %%
# HIDDEN TEST q2 (1 point)
abar_ten = torch.linspace(0.9, 0.1, 10)
batch_of_8 = torch.randn(8, 2, generator=torch.Generator().manual_seed(9))
# --- probe (calls your code) ---
_recorder, _g = Recorder(), torch.Generator().manual_seed(6)
with replaced(globals(), noisy=known_noisy):
    for _ in range(50):
        diffusion_loss(_recorder, batch_of_8, abar_ten, _g)
step_shapes = [tuple(torch.as_tensor(t).shape) for _, t in _recorder.calls]
distinct = [len(torch.as_tensor(t).unique()) for _, t in _recorder.calls]
# --- check (runs in the grader) ---
assert step_shapes and all(shape == (8,) for shape in step_shapes), \
    f"a batch of 8 points needs t of shape (8,): one step per point, got {step_shapes[:1]}"
assert min(distinct) > 1, \
    ("every point of a batch got the same step: draw one t per image, torch.randint(T, (B,), ...), not one per batch "
     f"(distinct steps per batch of 8: {distinct[:10]})")

# %%
# HIDDEN TEST q2 (1 point)
tiny_images = torch.randn(8, 3, 2, 2, generator=torch.Generator().manual_seed(7))      # 96 numbers per batch
abar_levels = torch.linspace(0.9, 0.1, 10)
# --- probe (calls your code) ---
_recorder, _g = Recorder(), torch.Generator().manual_seed(8)
with replaced(globals(), noisy=known_noisy):
    for _ in range(100):
        diffusion_loss(_recorder, tiny_images, abar_levels, _g)
noisy_seen = torch.stack([x for x, _ in _recorder.calls]) if _recorder.calls else None     # (100, 8, 3, 2, 2)
steps_seen = torch.stack([torch.as_tensor(t).reshape(-1).expand(8) for _, t in _recorder.calls])
# --- check (runs in the grader) ---
a = abar_levels[steps_seen].double().reshape(100, 8, 1, 1, 1)
eps = (noisy_seen.double() - a.sqrt() * tiny_images) / (1 - a).sqrt()           # (100, 8, 3, 2, 2)
values = eps.flatten().sort().values
normal_cdf = 0.5 * (1 + torch.erf(values / math.sqrt(2)))
ks = (normal_cdf - torch.arange(1, len(values) + 1, dtype=torch.float64) / len(values)).abs().max().item()
assert (eps[:, 0] - eps[:, 1]).abs().max() > 0.1, \
    "every image got the same noise: eps has the shape of x0, (B, ...), one draw per entry"
assert ks < 0.03, \
    (f"eps should be standard normal (torch.randn, not torch.rand): over 9,600 draws its mean is "
     f"{values.mean().item():.3f}, its std {values.std().item():.3f}, Kolmogorov-Smirnov distance {ks:.3f}")

# %% [markdown]
# ## Question 3 — one deterministic DDIM step (4 points)
#
# Given the network's guess $\hat\epsilon$ of the noise in $x_t$, the data it came from is
# estimated by inverting the forward process, and DDIM (with $\eta = 0$) moves to the less noisy
# level $\bar\alpha_\text{next}$ by noising that estimate again **with the same** $\hat\epsilon$:
#
# $$\hat x_0 = \frac{x_t - \sqrt{1 - \bar\alpha_t}\,\hat\epsilon}{\sqrt{\bar\alpha_t}}, \qquad
#   x_\text{next} = \sqrt{\bar\alpha_\text{next}}\,\hat x_0 + \sqrt{1 - \bar\alpha_\text{next}}\,\hat\epsilon .$$
#
# No fresh noise is drawn, so a DDIM sampler is a deterministic map from $x_T$ to $x_0$ that may
# skip steps (from $t$ straight to any earlier step; $\bar\alpha_\text{next} = 1$ lands on
# $\hat x_0$), and the same formula runs backwards (DDIM inversion, $\bar\alpha_\text{next} <
# \bar\alpha_t$).
#
# Write `ddim_step(x_t, eps_hat, abar_t, abar_next)` for `x_t` and `eps_hat` `(B, ...)`; `abar_t`
# and `abar_next` are either floats or tensors `(B, 1, ..., 1)`, one level per sample (use
# `** 0.5`, which works on both). Return $x_\text{next}$, the shape of `x_t`, without clipping
# $\hat x_0$ (within 1e-4).

# %%
# ANSWER q3
def ddim_step(x_t, eps_hat, abar_t, abar_next):
    """One deterministic DDIM move from level abar_t to abar_next, given the guessed noise eps_hat (B, ...)."""
    ### BEGIN SOLUTION
    x0_hat = (x_t - (1 - abar_t) ** 0.5 * eps_hat) / abar_t ** 0.5
    return abar_next ** 0.5 * x0_hat + (1 - abar_next) ** 0.5 * eps_hat
    ### END SOLUTION


# %%
# TEST q3 (1 point)
x_now = torch.tensor([[1.0, 2.0]])
eps_now = torch.tensor([[0.5, -1.0]])
# --- probe (calls your code) ---
moved = ddim_step(x_now, eps_now, 0.36, 0.64)
landed = ddim_step(x_now, eps_now, 0.36, 1.0)
# --- check (runs in the grader) ---
x0_hat = (x_now - 0.8 * eps_now) / 0.6                              # (1.0, 4.667)
assert close(landed, x0_hat, atol=1e-4), \
    f"abar_next = 1 lands on x0_hat = (x_t - sqrt(1 - 0.36) eps) / sqrt(0.36) = {x0_hat.tolist()}, got {landed}"
assert close(moved, 0.8 * x0_hat + 0.6 * eps_now, atol=1e-4), \
    (f"from abar 0.36 to 0.64: sqrt(0.64) x0_hat + sqrt(0.36) eps_hat = {(0.8 * x0_hat + 0.6 * eps_now).tolist()}, "
     f"got {moved}")
print("q3 public tests passed")

# %%
# REFERENCES q3
from gentut.diffusion import ddim_step as reference_ddim

# %%
# HIDDEN TEST q3 (1 point)
g = torch.Generator().manual_seed(21)
kit_abar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64), 0)
x_many, eps_many = torch.randn(4, 3, 4, 4, generator=g), torch.randn(4, 3, 4, 4, generator=g)
now, after = [999, 500, 100, 10], [950, 400, 50, -1]                   # one move per image; -1: to x0
level_now = kit_abar[now].float().reshape(4, 1, 1, 1)
level_next = torch.tensor([float(kit_abar[n]) if n >= 0 else 1.0 for n in after]).reshape(4, 1, 1, 1)
# --- probe (calls your code) ---
step_error = raised(ddim_step, x_many, eps_many, level_now, level_next)
stepped = ddim_step(x_many, eps_many, level_now, level_next) if step_error is None else None
# --- check (runs in the grader) ---
assert step_error is None, \
    (f"levels given as tensors (B, 1, 1, 1) raised {step_error!r}: use ** 0.5 (or torch.sqrt on tensors), which "
     "works on floats and tensors alike; math.sqrt takes numbers only")
schedule = NoiseSchedule.linear(1000)
expected = torch.cat([reference_ddim(schedule, x_many[i:i + 1], eps_many[i:i + 1], now[i], after[i]) for i in range(4)])


def move(a, b):
    x0_hat = (x_many - (1 - a).sqrt() * eps_many) / a.sqrt()
    return b.sqrt() * x0_hat + (1 - b).sqrt() * eps_many


alpha = level_now / level_next
mistakes = [(move(level_next, level_now), "abar_t and abar_next are swapped"),
            ((x_many - (1 - alpha) / (1 - level_now).sqrt() * eps_many) / alpha.sqrt(),
             "that is DDPM's step (its posterior mean), not DDIM's: estimate x0, then re-noise it with eps_hat")]
if not close(stepped, expected, atol=1e-4, rtol=1e-4):
    kind = next((hint for candidate, hint in mistakes if close(stepped, candidate, atol=1e-4, rtol=1e-4)),
                "wrong values")
    raise AssertionError(f"4 images, each with its own (B, 1, 1, 1) levels, on DDPM's schedule: {kind} "
                         f"(off by {max_error(stepped, expected):.3g})")

# %%
# HIDDEN TEST q3 (1 point)
kit_abar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64), 0)
x_star = torch.linspace(-1, 1, 48).reshape(1, 3, 4, 4)                # the data: one image
x_start = torch.randn(3, 3, 4, 4, generator=torch.Generator().manual_seed(22))
times = torch.linspace(999, 0, 20).round().long().tolist()
# --- probe (calls your code) ---
_x = x_start.clone()
for _t, _next in zip(times, times[1:] + [-1]):
    _a, _a_next = float(kit_abar[_t]), (float(kit_abar[_next]) if _next >= 0 else 1.0)
    _eps = (_x - _a ** 0.5 * x_star) / (1 - _a) ** 0.5                   # the exact noise when the data is x_star
    _x = ddim_step(_x, _eps, _a, _a_next)
chain_end = _x
# --- check (runs in the grader) ---
assert close(chain_end, x_star.expand(3, -1, -1, -1), atol=1e-3), \
    (f"data made of one image x*: with the exact noise, a 20-step DDIM chain from pure noise must land on x* (off by "
     f"{max_error(chain_end, x_star.expand(3, -1, -1, -1)):.3g}); float levels, abar_next = 1 at the end")

# %%
# HIDDEN TEST q3 (1 point)
g = torch.Generator().manual_seed(23)
x_there, eps_there = torch.randn(5, 2, generator=g), torch.randn(5, 2, generator=g)
# --- probe (calls your code) ---
forward_once = ddim_step(x_there, eps_there, 0.3, 0.7)
forward_twice = ddim_step(x_there, eps_there, 0.3, 0.7)
back = ddim_step(forward_once, eps_there, 0.7, 0.3)
# --- check (runs in the grader) ---
assert close(forward_once, forward_twice, atol=1e-6), \
    "the same inputs gave two different results: DDIM (eta = 0) draws no fresh noise, it re-uses eps_hat"
assert close(back, x_there, atol=1e-4), \
    "a step from abar 0.3 to 0.7 and back with the same eps_hat must return to x_t: the step is deterministic"

# %% [markdown]
# ## Question 4 — train a noise predictor (4 points)
#
# Now the loop. Write `train_denoiser(model, data, abar, steps=1000, batch_size=128, lr=3e-3,
# generator=None)`:
# * one `torch.optim.Adam(model.parameters(), lr=lr)`;
# * each step: a batch `data[torch.randint(len(data), (batch_size,), generator=generator)]`,
#   your `diffusion_loss(model, batch, abar, generator)`, and one optimiser step on it;
# * return the list of the batch losses (floats), one per step.
#
# The data are the 2-D points of the set-up (8 Gaussians on a ring), the network
# `make_predictor()`, and, so that training takes a second, the schedule is DDPM's in **100
# steps** (`short_betas`: the betas times 10, so that the last step is pure noise again:
# $\bar\alpha_{99} \approx 2 \cdot 10^{-5}$, against $\bar\alpha_{999} \approx 4 \cdot 10^{-5}$ with 1000
# steps). The hidden test trains for 1000 steps and measures $L_\text{simple}$ on the 2,000
# held-out points with the kit's own loss: a right loop reaches about 0.26 in a second or two; it
# must be below 0.30 (a network that guesses 0 scores 1, and the best *linear* guess about 0.33). The public test replaces your `diffusion_loss` by a
# quadratic whose minimum is known, to test the loop alone, and the hidden tests use a right
# `diffusion_loss`: a mistake in question 2 costs only question 2.

# %%
# ANSWER q4
def train_denoiser(model, data, abar, steps=1000, batch_size=128, lr=3e-3, generator=None):
    """Train model (x_t, t) -> eps on the rows of data (N, ...) with Adam on diffusion_loss; return the batch losses."""
    ### BEGIN SOLUTION
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        batch = data[torch.randint(len(data), (batch_size,), generator=generator)]
        loss = diffusion_loss(model, batch, abar, generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    ### END SOLUTION


# %%
# TEST q4 (1 point)
class Shift(nn.Module):
    """A 'noise predictor' that ignores its input and guesses one learnt point (2,)."""

    def __init__(self):
        super().__init__()
        self.point = nn.Parameter(torch.zeros(2))

    def forward(self, x, t):
        return self.point.expand(len(x), 2)


goal = torch.tensor([1.5, -0.5])
some_points = train_points[:100]
batches = []


def quadratic_loss(model, x0, abar, generator=None):
    """A stand-in for diffusion_loss whose minimum is known (the model's point = goal): it tests the loop alone."""
    batches.append(x0.detach().clone())
    return (model(x0, torch.zeros(len(x0), dtype=torch.long)) - goal).pow(2).mean()


# --- probe (calls your code) ---
_shift = Shift()
with replaced(globals(), diffusion_loss=quadratic_loss):
    losses = train_denoiser(_shift, some_points, torch.linspace(0.99, 0.01, 100), steps=300, batch_size=16, lr=0.05,
                            generator=torch.Generator().manual_seed(0))
learnt, seen = _shift.point.detach().clone(), list(batches)
# --- check (runs in the grader) ---
assert isinstance(losses, (list, tuple)) and len(losses) == 300 and all(isinstance(v, float) for v in losses), \
    "return one float per step (loss.item()), 300 of them"
assert len(seen) == 300, f"300 steps should call diffusion_loss 300 times, not {len(seen)}"
assert all(tuple(batch.shape) == (16, 2) for batch in seen), \
    f"each step: a batch of batch_size = 16 rows of data, (16, 2); your first call got {tuple(seen[0].shape)}"
assert all((batch[:, None] == some_points[None]).all(-1).any(1).all() for batch in seen), \
    "each batch must be made of rows of data"
assert not all(torch.equal(batch, seen[0]) for batch in seen), \
    "every step got the same batch: draw a new random batch each step"
assert close(learnt, goal, atol=0.05), \
    (f"with diffusion_loss replaced by (guess - goal)^2 the loop should end near goal = {goal.tolist()}, got "
     f"{learnt.tolist()}: zero the gradients every step, minimise the loss, step the optimiser")
print("q4 public tests passed")

# %%
# HIDDEN TEST q4 (1 point)
def known_loss(model, x0, abar, generator=None):
    t = torch.randint(len(abar), (len(x0),), generator=generator)
    eps = torch.randn(x0.shape, generator=generator)
    a = abar[t].reshape(-1, *[1] * (x0.dim() - 1))
    return (model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t) - eps).pow(2).mean()


short_abar = torch.cumprod(1 - short_betas, 0)
# --- probe (calls your code) ---
_model = make_predictor(seed=3)
with replaced(globals(), diffusion_loss=known_loss):                   # q2 right
    losses = train_denoiser(_model, train_points, short_abar, generator=torch.Generator().manual_seed(4))
# --- check (runs in the grader) ---
assert isinstance(losses, (list, tuple)) and len(losses) == 1000 and all(isinstance(v, float) for v in losses), \
    "return one float per step (loss.item()), 1000 of them (the default steps)"
first, last = sum(losses[:100]) / 100, sum(losses[-100:]) / 100
assert last < first - 0.1, \
    (f"the batch loss should fall over 1000 steps: the first 100 average {first:.3f}, the last 100 {last:.3f} "
     "(a right loop: about 0.42 -> 0.26)")

# %%
# HIDDEN TEST q4 (2 points)
# --- probe (calls your code) ---
weights = _model.state_dict()                                         # trained in the cell above
# --- check (runs in the grader) ---
model = make_predictor()
model.load_state_dict(weights)
schedule = NoiseSchedule(short_betas.double())
g = torch.Generator().manual_seed(7)
with torch.no_grad():
    held_out = sum(reference_loss(lambda x, t, cond: model(x.flatten(1), t)[:, :, None, None], schedule,
                                  test_points[:, :, None, None], None, g, p_uncond=0.0).item() for _ in range(10)) / 10
assert held_out < 0.30, \
    (f"after 1000 steps the held-out L_simple is {held_out:.3f}; a right loop reaches about 0.26, a network that "
     "guesses 0 scores 1.0, a loop without zero_grad about 1.5 (zero the gradients every step, minimise the loss, "
     "step the optimiser)")

# %% [markdown]
# ## Your sampler at work
#
# Your loop trains a noise predictor (with your `diffusion_loss`), and your `ddim_step` turns 1,000
# points of pure noise into samples in 25 network passes (from $t = 99$ down to 0, then to
# $\hat x_0$). With everything right, the samples sit on the 8 Gaussians.

# %%
_short_abar = alpha_bar(short_betas)
_model = make_predictor(seed=1)
_losses = train_denoiser(_model, train_points, _short_abar, generator=torch.Generator().manual_seed(1))
_times = torch.linspace(99, 0, 25).round().long().tolist()
_x = torch.randn(1000, 2, generator=torch.Generator().manual_seed(2))
with torch.no_grad():
    for _t, _next in zip(_times, _times[1:] + [-1]):
        _eps = _model(_x, torch.full((len(_x),), _t))
        _x = ddim_step(_x, _eps, float(_short_abar[_t]), float(_short_abar[_next]) if _next >= 0 else 1.0)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6), dpi=72)
left.plot(_losses, lw=0.5)
left.set(title="batch L_simple", xlabel="step", yscale="log")
right.scatter(test_points[:, 0], test_points[:, 1], s=2, label="held-out data")
right.scatter(_x[:, 0], _x[:, 1], s=2, label="your DDIM samples")
right.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal")
right.legend(loc="upper right", fontsize=8)
plt.show()

# %% [markdown]
# ## Question 5 — how fast the signal goes, measured (2 points)
#
# Write `schedule_facts(betas)` returning a pair, computed with your `alpha_bar`:
# 1. `half_step`, an `int`: the **first** step $t$ (counted from 0) at which $\bar\alpha_t < 0.5$,
#    i.e. where noise holds more of $x_t$'s variance than the signal;
# 2. `final_snr`, a `float`: the signal-to-noise ratio $\bar\alpha / (1 - \bar\alpha)$ at the
#    **last** step, $t = T - 1$ (within 1 %).
#
# The hidden tests call it on DDPM's schedule (`ddpm_betas`), on the 100-step one of question 4
# and on one more, with a right `alpha_bar`, and compare with the kit's values. Below, try yours.

# %%
# ANSWER q5
def schedule_facts(betas):
    """(the first step t with abar_t < 0.5, an int; abar / (1 - abar) at the last step, a float)."""
    ### BEGIN SOLUTION
    abar = alpha_bar(betas)
    half_step = int((abar < 0.5).nonzero()[0])
    final_snr = float(abar[-1] / (1 - abar[-1]))
    return half_step, final_snr
    ### END SOLUTION


# %%
for _name, _betas in (("DDPM's 1000 steps", ddpm_betas), ("100 steps (question 4)", short_betas)):
    _half, _snr = schedule_facts(_betas)
    print(f"{_name}: abar falls below 0.5 at t = {_half} of {len(_betas)}; signal-to-noise at the last step {_snr:.2e}")

# %%
# HIDDEN TEST q5 (1 point)
def known_alpha_bar(betas):
    return torch.cumprod(1 - betas, 0)


flat_betas = torch.full((50,), 0.02)                                   # abar_t = 0.98^(t + 1)
# --- probe (calls your code) ---
with replaced(globals(), alpha_bar=known_alpha_bar):                   # q1 right
    facts = [schedule_facts(b) for b in (ddpm_betas, short_betas, flat_betas)]
halves = [f[0] for f in facts]
# --- check (runs in the grader) ---
kit = [NoiseSchedule(b.double()).abar for b in (ddpm_betas, short_betas, flat_betas)]
expected = [int((a < 0.5).nonzero()[0]) for a in kit]                  # 259, 26, 34
if not all(close(h, e, atol=0) for h, e in zip(halves, expected)):
    hint = ("that is the last step still at or above 0.5: the first one below comes next"
            if all(close(h, e - 1, atol=0) for h, e in zip(halves, expected)) else
            "count steps from 0, as abar is indexed (abar[t])"
            if all(close(h, e + 1, atol=0) for h, e in zip(halves, expected)) else "wrong steps")
    raise AssertionError(f"the first step with abar_t < 0.5 on DDPM's, the 100-step and a flat schedule: "
                         f"expected {expected}, got {halves}: {hint}")

# %%
# HIDDEN TEST q5 (1 point)
# --- probe (calls your code) ---
snrs = [f[1] for f in facts]                                           # from the cell above
# --- check (runs in the grader) ---
kit = [NoiseSchedule(b.double()).abar for b in (ddpm_betas, short_betas, torch.full((50,), 0.02))]
kit_snr = [(a[-1] / (1 - a[-1])).item() for a in kit]
inverse = [1 / s for s in kit_snr]
if not all(close(s, e, atol=0, rtol=0.01) for s, e in zip(snrs, kit_snr)):
    hint = ("that is (1 - abar) / abar, the noise-to-signal ratio"
            if all(close(s, e, atol=0, rtol=0.01) for s, e in zip(snrs, inverse)) else
            "abar / (1 - abar) at the last step, t = T - 1")
    raise AssertionError(f"signal-to-noise ratios at the last step: expected "
                         f"{', '.join(f'{e:.3e}' for e in kit_snr)}, got {snrs}: {hint}")

# %% [markdown]
# # ANALYSIS q6 (2 points)
#
# Your loop trained on one random step per image, never running the forward chain step by step
# nor the reverse chain at all, yet the sampler needs the network at step after step. Why can
# DDPM train on one random step per image instead of the whole chain, and what does that say
# about the cost of sampling (DDPM's 1000 steps, your 25 DDIM steps, a GAN's one pass)? Answer
# in this cell, in a few sentences.
#
# ### BEGIN SOLUTION
# The forward process is fixed and Gaussian, so q(x_t | x_0) is known in closed form: x_t is
# drawn from x_0 in one step, with no need to simulate x_1..x_{t-1}. The ELBO is then a sum over
# t of terms that each involve one t only (each a KL between Gaussians, i.e. a weighted squared
# error of the predicted noise), so one uniformly drawn t per image is an unbiased estimate of
# that sum (up to the factor T and the weights that L_simple drops): training costs one network
# pass per image whatever T is, and every step is trained in parallel across a batch. Sampling
# has no such shortcut: x_{t-1} needs the network's output at x_t, so the reverse chain is
# sequential, one pass per step: 1000 for DDPM. DDIM keeps the same marginals q(x_t | x_0), hence
# the same trained network, but takes a deterministic path that may skip steps, so 25-50 passes
# give similar samples; still 25-50 times a GAN's single pass, which is the price of a model
# whose training is a simple regression.
# ### END SOLUTION

# %% [markdown]
# ## Questions to think about
# 1. Train with `betas = torch.linspace(1e-4, 0.02, 100)` (DDPM's values, not rescaled). What is
#    $\bar\alpha_{99}$, and what goes wrong when sampling starts from $x_T \sim \mathcal{N}(0, I)$?
# 2. Run your 25-step sampler with fewer steps (10, 5, 2). Where do the samples go first, and why
#    does one single step ($t = 99$ straight to $\hat x_0$) give the mean of the data near each
#    point rather than a sample?
