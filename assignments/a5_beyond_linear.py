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
# # Assignment 5 — Beyond one linear direction: StyleSpace, GANalyze, InfoGAN
#
# Notebook 09 left notebook 05's recipe (one direction in W per attribute) in three ways, which
# you now write yourself:
# * **StyleSpace** (Wu et al. 2021): edit one channel of the styles $s = A\,w$ (the S space,
#   704 channels for the kit's faces) and find a factor's channel from a few **positive
#   examples**;
# * **GANalyze** (Goetschalckx et al. 2019): **learn** the direction $\theta$ that raises a score
#   by exactly $\alpha$ when a code moves by $\alpha\theta$ (its loss, then its training loop);
# * **InfoGAN** (Chen et al. 2016): measure whether a categorical code found the data's modes, by
#   the best **one-to-one matching** of codes and modes.
#
# Then you measure what the positive-example detector's channel does to a face, against a channel
# the image depends on, and explain the difference.

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
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
from scipy.optimize import linear_sum_assignment

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.grading.testing import close, max_error, raised, replaced
from gentut.gan2d import ring_mixture
from gentut.interpret.edits import broadcast_ws, render_ws, sample_latents
from gentut.interpret.ganalyze import score_shift
from gentut.interpret.stylespace import StyleLayout, channel_changes, edit_channel, render_styles, style_codes
from gentut.runtime import setup
from gentut.widgets.render import image_grid

device, generator = setup(seed=0)
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
FACTOR_NAMES = [factor.name for factor in FACE_FACTORS]
HAIR_COLOR = FACTOR_NAMES.index("hair_color")
layout = StyleLayout.of(G)                                              # where each layer's channels sit in S

with torch.no_grad():
    _, w = sample_latents(G, 1000, generator)                            # (1000, 64) codes in W
    ws = broadcast_ws(G, w)                                              # (1000, num_ws, 64)
    styles = style_codes(G, ws)                                          # (1000, 704) the same faces in S
    scores = predictor.predict(render_ws(G, ws))                         # (1000, 8) factors in [0, 1]
style_std = styles.std(0)                                                # (704,) each channel's spread
print(f"S: {layout.size} channels in {len(layout.names)} layers; factors: {', '.join(FACTOR_NAMES)}")


class CodeImage(nn.Module):
    """A toy generator whose images are its code: z (B, 6) -> w = z; images (B, 3, 4, 4) of colour w[:3]."""

    def __init__(self):
        super().__init__()
        self.z_dim, self.w_dim, self.num_ws = 6, 6, 1
        self.dummy = nn.Parameter(torch.zeros(()))              # so that next(G.parameters()) finds a device

    def mapping(self, z):
        return z

    def synthesis(self, ws):                                     # ws (B, 1, 6) -> (B, 3, 4, 4)
        return ws[:, 0, :3, None, None].expand(-1, -1, 4, 4) + 0 * self.dummy


def red(images):
    """A toy assessor: the mean of the red channel, (B, 3, S, S) -> (B,)."""
    return images[:, 0].mean((1, 2))


# %% [markdown]
# ## Question 1 — a channel's relevance from positive examples (5 points)
#
# The StyleSpace paper finds the channels of an attribute from a few images that show it: the
# channels on which these **positives** sit furthest from everyone's average, measured in
# standard deviations. Write `positive_relevance(styles, scores, n_positive)` for S codes
# `styles` `(N, C)` and factor scores `scores` `(N, n_factors)`, returning `(n_factors, C)`:
# 1. for each factor `j`, the positives are the `n_positive` codes with the **highest**
#    `scores[:, j]` (exactly `n_positive` of them, also when scores tie; which of the tied codes
#    you take is up to you);
# 2. entry `[j, c]` = (mean of channel `c` over the positives − mean of channel `c` over **all**
#    codes) / (standard deviation of channel `c` over all codes), with torch's default
#    `styles.std(0)` (the unbiased one, dividing by N − 1).
#
# A channel that the positives push up gets a positive entry, one they push down a negative
# entry. Compared within 1e-4 (float32 or float64).
#
# (`gentut.interpret.stylespace.positive_relevance` is the kit's version. It cannot be used here:
# write yours without it.)

# %%
# ANSWER q1
def positive_relevance(styles, scores, n_positive):
    """How far the n_positive top-scoring codes sit from the mean, per factor and channel: (n_factors, C)."""
    ### BEGIN SOLUTION
    mean, std = styles.mean(0), styles.std(0)
    top = scores.argsort(0, descending=True)[:n_positive]                  # (n_positive, n_factors)
    return torch.stack([(styles[top[:, j]].mean(0) - mean) / std for j in range(scores.shape[1])])
    ### END SOLUTION


