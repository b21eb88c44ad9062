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
# # Assignment 4 — GAN inversion and the GAN prior
#
# To edit a *given* image with a generator, first find a code that draws it: **inversion**.
# Notebook 07 did it with `gentut.invert`; here you write the two loops yourself, on the kit's
# face StyleGAN (32x32):
# * **W+ optimisation** (Image2StyleGAN, Abdal et al. 2019): one $w$ per layer, found by
#   gradient descent on the pixel error;
# * **the GAN as an image prior**: fill a hole in a face by inverting only the pixels you can
#   see, so that the generator invents the rest (inpainting, one of the mGANprior tasks).
#
# The targets are faces the generator drew itself, so a perfect code exists and the quality of
# your inversion can be measured in PSNR (dB, higher is better; 20 dB is a close match at 32x32).
# You also measure what inverting into W instead of W+ costs, and weigh it against editing.

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
import torch
import torch.nn.functional as F

from gentut import zoo
from gentut.interpret.edits import broadcast_ws, sample_latents
from gentut.invert.prior import Inpainting, box_mask
from gentut.grading.testing import close, max_error, replaced
from gentut.metrics import psnr
from gentut.runtime import setup
from gentut.widgets.render import image_grid

device, generator = setup(seed=0)
G = zoo.load("faces_stylegan", device=device)       # eval mode, weights frozen (requires_grad False)


