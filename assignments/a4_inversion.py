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

# %%
# Colab only: install gentut, keeping Colab's own torch. Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gentut @ git+https://github.com/gentut/gentut"], check=True)

# %%
import matplotlib.pyplot as plt
import torch

from gentut import zoo
from gentut.interpret.edits import broadcast_ws, sample_latents
from gentut.invert.prior import Inpainting, box_mask
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


def hole_psnr(images, reference, mask):
    """PSNR (dB) over the hole (where mask is 0) only: (B,)."""
    hole = (1 - mask).expand(len(images), 1, *images.shape[2:])
    squared = (hole * (images - reference).pow(2)).sum((1, 2, 3)) / (images.shape[1] * hole.sum((1, 2, 3)))
    return 10 * torch.log10(1 / squared.clamp_min(1e-10))


targets = generated_faces(2, seed=1)
print(f"targets {tuple(targets.shape)}; W+ codes have shape (B, {G.num_ws}, {G.w_dim})")

# %% [markdown]
# ## Question 1 — inversion into W+ (5 points)
#
# Write `invert_wplus(G, targets, steps=50, lr=0.05)`:
# 1. start every image at the average code: `G.w_avg` copied to shape `(B, G.num_ws, G.w_dim)`
#    (clone it, and make it require gradients);
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
ws = invert_wplus(G, targets)
# --- check (runs in the grader) ---
assert ws.shape == (2, G.num_ws, G.w_dim), f"codes must have shape (2, {G.num_ws}, {G.w_dim}), got {tuple(ws.shape)}"
with torch.no_grad():
    start = psnr(G.synthesis(broadcast_ws(G, G.w_avg.expand(2, -1))), targets)
    result = psnr(G.synthesis(ws), targets)
print("PSNR (dB) at the start:", [round(v, 1) for v in start.tolist()], " after inversion:", [round(v, 1) for v in result.tolist()])
assert (result > 20).all(), "after 50 steps every image should be above 20 dB: check the loss and the optimiser"
assert (result > start + 5).all(), "the inversion should gain at least 5 dB over the average face"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.invert.optimize import invert

# %%
# HIDDEN TEST q1 (3 points)
others = generated_faces(3, seed=7)
# --- probe (calls your code) ---
_before = {name: value.clone() for name, value in G.state_dict().items()}   # (a leading _ keeps it here)
ws = invert_wplus(G, others, steps=60, lr=0.05)
detached = not ws.requires_grad
unchanged = all(torch.equal(value, _before[name]) for name, value in G.state_dict().items())
ws_single = invert_wplus(G, others[:1], steps=60)
# --- check (runs in the grader) ---
assert ws.shape == (3, G.num_ws, G.w_dim) and detached, "return detached codes (B, num_ws, w_dim)"
with torch.no_grad():
    quality = psnr(G.synthesis(ws), others)
    single = psnr(G.synthesis(ws_single), others[:1]).item()
assert (quality > 20).all(), f"three other faces, 60 steps: every PSNR should exceed 20 dB, got {quality.tolist()}"
assert unchanged, "G's weights must not change"
assert abs(single - quality[0].item()) < 0.5, "each image needs its own code: a batch must invert like one image at a time"

# %% [markdown]
# ## Question 2 — a loss on the known pixels only (3 points)
#
# For inpainting, only some pixels are observed: a `mask` of shape `(B or 1, 1, S, S)` is 1 where
# the pixel is known and 0 in the hole. Write `masked_mse(images, targets, mask)` returning, per
# image, the mean squared error over the **known** pixels (all 3 channels):
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
hole_values = torch.full((1, 3, 2, 2), 5.0)
hole_values[..., 0, 0] = 1.0
# --- probe (calls your code) ---
value = masked_mse(torch.zeros(1, 3, 2, 2), hole_values, mask)
# --- check (runs in the grader) ---
assert value.shape == (1,), f"one value per image, got shape {tuple(value.shape)}"
assert torch.allclose(value, torch.tensor([1.0])), f"only the known pixel counts: its error is 1, got {value}"
print("q2 public tests passed")