# %%
# TEST q1 (1 point)
toy_styles = torch.tensor([[1.0, 0.0, 2.0], [3.0, 1.0, 0.0], [0.0, 2.0, 1.0],
                           [2.0, 0.0, 4.0], [1.0, 3.0, 0.0], [5.0, 1.0, 1.0]])          # 6 codes, 3 channels
toy_scores = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.4, 0.3], [0.7, 0.0], [0.1, 0.9], [0.3, 0.5]])   # 2 factors
# --- probe (calls your code) ---
relevance = positive_relevance(toy_styles, toy_scores, 2)
# --- check (runs in the grader) ---
assert tuple(relevance.shape) == (2, 3), \
    f"one row per factor, one column per channel: (2, 3), got {tuple(relevance.shape)}"
expected = torch.tensor([[-0.2795, -0.9980, 1.1070], [0.0, 0.7128, -0.8856]])
assert close(relevance, expected, atol=1e-3), \
    (f"factor 0's positives are codes 0 and 3, factor 1's codes 4 and 1; expected\n{expected}\ngot\n{relevance}"
     "\n(is the std torch's default, unbiased one, taken over all 6 codes?)")
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.interpret.stylespace import positive_relevance as reference_relevance

# %%
# HIDDEN TEST q1 (1 point)
g = torch.Generator().manual_seed(5)
planted_scores = torch.rand(400, 3, generator=g)
planted_styles = torch.randn(400, 20, generator=g)
for factor, channel in enumerate((4, 11, 17)):                  # channel 4 rises with factor 0, 11 with 1, 17 with 2
    planted_styles[:, channel] += 3 * planted_scores[:, factor]
# --- probe (calls your code) ---
planted = positive_relevance(planted_styles, planted_scores, 30)
# --- check (runs in the grader) ---
planted = torch.as_tensor(planted).double()
assert tuple(planted.shape) == (3, 20), f"(n_factors, C) = (3, 20), got {tuple(planted.shape)}"
assert planted.abs().argmax(1).tolist() == [4, 11, 17], \
    "each factor's planted channel (4, 11, 17) should stand out in its own row: one row per factor, in order"
assert close(planted, reference_relevance(planted_styles.double(), planted_scores.double(), 30), atol=1e-2), \
    "a planted channel per factor: the values are off (the mean of the 30 top codes minus that of all, over the std)"

# %%
# HIDDEN TEST q1 (1 point)
g = torch.Generator().manual_seed(6)
falling_scores = torch.rand(400, 2, generator=g)
falling_styles = torch.randn(400, 8, generator=g)
falling_styles[:, 2] -= 3 * falling_scores[:, 1]                # channel 2 falls when factor 1 rises
# --- probe (calls your code) ---
falling = positive_relevance(falling_styles, falling_scores, 25)
# --- check (runs in the grader) ---
falling = torch.as_tensor(falling).double()
expected = reference_relevance(falling_styles.double(), falling_scores.double(), 25)
assert falling[1, 2] < -1, \
    (f"channel 2 falls as factor 1 rises, so its entry must be negative (got {falling[1, 2].item():+.3f}): "
     "the positives' mean minus everyone's, not its absolute value or the other way round")
assert close(falling, expected, atol=1e-2), "a channel that falls with its factor: the values are off"

# %%
# HIDDEN TEST q1 (1 point)
few_styles = torch.tensor([[0.0, 4.0], [2.0, 1.0], [1.0, 3.0], [5.0, 0.0]])       # 4 codes: n - 1 = 3 differs from n
few_scores = torch.tensor([[0.2], [0.9], [0.4], [0.6]])
# --- probe (calls your code) ---
few = positive_relevance(few_styles, few_scores, 1)
# --- check (runs in the grader) ---
expected = reference_relevance(few_styles.double(), few_scores.double(), 1)
biased = (few_styles[1] - few_styles.mean(0)) / few_styles.std(0, unbiased=False)
if not close(few, expected, atol=1e-4):
    hint = ("you divided by the biased std (by N): use torch's default styles.std(0), which divides by N - 1"
            if close(few, biased[None], atol=1e-4) else "the values are off")
    raise AssertionError(f"4 codes, 1 positive: {hint} (off by {max_error(few, expected):.3g})")