def generated_faces(n, seed):
    """n faces the generator draws itself: (n, 3, 32, 32) in [0, 1]."""
    _, w = sample_latents(G, n, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return G.synthesis(broadcast_ws(G, w))


def box_psnr(images, reference, top, left, height, width):
    """PSNR (dB) of each image inside a box only (a rectangular hole): (B,)."""
    box = (slice(None), slice(None), slice(top, top + height), slice(left, left + width))
    return psnr(images[box], reference[box])


targets = generated_faces(2, seed=1)
print(f"targets {tuple(targets.shape)}; W+ codes have shape (B, {G.num_ws}, {G.w_dim})")

# %% [markdown]
# ## Question 1 — inversion into W+ (5 points)
#
# Write `invert_wplus(G, targets, steps=50, lr=0.05)`:
# 1. start every image at the average code: `G.w_avg` copied to shape `(B, G.num_ws, G.w_dim)`,
#    one code **per layer** (W+: the layers' codes are free to differ); clone it, and make it
#    require gradients;
# 2. for `steps` steps of `torch.optim.Adam([ws], lr=lr)`: draw `G.synthesis(ws)` and minimise
#    the mean squared pixel error of each image, **summed** over the batch (so that each image is
#    its own problem, whatever the batch size);
# 3. return the codes, detached: `(B, num_ws, w_dim)`.
#
# Only the codes are optimised: the generator's weights must not change.

# %%
# ANSWER q1
def invert_wplus(G, targets, steps=50, lr=0.05):
    """W+ codes (B, num_ws, w_dim) whose images match targets (B, 3, S, S), by Adam on the pixel MSE."""
    ### BEGIN SOLUTION
    ws = G.w_avg.expand(len(targets), G.num_ws, -1).clone().requires_grad_(True)
    optimizer = torch.optim.Adam([ws], lr=lr)
    for _ in range(steps):
        loss = (G.synthesis(ws) - targets).pow(2).flatten(1).mean(1).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return ws.detach()
    ### END SOLUTION


# %%
# TEST q1 (2 points)
# --- probe (calls your code) ---
ws = invert_wplus(G, targets)
# --- check (runs in the grader) ---
assert tuple(ws.shape) == (2, G.num_ws, G.w_dim), f"codes must have shape (2, {G.num_ws}, {G.w_dim}), got {tuple(ws.shape)}"
assert (ws[:, 0] - ws[:, -1]).abs().max() > 1e-3, \
    "the layers' codes are all equal: that is W (one code copied to every layer), not W+; optimise one code per layer"
with torch.no_grad():
    start = psnr(G.synthesis(broadcast_ws(G, G.w_avg.expand(2, -1))), targets)
    result = psnr(G.synthesis(ws.float()), targets)
print("PSNR (dB) at the start:", [round(v, 1) for v in start.tolist()], " after inversion:", [round(v, 1) for v in result.tolist()])
assert (result > 20).all(), "after 50 steps every image should be above 20 dB: check the loss and the optimiser"
assert (result > start + 5).all(), "the inversion should gain at least 5 dB over the average face"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.invert.optimize import invert

# %%
# HIDDEN TEST q1 (1 point)
others = generated_faces(3, seed=7)
# --- probe (calls your code) ---
_before = {name: value.clone() for name, value in G.state_dict().items()}
ws = invert_wplus(G, others, steps=60, lr=0.05)
_unchanged = all(torch.equal(value, _before[name]) for name, value in G.state_dict().items())
# --- check (runs in the grader) ---
assert tuple(ws.shape) == (3, G.num_ws, G.w_dim), "return codes (B, num_ws, w_dim)"
with torch.no_grad():
    quality = psnr(G.synthesis(ws.float()), others)
assert (quality > 20).all(), f"three other faces, 60 steps: every PSNR should exceed 20 dB, got {quality.tolist()}"

# %%
# HIDDEN TEST q1 (1 point)
# --- probe (calls your code) ---
unchanged = _unchanged                       # measured while inverting the three faces above
# --- check (runs in the grader) ---
assert unchanged, "G's weights must not change: optimise the codes only (torch.optim.Adam([ws]))"

# %%
# HIDDEN TEST q1 (1 point)
others = generated_faces(3, seed=7)
# --- probe (calls your code) ---
ws_batch = invert_wplus(G, others, steps=40)
ws_single = invert_wplus(G, others[:1], steps=40)
# --- check (runs in the grader) ---
with torch.no_grad():
    batch, single = psnr(G.synthesis(ws_batch[:1].float()), others[:1]), psnr(G.synthesis(ws_single.float()), others[:1])
assert abs(single.item() - batch.item()) < 0.5, \
    ("the first face inverts differently alone than in a batch of three: sum the images' losses over the batch "
     f"(not the mean), so each image is its own problem ({single.item():.1f} vs {batch.item():.1f} dB)")

# %% [markdown]
# ## Question 2 — a loss on the known pixels only (3 points)
#
# For inpainting, only some pixels are observed: a `mask` of shape `(B or 1, 1, S, S)` is 1 where
# the pixel is known and 0 in the hole. Write `masked_mse(images, targets, mask)` returning, per
# image, the mean squared error over the **known** pixels (all 3 channels), within 1e-6:
#
# $$\mathrm{masked\_mse}_b = \frac{\sum_{c,h,w} m_{b,h,w}\,(x_{b,c,h,w} - y_{b,c,h,w})^2}{3 \sum_{h,w} m_{b,h,w}}.$$

# %%
# ANSWER q2
def masked_mse(images, targets, mask):
    """Per-image MSE over known pixels: images, targets (B, C, S, S), mask (B or 1, 1, S, S) -> (B,)."""
    ### BEGIN SOLUTION
    mask = mask.expand(len(images), 1, *images.shape[2:])
    squared = (mask * (images - targets).pow(2)).sum((1, 2, 3))
    return squared / (images.shape[1] * mask.sum((1, 2, 3)))
    ### END SOLUTION


# %%
# TEST q2 (1 point)
mask = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])                      # one known pixel
hole_values = torch.full((2, 3, 2, 2), 5.0)
hole_values[0, :, 0, 0], hole_values[1, :, 0, 0] = 1.0, 2.0
# --- probe (calls your code) ---
value = masked_mse(torch.zeros(2, 3, 2, 2), hole_values, mask)
# --- check (runs in the grader) ---
assert tuple(value.shape) == (2,), f"one value per image, got shape {tuple(value.shape)}"
assert close(value, torch.tensor([1.0, 4.0]), atol=1e-6), \
    f"only the known pixel counts (errors 1 and 2 in every channel): expected (1, 4), got {value}"
print("q2 public tests passed")

# %%
# HIDDEN TEST q2 (1 point)
g = torch.Generator().manual_seed(4)
a, b = torch.rand(3, 3, 8, 8, generator=g), torch.rand(3, 3, 8, 8, generator=g)
# --- probe (calls your code) ---
all_known = masked_mse(a, b, torch.ones(1, 1, 8, 8))
# --- check (runs in the grader) ---
assert close(all_known, (a - b).pow(2).flatten(1).mean(1), atol=1e-6), \
    "with every pixel known it is the plain per-image MSE"