# %%
# HIDDEN TEST q2 (2 points)
g = torch.Generator().manual_seed(4)
a, b = torch.rand(3, 3, 8, 8, generator=g), torch.rand(3, 3, 8, 8, generator=g)
masks = (torch.rand(3, 1, 8, 8, generator=g) > 0.5).float()
# --- probe (calls your code) ---
all_known = masked_mse(a, b, torch.ones(1, 1, 8, 8))
per_image = masked_mse(a, b, masks)
# --- check (runs in the grader) ---
assert torch.allclose(all_known, (a - b).pow(2).flatten(1).mean(1), atol=1e-6), \
    "with every pixel known it is the plain per-image MSE"
expected = torch.stack([((a[i] - b[i]).pow(2) * masks[i]).sum() / (3 * masks[i].sum()) for i in range(3)])
assert torch.allclose(per_image, expected, atol=1e-6), "one mask per image: each image averages over its own pixels"

# %% [markdown]
# ## Question 3 — inpainting with the GAN prior (4 points)
#
# Write `inpaint(G, observed, mask, steps=50, lr=0.05)`: invert into W+ as in question 1 (start
# at `w_avg`, Adam), but minimise your `masked_mse` of `G.synthesis(ws)` against `observed`,
# summed over the batch; then return the completed images: the observed pixels where
# `mask` is 1 and the generator's pixels in the hole,
# `mask * observed + (1 - mask) * G.synthesis(ws)`, shape `(B, 3, S, S)`, without gradients.

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
task = Inpainting(box_mask(32, top=8, left=8, height=16, width=16).to(device))   # a 16x16 hole: eyes and nose
observed = task(targets)
# --- probe (calls your code) ---
completed = inpaint(G, observed, task.mask)
completed_requires_grad = completed.requires_grad
# --- check (runs in the grader) ---
assert completed.shape == targets.shape and not completed_requires_grad, "return images (B, 3, S, S) without gradients"
assert torch.allclose(completed * task.mask, observed * task.mask, atol=1e-6), "keep the observed pixels as they are"
print("q3 public tests passed")

# %%
# REFERENCES q3
from gentut.invert.prior import restore

# %%
# HIDDEN TEST q3 (3 points)
others = generated_faces(3, seed=7)
hidden_task = Inpainting(box_mask(32, top=12, left=6, height=14, width=20).to(device))
# --- probe (calls your code) ---
filled = inpaint(G, hidden_task(others), hidden_task.mask, steps=60)
# --- check (runs in the grader) ---
mine = hole_psnr(filled, others, hidden_task.mask).mean().item()
baseline = hole_psnr(hidden_task.baseline(hidden_task(others)), others, hidden_task.mask).mean().item()
assert mine > baseline + 2, f"the GAN prior should beat filling the hole with the mean colour by 2 dB ({mine:.1f} vs {baseline:.1f})"

# %% [markdown]
# ## Your inversions at work
#
# Rows: targets, your W+ reconstructions, the targets with a hole, your inpainting, and the
# mean-colour fill for comparison. The table measures each in PSNR.

# %%
ws = invert_wplus(G, targets)
with torch.no_grad():
    reconstructions = G.synthesis(ws)
rows = [targets, reconstructions, observed, completed, task.baseline(observed)]
plt.figure(figsize=(2, 5), dpi=72)
plt.imshow(image_grid(torch.cat(rows).cpu(), nrow=2))
plt.axis("off")
plt.show()
print(f"{'':28s}{'face 1':>8s}{'face 2':>8s}")
for name, value in [("W+ inversion, whole image", psnr(reconstructions, targets)),
                    ("GAN prior, hole only", hole_psnr(completed, targets, task.mask)),
                    ("mean-colour fill, hole only", hole_psnr(task.baseline(observed), targets, task.mask))]:
    print(f"{name:28s}" + "".join(f"{v:8.1f}" for v in value.tolist()))

# %% [markdown]
# ## Questions to think about
# 1. Invert into W (one code copied to every layer) instead of W+: how much PSNR do you lose, and
#    why might the W code still be the better one to *edit*? (Notebook 07's distortion-editability
#    trade-off.)
# 2. Your inpainting never saw the hole. Where did the eyes and the nose come from? When would the
#    generator's guess be wrong — try a hole on a face that is not a generated one.
# 3. Replace `masked_mse` with a loss on a 4x4-averaged copy of the image: what task does the same
#    loop solve now?