# %%
# HIDDEN TEST q1 (1 point)
g = torch.Generator().manual_seed(8)
tied_styles = torch.randn(400, 3, generator=g)
tied_scores = torch.rand(400, 1, generator=g) * 0.5                    # everyone else below 0.5
tied_styles[0], tied_scores[0] = torch.tensor([3.0, 0.0, 0.0]), 1.0    # the best code
tied_styles[1:5], tied_scores[1:5] = torch.tensor([0.0, 3.0, 0.0]), 0.8    # four codes tie for second place
# --- probe (calls your code) ---
tied = positive_relevance(tied_styles, tied_scores, 3)
# --- check (runs in the grader) ---
expected = reference_relevance(tied_styles.double(), tied_scores.double(), 3)    # the tied codes are identical
every_tied = (tied_styles[:5].double().mean(0) - tied_styles.double().mean(0)) / tied_styles.double().std(0)
if not close(tied, expected, atol=1e-2):
    hint = ("take exactly 3 positives (argsort or topk), not every code whose score reaches the third-highest"
            if close(tied, every_tied[None], atol=1e-2) else "the values are off")
    raise AssertionError(f"four codes tie for second place and n_positive = 3: {hint}")

# %% [markdown]
# ## Question 2 — GANalyze's loss (4 points)
#
# GANalyze learns one direction $\theta$ in W such that moving a code by $\alpha\theta$ raises
# the assessor's score $A$ by exactly $\alpha$:
#
# $$\mathcal{L}(\theta) = \frac{1}{n}\sum_{i=1}^{n}\Big(A\big(G(w_i + \alpha_i\theta)\big)
#   - \big(A(G(w_i)) + \alpha_i\big)\Big)^2 .$$
#
# Write `ganalyze_loss(G, assessor, w, theta, alpha)` for codes `w` `(n, w_dim)`, a direction
# `theta` `(w_dim,)` and **one** `alpha` per code, `(n,)`; images are drawn with
# `G.synthesis(broadcast_ws(G, codes))` and scored by `assessor(images)` `(n,)`. Return the loss,
# a scalar tensor through which gradients reach `theta` (within 1e-6).
#
# The target $A(G(w)) + \alpha$ is a fixed number for each code: it must **not** receive gradients
# (compute it under `torch.no_grad()`, or `.detach()` it). Only $\theta$ is learnt.