# %%
# HIDDEN TEST q2 (1 point)
g = torch.Generator().manual_seed(4)
a, b = torch.rand(3, 3, 8, 8, generator=g), torch.rand(3, 3, 8, 8, generator=g)
masks = (torch.rand(3, 1, 8, 8, generator=g) > 0.5).float()
# --- probe (calls your code) ---
per_image = masked_mse(a, b, masks)
# --- check (runs in the grader) ---
squared = (a - b).pow(2) * masks
expected = squared.sum((1, 2, 3)) / (3 * masks.sum((1, 2, 3)))
mistakes = [(squared.sum((1, 2, 3)) / (3 * 64), "divided by all pixels: divide by the number of known ones"),
            (squared.sum((1, 2, 3)) / masks.sum((1, 2, 3)), "the 3 channels: divide by 3 times the known pixels"),
            (squared.sum() / (3 * masks.sum()) * torch.ones(3), "one mean for the batch: each image its own")]
if not close(per_image, expected, atol=1e-6):
    kind = next((hint for candidate, hint in mistakes if close(per_image, candidate, atol=1e-6)), "wrong value")
    raise AssertionError(f"one mask per image: {kind} (off by {max_error(per_image, expected):.3g})")

# %% [markdown]
# ## Question 3 — inpainting with the GAN prior (4 points)
#
# Write `inpaint(G, observed, mask, steps=50, lr=0.05)`: invert into W+ as in question 1 (start
# at `w_avg`, Adam), but minimise your `masked_mse` of `G.synthesis(ws)` against `observed`,
# summed over the batch; then return the completed images: the observed pixels where
# `mask` is 1 and the generator's pixels in the hole,
# `mask * observed + (1 - mask) * G.synthesis(ws)`, shape `(B, 3, S, S)`, without gradients.
# The hidden tests use a right `masked_mse`, so a mistake in question 2 costs only question 2.

# %%
# ANSWER q3
def inpaint(G, observed, mask, steps=50, lr=0.05):
    """Fill the hole (mask == 0) of observed (B, 3, S, S) with the generator: (B, 3, S, S)."""
    ### BEGIN SOLUTION
    ws = G.w_avg.expand(len(observed), G.num_ws, -1).clone().requires_grad_(True)
    optimizer = torch.optim.Adam([ws], lr=lr)
    for _ in range(steps):
        loss = masked_mse(G.synthesis(ws), observed, mask).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return mask * observed + (1 - mask) * G.synthesis(ws)
    ### END SOLUTION


# %%
# TEST q3 (1 point)
hole = dict(top=8, left=8, height=16, width=16)                                # a 16x16 hole: eyes and nose
task = Inpainting(box_mask(32, **hole).to(device))
observed = task(targets)
# --- probe (calls your code) ---
completed = inpaint(G, observed, task.mask)
completed_requires_grad = completed.requires_grad
# --- check (runs in the grader) ---
assert tuple(completed.shape) == tuple(targets.shape) and not completed_requires_grad, \
    "return images (B, 3, S, S) without gradients"
assert close(completed * task.mask, observed * task.mask, atol=1e-6), "keep the observed pixels as they are"
print("q3 public tests passed")

# %%
# REFERENCES q3
from gentut.invert.prior import restore

# %%
# HIDDEN TEST q3 (2 points)
def known_masked_mse(images, targets, mask):
    mask = mask.expand(len(images), 1, *images.shape[2:])
    return (mask * (images - targets).pow(2)).sum((1, 2, 3)) / (images.shape[1] * mask.sum((1, 2, 3)))


others = generated_faces(3, seed=7)
hidden_hole = dict(top=12, left=6, height=14, width=20)
hidden_task = Inpainting(box_mask(32, **hidden_hole).to(device))
# --- probe (calls your code) ---
with replaced(globals(), masked_mse=known_masked_mse):                 # q2 right
    filled = inpaint(G, hidden_task(others), hidden_task.mask, steps=60)
# --- check (runs in the grader) ---
mine = box_psnr(filled.float(), others, **hidden_hole).mean().item()
baseline = box_psnr(hidden_task.baseline(hidden_task(others)), others, **hidden_hole).mean().item()
assert mine > baseline + 2, \
    f"in the hole, the GAN prior should beat filling it with the mean colour by 2 dB ({mine:.1f} vs {baseline:.1f} dB)"

# %%
# HIDDEN TEST q3 (1 point)
# --- probe (calls your code) ---
kept, filled_requires_grad = filled, filled.requires_grad              # the inpainting above
# --- check (runs in the grader) ---
assert not filled_requires_grad and close(kept * hidden_task.mask, hidden_task(others), atol=1e-6), \
    "another hole: the observed pixels must come back as they are, without gradients"