# %%
# ANSWER q2
def ganalyze_loss(G, assessor, w, theta, alpha):
    """Mean over codes w (n, w_dim) of (A(G(w + alpha theta)) - (A(G(w)) + alpha))^2, alpha (n,); target fixed."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        target = assessor(G.synthesis(broadcast_ws(G, w))) + alpha                    # (n,)
    moved = assessor(G.synthesis(broadcast_ws(G, w + alpha[:, None] * theta)))       # (n,)
    return (moved - target).pow(2).mean()
    ### END SOLUTION


# %%
# TEST q2 (1 point)
toy = CodeImage()                                                    # the images' red is the code's w[0]
codes = torch.tensor([[0.5, -1.0, 0.2, 0.0, 0.3, 1.0], [1.5, 0.0, -0.4, 2.0, 0.0, 0.0],
                      [-0.2, 0.7, 0.1, 0.0, 0.0, -1.0]])
direction = torch.tensor([0.5, 2.0, 0.0, 0.0, 1.0, 0.0])
alphas = torch.tensor([0.3, -0.1, 0.2])
# --- probe (calls your code) ---
loss = ganalyze_loss(toy, red, codes, direction, alphas)
# --- check (runs in the grader) ---
assert torch.as_tensor(loss).numel() == 1, \
    f"return one number (a scalar tensor), got shape {tuple(torch.as_tensor(loss).shape)}"
assert close(torch.as_tensor(loss).reshape(()), torch.tensor(0.25 * (0.09 + 0.01 + 0.04) / 3), atol=1e-6), \
    (f"moving code i by alpha_i * theta raises the red by alpha_i * theta[0] = alpha_i / 2 instead of alpha_i, so the "
     f"loss is the mean of (alpha_i / 2)^2 = {0.25 * 0.14 / 3:.6f}; got {loss}")
print("q2 public tests passed")

# %%
# HIDDEN TEST q2 (1 point)
hidden_toy = CodeImage()
g = torch.Generator().manual_seed(3)
codes = torch.randn(6, 6, generator=g)                               # n = w_dim = 6: alpha * theta does not fail
direction = torch.tensor([0.5, 2.0, -1.0, 0.0, 1.0, 0.3])
alphas = torch.tensor([0.3, -0.2, 0.1, 0.25, -0.05, 0.15])
# --- probe (calls your code) ---
square_loss = ganalyze_loss(hidden_toy, red, codes, direction, alphas)
# --- check (runs in the grader) ---
expected = (alphas.double() * (0.5 - 1)).pow(2).mean()                # red rises by alpha_i * theta[0]
elementwise = (alphas[0].double() * 0.5 - alphas.double()).pow(2).mean()   # every code moved by alpha * theta, (w_dim,)
if not close(torch.as_tensor(square_loss).reshape(()), expected, atol=1e-6):
    hint = ("alpha holds one value per code: move code i by alpha[i] * theta (alpha[:, None] * theta, (n, w_dim)); "
            "alpha * theta multiplies them entry by entry") \
        if close(torch.as_tensor(square_loss).reshape(()), elementwise, atol=1e-6) else "wrong value"
    raise AssertionError(f"6 codes of dimension 6: {hint}")

# %%
# HIDDEN TEST q2 (1 point)
class GainImage(nn.Module):
    """Like CodeImage, with a weight that requires gradients: images = gain * colour."""

    def __init__(self, gain=1.5):
        nn.Module.__init__(self)
        self.z_dim = self.w_dim = 6
        self.num_ws, self.gain = 1, nn.Parameter(torch.tensor(gain))

    def synthesis(self, ws):
        return self.gain * ws[:, 0, :3, None, None].expand(-1, -1, 4, 4)


def squashed_red(images):
    return torch.tanh(images[:, 0].mean((1, 2)))


g = torch.Generator().manual_seed(4)
codes, start, alphas = torch.randn(5, 6, generator=g), torch.randn(6, generator=g), torch.rand(5, generator=g) - 0.5
# --- probe (calls your code) ---
_theta, _G = start.clone().requires_grad_(True), GainImage()
_loss = ganalyze_loss(_G, squashed_red, codes, _theta, alphas)
if torch.is_tensor(_loss) and _loss.requires_grad:
    _loss.backward()
theta_grad = _theta.grad
# --- check (runs in the grader) ---
reference_theta, reference_G = start.clone().requires_grad_(True), GainImage()
target = squashed_red(reference_G.synthesis(broadcast_ws(reference_G, codes))).detach() + alphas
moved = squashed_red(reference_G.synthesis(broadcast_ws(reference_G, codes + alphas[:, None] * reference_theta)))
(moved - target).pow(2).mean().backward()
assert theta_grad is not None, "no gradient reached theta: the moved images must be drawn with gradients on"
assert close(theta_grad, reference_theta.grad, atol=1e-6), \
    f"the gradient of your loss with respect to theta is off by {max_error(theta_grad, reference_theta.grad):.3g}"

# %%
# HIDDEN TEST q2 (1 point)
g = torch.Generator().manual_seed(4)
codes, start, alphas = torch.randn(5, 6, generator=g), torch.randn(6, generator=g), torch.rand(5, generator=g) - 0.5
# --- probe (calls your code) ---
_theta, _G = start.clone().requires_grad_(True), GainImage()
_loss = ganalyze_loss(_G, squashed_red, codes, _theta, alphas)
if torch.is_tensor(_loss) and _loss.requires_grad:
    _loss.backward()
gain_grad = _G.gain.grad                                 # what reached G's weight
# --- check (runs in the grader) ---
moved_only, both = GainImage(), GainImage()
target = squashed_red(moved_only.synthesis(broadcast_ws(moved_only, codes))).detach() + alphas
moved = squashed_red(moved_only.synthesis(broadcast_ws(moved_only, codes + alphas[:, None] * start)))
(moved - target).pow(2).mean().backward()
through_target = squashed_red(both.synthesis(broadcast_ws(both, codes))) + alphas             # not detached
moved = squashed_red(both.synthesis(broadcast_ws(both, codes + alphas[:, None] * start)))
(moved - through_target).pow(2).mean().backward()
assert not close(gain_grad, both.gain.grad, atol=1e-6), \
    ("gradients flowed through the target A(G(w)) + alpha into the generator: compute the target under "
     "torch.no_grad() (or .detach() it); it is a fixed number per code")
assert gain_grad is None or close(gain_grad, moved_only.gain.grad, atol=1e-6), \
    "the gradient that reaches G through the moved images is off"

# %% [markdown]
# ## Question 3 — GANalyze's training loop (4 points)
#
# Write `train_ganalyze(G, assessor, steps=300, batch_size=32, lr=0.05, alpha_range=0.3,
# generator=None)`:
# 1. start at `theta = torch.zeros(G.w_dim)` and make it require gradients; use
#    `torch.optim.Adam([theta], lr=lr)`;
# 2. every step, draw `batch_size` codes with `sample_latents(G, batch_size, generator)` (it
#    returns `(z, w)`; use `w`) and one alpha per code, uniform in `[-alpha_range, alpha_range]`
#    (`torch.rand(batch_size, generator=generator)`, rescaled), and take one Adam step on your
#    `ganalyze_loss`;
# 3. return `theta`, detached: `(w_dim,)`.
#
# The hidden tests train on the toy generator `CodeImage` (above: its images are coloured by
# the code's first three entries) with assessors you have not seen, and measure on 200 held-out
# codes how much the score changes per unit of alpha along your `theta`: it must be within 0.1
# of 1 (a right loop gets 1.00 in under a second). The public test replaces your
# `ganalyze_loss` by a quadratic whose minimum is known, to test the loop alone, and the hidden
# tests use a right `ganalyze_loss`: a mistake in question 2 costs only question 2.

# %%
# ANSWER q3
def train_ganalyze(G, assessor, steps=300, batch_size=32, lr=0.05, alpha_range=0.3, generator=None):
    """GANalyze's direction theta (w_dim,) for assessor (images -> (n,)), by Adam on ganalyze_loss."""
    ### BEGIN SOLUTION
    theta = torch.zeros(G.w_dim, requires_grad=True)
    optimizer = torch.optim.Adam([theta], lr=lr)
    for _ in range(steps):
        _, w = sample_latents(G, batch_size, generator)
        alpha = (torch.rand(batch_size, generator=generator) * 2 - 1) * alpha_range
        loss = ganalyze_loss(G, assessor, w, theta, alpha)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return theta.detach()
    ### END SOLUTION


# %%
# TEST q3 (1 point)
toy = CodeImage()
goal = torch.tensor([1.0, -2.0, 0.5, 0.0, 0.0, 3.0])
calls = []


def quadratic_loss(G, assessor, w, theta, alpha):
    """A stand-in for ganalyze_loss whose minimum is known (theta = goal): it tests the loop alone."""
    calls.append((tuple(w.shape), tuple(alpha.shape), float(alpha.abs().max())))
    return (theta - goal).pow(2).sum()


# --- probe (calls your code) ---
with replaced(globals(), ganalyze_loss=quadratic_loss):
    learnt = train_ganalyze(toy, red, steps=300, batch_size=8, alpha_range=0.2,
                            generator=torch.Generator().manual_seed(0))
learnt_requires_grad, seen = learnt.requires_grad, list(calls)
# --- check (runs in the grader) ---
assert tuple(learnt.shape) == (6,) and not learnt_requires_grad, "return theta (w_dim,) = (6,), detached"
assert len(seen) == 300, f"300 steps should call ganalyze_loss 300 times, not {len(seen)}"
assert all(w_shape == (8, 6) and alpha_shape == (8,) for w_shape, alpha_shape, _ in seen), \
    f"each step: a batch of 8 codes (8, 6) and one alpha per code (8,); your first call got {seen[0][:2]}"
assert max(largest for _, _, largest in seen) <= 0.2, "alpha must lie in [-alpha_range, alpha_range] = [-0.2, 0.2]"
assert close(learnt, goal, atol=0.05), \
    (f"with ganalyze_loss replaced by (theta - goal)^2 the loop should end near goal = {goal.tolist()}, got "
     f"{torch.as_tensor(learnt).tolist()}: zero the gradients every step, minimise the loss, step the optimiser")
print("q3 public tests passed")

# %%
# REFERENCES q3
from gentut.interpret.ganalyze import fit_ganalyze

# %%
# HIDDEN TEST q3 (2 points)
def known_ganalyze_loss(G, assessor, w, theta, alpha):
    def score_of(codes_in_w):
        return assessor(G.synthesis(broadcast_ws(G, codes_in_w)))
    return (score_of(w + alpha[:, None] * theta) - score_of(w).detach() - alpha).pow(2).mean()


def red_minus_green(images):
    return images[:, 0].mean((1, 2)) - images[:, 1].mean((1, 2))


hidden_toy = CodeImage()
# --- probe (calls your code) ---
with replaced(globals(), ganalyze_loss=known_ganalyze_loss):            # q2 right
    learnt = train_ganalyze(hidden_toy, red_minus_green, steps=300, lr=0.05, generator=torch.Generator().manual_seed(1))