# %% [markdown]
# ## Question 4 — what W+ buys, measured (2 points)
#
# Write `invert_w(G, targets, steps=50, lr=0.05)`: the same loop as `invert_wplus`, but with
# **one** code per image `(B, w_dim)`, starting at `G.w_avg`, copied to every layer when drawn
# (`G.synthesis(broadcast_ws(G, w))`); return the codes `(B, w_dim)`, detached. Then invert
# `targets` both ways (50 steps, lr 0.05) and set `psnr_lost` to the mean PSNR of the W+
# inversions minus that of the W inversions, in dB (a float; within 0.05 dB of what the grader
# measures with your codes). Keep your codes in `codes_w` and `codes_wplus`.

# %%
# ANSWER q4
### BEGIN SOLUTION
def invert_w(G, targets, steps=50, lr=0.05):
    """W codes (B, w_dim), one per image copied to every layer, matching targets by Adam on the pixel MSE."""
    w = G.w_avg.expand(len(targets), -1).clone().requires_grad_(True)
    optimizer = torch.optim.Adam([w], lr=lr)
    for _ in range(steps):
        loss = (G.synthesis(broadcast_ws(G, w)) - targets).pow(2).flatten(1).mean(1).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return w.detach()


codes_w, codes_wplus = invert_w(G, targets), invert_wplus(G, targets)
with torch.no_grad():
    psnr_lost = (psnr(G.synthesis(codes_wplus), targets).mean() - psnr(G.synthesis(broadcast_ws(G, codes_w)), targets).mean()).item()
### END SOLUTION

# %%
# HIDDEN TEST q4 (2 points)
# --- probe (calls your code) ---
w_codes, wplus_codes, lost = codes_w, codes_wplus, psnr_lost
# --- check (runs in the grader) ---
assert tuple(w_codes.shape) == (2, G.w_dim), f"codes_w: one code per image, (2, {G.w_dim}), got {tuple(w_codes.shape)}"
with torch.no_grad():
    measured = (psnr(G.synthesis(wplus_codes.float()), targets).mean()
                - psnr(G.synthesis(broadcast_ws(G, w_codes.float())), targets).mean()).item()
assert isinstance(lost, (int, float)) and abs(lost - measured) < 0.05, \
    f"with your codes the W+ inversions are {measured:.2f} dB better than the W ones; you report {lost!r}"

# %% [markdown]
# ## Your inversions at work
#
# Rows: targets, your W+ reconstructions, your W reconstructions, the targets with a hole, your
# inpainting, and the mean-colour fill for comparison. The table measures each in PSNR.

# %%
with torch.no_grad():
    reconstructions = G.synthesis(codes_wplus)
    reconstructions_w = G.synthesis(broadcast_ws(G, codes_w))
rows = [targets, reconstructions, reconstructions_w, observed, completed, task.baseline(observed)]
plt.figure(figsize=(2, 6), dpi=72)
plt.imshow(image_grid(torch.cat(rows).cpu(), nrow=2))
plt.axis("off")
plt.show()
print(f"{'':28s}{'face 1':>8s}{'face 2':>8s}")
for name, value in [("W+ inversion, whole image", psnr(reconstructions, targets)),
                    ("W inversion, whole image", psnr(reconstructions_w, targets)),
                    ("GAN prior, hole only", box_psnr(completed, targets, **hole)),
                    ("mean-colour fill, hole only", box_psnr(task.baseline(observed), targets, **hole))]:
    print(f"{name:28s}" + "".join(f"{v:8.1f}" for v in value.tolist()))

# %% [markdown]
# # ANALYSIS q5 (2 points)
#
# Your W inversions are worse reconstructions than your W+ ones (`psnr_lost`). Why might the W
# code still be the better one to *edit* (move along a direction found in W, as in assignment 3)?
# Answer in this cell, in a few sentences (notebook 07's distortion-editability trade-off).
#
# ### BEGIN SOLUTION
# A W code lies where the mapping network puts real samples, the region the generator was trained
# on and where InterFaceGAN/SeFa directions were found; a W+ code, with free per-layer codes, can
# match the target by leaving that region, so an edit direction may no longer mean the same
# thing there (artefacts, entangled changes). Less distortion, less editability.
# ### END SOLUTION

# %% [markdown]
# ## Questions to think about
# 1. Your inpainting never saw the hole. Where did the eyes and the nose come from? When would the
#    generator's guess be wrong — try a hole on a face that is not a generated one.
# 2. Replace `masked_mse` with a loss on a 4x4-averaged copy of the image: what task does the same
#    loop solve now?