# --- check (runs in the grader) ---
held_out = torch.randn(200, 6, generator=torch.Generator().manual_seed(101))
shift = score_shift(hidden_toy, red_minus_green, held_out, torch.as_tensor(learnt).float(), [-0.3, 0.3])   # (2, 200)
per_alpha = (shift.mean(1) / torch.tensor([-0.3, 0.3])).mean().item()
kit_theta, _ = fit_ganalyze(hidden_toy, red_minus_green, lr=0.05, generator=torch.Generator().manual_seed(1),
                            progress=False)                               # the kit's GANalyze, for the message
kit = (score_shift(hidden_toy, red_minus_green, held_out, kit_theta, [-0.3, 0.3]).mean(1) / torch.tensor([-0.3, 0.3]))
kit = kit.mean()
assert abs(per_alpha - 1) < 0.1, \
    (f"on 200 held-out codes the score changes by {per_alpha:.2f} per unit of alpha along your theta (the kit's "
     f"GANalyze, trained alike: {kit.item():.2f}); zero the gradients every step, minimise the loss (do not maximise "
     "it), step the optimiser")

# %%
# HIDDEN TEST q3 (1 point)
def brightness(images):
    return images.mean((1, 2, 3))


hidden_toy = CodeImage()
# --- probe (calls your code) ---
with replaced(globals(), ganalyze_loss=known_ganalyze_loss):
    learnt = train_ganalyze(hidden_toy, brightness, steps=300, batch_size=16, lr=0.05,
                            generator=torch.Generator().manual_seed(2))
# --- check (runs in the grader) ---
held_out = torch.randn(200, 6, generator=torch.Generator().manual_seed(102))
shift = score_shift(hidden_toy, brightness, held_out, torch.as_tensor(learnt).float(), [-0.3, 0.3])
per_alpha = (shift.mean(1) / torch.tensor([-0.3, 0.3])).mean().item()
assert abs(per_alpha - 1) < 0.1, \
    (f"another assessor, batches of 16: the score changes by {per_alpha:.2f} per unit of alpha along your theta "
     "on held-out codes (a right loop: 1.00)")

# %% [markdown]
# ## Question 4 — InfoGAN's code-mode agreement (4 points)
#
# Notebook 09 trained an InfoGAN on a ring of $k$ Gaussians with a categorical code of $k$
# values and counted, for each code, how many of its samples land in each mode: a `(k, k)`
# matrix `counts[code, mode]`. A code "owns" a mode only once, so the agreement is the share of
# all samples that lie on the **best one-to-one matching** of codes to modes:
# $\max_\pi \sum_i \text{counts}[i, \pi(i)] \,/\, \sum \text{counts}$ over permutations $\pi$.
#
# Write `code_mode_agreement(counts)` for a NumPy array `(k, k)` of non-negative counts, returning
# the agreement as a float in [0, 1] (within 1e-6). Raise a `ValueError` that says so when
# `counts` is not square. You may use `scipy.optimize.linear_sum_assignment` (imported above; it
# *minimises* a cost, or maximises with `maximize=True`).

# %%
# ANSWER q4
def code_mode_agreement(counts):
    """The share of samples on the best one-to-one matching of codes (rows) to modes (columns) of counts (k, k)."""
    ### BEGIN SOLUTION
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be square (k codes x k modes), got shape {counts.shape}")
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / counts.sum())
    ### END SOLUTION


# %%
# TEST q4 (1 point)
toy_counts = np.array([[1, 7, 0], [6, 2, 1], [0, 3, 5]])            # code 0 lives in mode 1, code 1 in mode 0
# --- probe (calls your code) ---
agreement = code_mode_agreement(toy_counts)
# --- check (runs in the grader) ---
assert close(agreement, 18 / 25, atol=1e-6), \
    f"the best matching is code 0 -> mode 1, 1 -> 0, 2 -> 2: (7 + 6 + 5) / 25 = 0.72, got {agreement!r}"
print("q4 public tests passed")

# %%
# REFERENCES q4
from gentut.infogan import code_mode_agreement as reference_agreement

# %%
# HIDDEN TEST q4 (1 point)
ring = ring_mixture(8)
shuffle = torch.tensor([3, 0, 6, 1, 7, 2, 5, 4])                      # code i draws around mode shuffle[i]


class ShuffledRing(nn.Module):
    """A stand-in for a trained 2-D InfoGAN: [z (2), one-hot code (8)] -> a point near the code's mode."""

    def forward(self, x):
        return ring.centres[shuffle[x[:, 2:].argmax(1)]] + 0.8 * x[:, :2]     # wide: many land in a neighbour


ring_codes = torch.arange(8).repeat_interleave(500)
ring_z = torch.randn(len(ring_codes), 2, generator=torch.Generator().manual_seed(0))
ring_points = ShuffledRing()(torch.cat([ring_z, torch.nn.functional.one_hot(ring_codes, 8).float()], 1))
ring_counts = np.zeros((8, 8), dtype=np.int64)
np.add.at(ring_counts, (ring_codes.numpy(), torch.cdist(ring_points, ring.centres).argmin(1).numpy()), 1)
# --- probe (calls your code) ---
ring_agreement = code_mode_agreement(ring_counts)
# --- check (runs in the grader) ---
kit_agreement, kit_counts = reference_agreement(ShuffledRing(), ring, k=8, z_dim=2)
assert (kit_counts == ring_counts).all(), "(the test's counts differ from the kit's: a bug in this test)"
assert close(ring_agreement, kit_agreement, atol=1e-6), \
    (f"codes that each draw around their own mode, in shuffled order, with many samples in a neighbouring mode: "
     f"the agreement is {kit_agreement:.4f}, got {ring_agreement!r}")

# %%
# HIDDEN TEST q4 (1 point)
crossed = np.array([[10, 9, 0], [8, 0, 0], [0, 0, 5]])
# --- probe (calls your code) ---
crossed_agreement = code_mode_agreement(crossed)
# --- check (runs in the grader) ---
if not close(crossed_agreement, 22 / 32, atol=1e-6):
    hint = {23 / 32: "each row's largest count uses mode 0 twice: a mode can be matched to one code only",
            15 / 32: "taking each code's best free mode in turn (greedy) is not the best matching"}
    kind = next((text for value, text in hint.items() if close(crossed_agreement, value, atol=1e-6)), "wrong value")
    raise AssertionError(f"the best matching is 9 + 8 + 5 = 22 of 32 samples: {kind} (got {crossed_agreement!r})")

# %%
# HIDDEN TEST q4 (1 point)
# --- probe (calls your code) ---
error = raised(code_mode_agreement, np.ones((3, 4)))
# --- check (runs in the grader) ---
assert isinstance(error, ValueError), f"counts of shape (3, 4) are not square: raise a ValueError, got {error!r}"
assert "square" in str(error) or "(3, 4)" in str(error), \
    f"say in the error what is wrong (not square, the shape), got {str(error)!r}"

# %% [markdown]
# ## Question 5 — a correlate against a control, measured (2 points)
#
# Moving one S channel of the first 100 set-up faces by `strength` standard deviations and
# reading hair colour is one line:
# `channel_changes(G, predictor, layout, styles[:100], torch.tensor([c]), torch.tensor([strength]), style_std)`
# returns a `(1, 100, 8)` table of factor changes (after minus before).
# 1. Set `channel` to the flat S index (an int) of channel #13 of the layer `"to-RGB 3 (32x32)"`
#    (`layout.names` and `layout.sizes` list the layers in order), and `channel_change` to the
#    mean change of hair colour (`HAIR_COLOR`) when it moves by +3 std.
# 2. With your `positive_relevance(styles, scores, 30)`, keep hair colour's row in
#    `hair_relevance` `(704,)`; set `examples_channel` to the channel with the largest
#    `|relevance|` in that row, `examples_strength` to 3 times the sign of its relevance
#    (+3.0 or -3.0: the way that raises hair colour), and `examples_change` to the mean change of
#    hair colour when it moves by `examples_strength` std.
#
# The changes are floats, within 0.0005 of what the grader measures with your channels (the
# second one is small: measure it exactly as described, on `styles[:100]`, in standard deviations).

# %%
# ANSWER q5
### BEGIN SOLUTION
rgb_layer = layout.names.index("to-RGB 3 (32x32)")
channel = sum(layout.sizes[:rgb_layer]) + 13


def hair_change(c, strength):
    """The mean change of hair colour over the first 100 faces when S channel c moves by strength std."""
    table = channel_changes(G, predictor, layout, styles[:100], torch.tensor([c]), torch.tensor([strength]), style_std)
    return table[0, :, HAIR_COLOR].mean().item()


channel_change = hair_change(channel, 3.0)
hair_relevance = positive_relevance(styles, scores, 30)[HAIR_COLOR]
examples_channel = int(hair_relevance.abs().argmax())
examples_strength = 3.0 * float(hair_relevance[examples_channel].sign())
examples_change = hair_change(examples_channel, examples_strength)
### END SOLUTION

# %%
# HIDDEN TEST q5 (1 point)
# --- probe (calls your code) ---
index, change = channel, channel_change
# --- check (runs in the grader) ---
right_index = sum(layout.sizes[:layout.names.index("to-RGB 3 (32x32)")]) + 13
assert close(index, right_index, atol=0), \
    f"to-RGB 3 (32x32) #13 is flat channel {right_index}: the sizes of the layers before it, plus 13; you have {index!r}"
measured = channel_changes(G, predictor, layout, styles[:100], torch.tensor([right_index]), torch.tensor([3.0]),
                           style_std)[0, :, HAIR_COLOR].mean().item()
assert isinstance(change, (int, float)) and abs(change - measured) < 5e-4, \
    f"moving channel {right_index} by +3 std changes hair colour by {measured:.4f} on average; you report {change!r}"

# %%
# HIDDEN TEST q5 (1 point)
# --- probe (calls your code) ---
row, pick, strength, change = hair_relevance, examples_channel, examples_strength, examples_change
# --- check (runs in the grader) ---
row = torch.as_tensor(row).double().flatten()
assert row.numel() == layout.size, f"hair_relevance: hair colour's row of your relevance, ({layout.size},)"
assert close(pick, int(row.abs().argmax()), atol=0), \
    f"examples_channel: the largest |relevance| in your row is channel {int(row.abs().argmax())}, you have {pick!r}"
assert strength in (3.0, -3.0) and strength * row[int(pick)].item() > 0, \
    "examples_strength: +3.0 where the channel's relevance is positive, -3.0 where it is negative"
strength = float(strength)
measured = channel_changes(G, predictor, layout, styles[:100], torch.tensor([int(pick)]), torch.tensor([strength]),
                           style_std)[0, :, HAIR_COLOR].mean().item()
assert isinstance(change, (int, float)) and abs(change - measured) < 5e-4, \
    (f"moving channel {int(pick)} by {strength:+g} std changes hair colour by {measured:.4f} on average; "
     f"you report {change!r}")

# %% [markdown]
# ## Your channels at work
#
# Four faces with each channel moved by -3, 0 and +3 standard deviations in the way that should
# raise hair colour (top: the channel of the positive examples, bottom: `to-RGB 3 (32x32) #13`),
# and the two changes you measured.

# %%
few = styles[:4]
rows = [render_styles(G, layout, edit_channel(few, c, s * sign, style_std))
        for c, sign in ((examples_channel, np.sign(examples_strength)), (channel, 1.0)) for s in (-3.0, 0.0, 3.0)]
plt.figure(figsize=(4, 6), dpi=72)
plt.imshow(image_grid(torch.cat(rows).cpu(), nrow=4))
plt.axis("off")
plt.show()
print(f"mean hair colour change: the positive examples' channel {examples_change:+.3f} ({examples_strength:+g} std), "
      f"to-RGB 3 #13 {channel_change:+.3f} (+3 std)")

# %% [markdown]
# # ANALYSIS q6 (2 points)
#
# The channel your positive examples picked for hair colour sits almost two standard deviations
# away from average on the 30 faces with the most coloured hair, yet moving it
# hardly changes hair colour (your `examples_change`), while `to-RGB 3 (32x32) #13` changes it a
# lot (`channel_change`). Why is a channel that is correlated with an attribute not necessarily a
# channel that controls it? What does notebook 09's gradient detector (`channel_relevance`)
# measure instead, and what would you still have to check? Answer in this cell, in a few
# sentences.
#
# ### BEGIN SOLUTION
# Every style channel is computed from the same w (s = A w), so whatever in w makes hair dark also
# moves many channels together with it: the positives sit away from average on all of them,
# whether or not the synthesis network *uses* that channel to draw hair (here a channel of a
# 16x16 layer whose change the later layers largely ignore for colour). Correlation across samples says the
# channel and the attribute share a cause, not that changing the channel changes the attribute.
# The gradient detector asks the causal question locally: how much the predictor's reading of the
# factor changes, to first order, when only that channel moves by one std with everything else
# held fixed. It is still a first-order, average and predictor-based measure, so the pick must be
# verified by actually moving the channel and re-scoring, side effects included: to-RGB 3 #13 is a
# colour channel of the last layer, and it also moves the predicted age (about -0.08 at +3 std).
# ### END SOLUTION

# %% [markdown]
# ## Questions to think about
# 1. Train your GANalyze loop on `CodeImage` with the assessor `red(images) ** 2`. Is one direction
#    enough when the score is not linear in the code? What does the loss reward then?
# 2. `code_mode_agreement` is 1/k for a code that is ignored only when the modes are evenly
#    covered. What is it for a generator that puts every sample in one mode, whatever the code?
