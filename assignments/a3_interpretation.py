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
# # Assignment 3 — Directions in latent space: InterFaceGAN and SeFa
#
# Notebooks 05 and 06 found editing directions in the W space of the kit's face StyleGAN in two
# ways, which you now write yourself:
# * **supervised** (InterFaceGAN, Shen et al. 2020): let an attribute predictor score generated
#   faces, fit a linear boundary between the most and the least smiling codes, and walk along
#   its normal; remove a second attribute from a direction by **projection**;
# * **unsupervised and closed-form** (SeFa, Shen & Zhou 2021): the directions that change the
#   generator's styles most are eigenvectors of $A^\top A$, with $A$ the style weights.
#
# Then you train a logistic-regression boundary yourself (graded on held-out data), measure what
# the projection costs, and explain it; the predictor measures what your directions do to faces.

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
from sklearn.svm import LinearSVC

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.grading.testing import close, max_error, raised
from gentut.interpret.edits import broadcast_ws, direction_effects, edit_ws, render_ws, sample_latents
from gentut.interpret.sefa import style_weights
from gentut.runtime import setup
from gentut.widgets.render import image_grid

device, generator = setup(seed=0)
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
FACTOR_NAMES = [factor.name for factor in FACE_FACTORS]

z, w = sample_latents(G, 1000, generator)                       # codes in Z and W, (1000, 64) each
scores = predictor.predict(render_ws(G, broadcast_ws(G, w)))    # (1000, 8) factors in [0, 1]
w, scores = w.cpu(), scores.cpu()
SMILE, EYEGLASSES, AGE = (FACTOR_NAMES.index(name) for name in ("smile", "eyeglasses", "age"))
age_labels = (scores[:, AGE] > scores[:, AGE].median()).float()            # (1000,) 1 for the older half
print(f"{len(w)} codes of dimension {w.shape[1]}; factors: {', '.join(FACTOR_NAMES)}")

# %% [markdown]
# ## Question 1 — a linear boundary (5 points)
#
# Write `fit_boundary(codes, scores, ratio=0.2)`:
# 1. sort the codes `(N, d)` by their scores `(N,)`; label the top `k = round(ratio * N)` codes 1
#    and the bottom `k` codes 0 (the middle ones are ambiguous and left out);
# 2. fit `sklearn.svm.LinearSVC()` (default `C=1`, `max_iter=20000`) on those `2k` codes;
# 3. return its normal `svm.coef_[0]` as a torch tensor `(d,)` of **unit length** (within 1e-4;
#    float32 or float64). It points towards higher scores.
#
# (`gentut.interpret.boundaries.LinearBoundary` is the kit's version, which also holds out a
# validation split. It cannot be used here: write yours without it.)

# %%
# ANSWER q1
def fit_boundary(codes, scores, ratio=0.2):
    """Unit normal (d,) of a linear SVM separating the top and bottom `ratio` of codes (N, d) by scores (N,)."""
    ### BEGIN SOLUTION
    order = torch.argsort(scores)
    k = int(round(ratio * len(scores)))
    chosen = torch.cat([order[-k:], order[:k]])
    labels = torch.cat([torch.ones(k), torch.zeros(k)])
    svm = LinearSVC(C=1.0, max_iter=20000).fit(codes[chosen].double().numpy(), labels.numpy())
    normal = torch.from_numpy(svm.coef_[0]).float()
    return normal / normal.norm()
    ### END SOLUTION


# %%
# TEST q1 (2 points)
g = torch.Generator().manual_seed(0)
planted = torch.nn.functional.normalize(torch.randn(8, generator=g), dim=0)
codes = torch.randn(400, 8, generator=g)
noisy_scores = codes @ planted + 0.1 * torch.randn(400, generator=g)
# --- probe (calls your code) ---
normal = fit_boundary(codes, noisy_scores)
# --- check (runs in the grader) ---
normal = torch.as_tensor(normal).double()
assert tuple(normal.shape) == (8,), f"the normal must have shape (d,) = (8,), got {tuple(normal.shape)}"
assert abs(normal.norm().item() - 1) < 1e-4, "the normal must have unit length"
assert (normal @ planted.double()).item() > 0.95, \
    f"scores grow along a planted direction; your normal's cosine with it is {(normal @ planted.double()).item():.3f}"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.interpret.boundaries import LinearBoundary

# %%
# HIDDEN TEST q1 (1 point)
g = torch.Generator().manual_seed(7)
planted = torch.nn.functional.normalize(torch.randn(16, generator=g), dim=0)
codes = torch.randn(600, 16, generator=g)
# --- probe (calls your code) ---
reversed_normal = fit_boundary(codes, -(codes @ planted), ratio=0.1)
# --- check (runs in the grader) ---
assert (torch.as_tensor(reversed_normal).double() @ planted.double()).item() < -0.9, \
    "the normal must point towards higher scores (here, against the planted direction): label the top codes 1"

# %%
# HIDDEN TEST q1 (1 point)
# --- probe (calls your code) ---
smile_normal = fit_boundary(w, scores[:, SMILE])
# --- check (runs in the grader) ---
reference = LinearBoundary(ratio=0.2, val_fraction=0.0).fit(w, scores[:, SMILE]).normal_
cosine = (torch.as_tensor(smile_normal).double() @ reference.double()).item()
assert cosine > 0.9, f"on the face codes, your smile normal's cosine with an SVM fit on the same codes is {cosine:.3f}"

# %%
# HIDDEN TEST q1 (1 point)
# --- probe (calls your code) ---
smile_normal = fit_boundary(w, scores[:, SMILE])
# --- check (runs in the grader) ---
normal = torch.as_tensor(smile_normal).float()
change = direction_effects(G, predictor, w[:100].to(device), normal[None].to(device), 3.0)[0, SMILE].item()
assert change > 0.05, f"walking 3 units along your smile normal should raise the measured smile (it changed by {change:.3f})"

# %% [markdown]
# ## Question 2 — conditional editing by projection (3 points)
#
# Attributes are correlated in what the generator learned, so one attribute's normal also moves
# others: the training faces tie eyeglasses to age on purpose, and the eyeglasses normal drags age
# along. InterFaceGAN removes a condition by projecting the primal direction onto the orthogonal
# complement of **all** the condition directions at once:
# $n' = n - B B^\top n$, normalised, where the columns of $B$ are an **orthonormal** basis of the
# conditions (`torch.linalg.qr` gives one). Projecting out one condition after the other is not
# the same when the conditions are not orthogonal.
#
# Write `project_out(primal, *conditions)`: unit vector `(d,)`, orthogonal to every condition
# (within 1e-4). Raise a `ValueError` if nothing is left: when the norm of $n - BB^\top n$ is
# below `1e-4` times the norm of the primal (float32 rounding leaves about 1e-6 of it when the
# primal lies in the conditions' span).

# %%
# ANSWER q2
def project_out(primal, *conditions):
    """The unit vector along primal (d,) with the span of the condition directions (d,) removed."""
    ### BEGIN SOLUTION
    basis = torch.linalg.qr(torch.stack(conditions, 1)).Q
    direction = primal - basis @ (basis.T @ primal)
    norm = direction.norm()
    if norm < 1e-4 * primal.norm():
        raise ValueError("the primal direction lies in the span of the conditions")
    return direction / norm
    ### END SOLUTION


# %%
# TEST q2 (1 point)
# --- probe (calls your code) ---
one = project_out(torch.tensor([1.0, 1.0]), torch.tensor([1.0, 0.0]))
two = project_out(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 0.0, 0.0]), torch.tensor([1.0, 1.0, 0.0]))
# --- check (runs in the grader) ---
assert close(one, torch.tensor([0.0, 1.0]), atol=1e-6), f"(1, 1) without (1, 0) is (0, 1), got {one}"
assert close(two, torch.tensor([0.0, 0.0, 1.0]), atol=1e-5), \
    (f"(1, 2, 3) without (1, 0, 0) and (1, 1, 0), which span the x-y plane, is (0, 0, 1), got {two}: "
     "project onto the span of all conditions at once, not one after the other")
print("q2 public tests passed")

# %%
# REFERENCES q2
from gentut.interpret.boundaries import project_out as reference_project

# %%
# HIDDEN TEST q2 (1 point)
g = torch.Generator().manual_seed(3)
primal, a, b, c = (torch.randn(16, generator=g) for _ in range(4))
# --- probe (calls your code) ---
result = project_out(primal, a, b, c)
# --- check (runs in the grader) ---
result = torch.as_tensor(result).float()
assert all(abs(result @ condition) < 1e-4 for condition in (a, b, c)), \
    "the result must be orthogonal to every condition: project onto the span of all of them at once"
assert close(result, reference_project(primal, a, b, c), atol=1e-5), "three non-orthogonal conditions: wrong direction"

# %%
# HIDDEN TEST q2 (1 point)
g = torch.Generator().manual_seed(4)
a, b = torch.randn(16, generator=g), torch.randn(16, generator=g)
# --- probe (calls your code) ---
error = raised(project_out, 2 * a - b, a, b)
# --- check (runs in the grader) ---
assert isinstance(error, ValueError), \
    "a primal inside the conditions' span should raise a ValueError (compare the remaining norm with 1e-4 |primal|)"

# %% [markdown]
# ## Question 3 — SeFa's closed form (5 points)
#
# Each layer turns $w$ into a style with an affine map, $s = A w + b$. Moving $w$ along a unit
# $n$ moves the styles by $A n$, so the directions that move them most solve
# $\max_{\|n\| = 1} \|A n\|^2$: the eigenvectors of $A^\top A$, largest eigenvalue first.
#
# Write `sefa_directions(weight)` for `weight` $= A$ of shape `(n_styles, d)`, returning
# `(directions, eigenvalues)`: `directions` `(d, d)` with one unit eigenvector **per row**, sorted
# by descending eigenvalue, and `eigenvalues` `(d,)` descending (float32 or float64; compared
# within 1e-3). Eigenvectors have no sign, so fix one: flip each row so that its largest-magnitude
# entry is positive. `torch.linalg.eigh` (for symmetric matrices) returns eigenvalues in
# *ascending* order and eigenvectors as columns.

# %%
# ANSWER q3
def sefa_directions(weight):
    """Eigenvectors (rows, (d, d)) and eigenvalues (d,) of weight^T weight, largest first, signs fixed."""
    ### BEGIN SOLUTION
    weight = weight.double()
    eigenvalues, eigenvectors = torch.linalg.eigh(weight.T @ weight)
    eigenvalues, directions = eigenvalues.flip(0), eigenvectors.flip(1).T
    biggest = directions.abs().argmax(1)
    signs = torch.sign(directions[torch.arange(len(directions)), biggest])
    return (directions * signs[:, None]).float(), eigenvalues.float()
    ### END SOLUTION


# %%
# TEST q3 (2 points)
# --- probe (calls your code) ---
directions, eigenvalues = sefa_directions(torch.diag(torch.tensor([1.0, -3.0, 2.0])))
# --- check (runs in the grader) ---
assert tuple(directions.shape) == (3, 3) and tuple(eigenvalues.shape) == (3,), "shapes: directions (d, d), eigenvalues (d,)"
assert close(eigenvalues, torch.tensor([9.0, 4.0, 1.0]), atol=1e-4), f"eigenvalues of diag(1, 9, 4), descending: {eigenvalues}"
assert close(directions, torch.tensor([[0.0, 1, 0], [0, 0, 1], [1, 0, 0]]), atol=1e-5), \
    f"for A = diag(1, -3, 2) the rows should be e2, e3, e1 (signs: largest entry positive), got\n{directions}"
print("q3 public tests passed")

# %%
# REFERENCES q3
from gentut.interpret.sefa import closed_form_directions

# %%
# HIDDEN TEST q3 (1 point)
g = torch.Generator().manual_seed(2)
U = torch.linalg.qr(torch.randn(9, 5, generator=g)).Q          # (9, 5) orthonormal columns
V = torch.linalg.qr(torch.randn(5, 5, generator=g)).Q          # (5, 5) planted eigenvectors (columns)
A = U @ torch.diag(torch.tensor([5.0, 4.0, 3.0, 2.0, 1.0])) @ V.T
# --- probe (calls your code) ---
directions, eigenvalues = sefa_directions(A)
# --- check (runs in the grader) ---
assert not close(eigenvalues, torch.tensor([1.0, 4, 9, 16, 25]), atol=1e-3), "eigh's order is ascending: sort descending"
assert close(eigenvalues, torch.tensor([25.0, 16, 9, 4, 1]), atol=1e-3), "wrong eigenvalues for a planted A (of A^T A)"

# %%
# HIDDEN TEST q3 (1 point)
g = torch.Generator().manual_seed(2)
U = torch.linalg.qr(torch.randn(9, 5, generator=g)).Q
V = torch.linalg.qr(torch.randn(5, 5, generator=g)).Q
A = U @ torch.diag(torch.tensor([5.0, 4.0, 3.0, 2.0, 1.0])) @ V.T
# --- probe (calls your code) ---
directions, eigenvalues = sefa_directions(A)
# --- check (runs in the grader) ---
overlap = (torch.as_tensor(directions).double() @ V.double()).abs()
assert not close(overlap, torch.eye(5).flip(0), atol=1e-3), "the rows are in ascending order: largest eigenvalue first"
assert not close(overlap.T, torch.eye(5), atol=1e-3) or close(overlap, torch.eye(5), atol=1e-3), \
    "eigh returns eigenvectors as columns: transpose them into rows"
assert close(overlap, torch.eye(5), atol=1e-3), "the rows must be the planted unit eigenvectors, in order"

# %%
# HIDDEN TEST q3 (1 point)
# --- probe (calls your code) ---
directions = sefa_directions(style_weights(G))[0]
# --- check (runs in the grader) ---
directions = torch.as_tensor(directions).double()
reference = closed_form_directions(style_weights(G))[0].double()
assert ((directions[:5] * reference[:5]).sum(1).abs() > 0.999).all(), "the face generator's top 5 SeFa directions differ"
assert (directions.gather(1, directions.abs().argmax(1, keepdim=True)) > 0).all(), \
    "signs: flip each row so that its largest-magnitude entry is positive"

# %% [markdown]
# ## Question 4 — train a boundary yourself (4 points)
#
# The SVM of question 1 is one way to find a boundary; logistic regression trained by gradient
# descent is another. Write `train_logistic_boundary(codes, labels, steps=300, lr=0.05)`:
# a weight `(d,)` and a bias (a scalar), both starting at zero, trained with `torch.optim.Adam`
# (learning rate `lr`) for `steps` full-batch steps on the mean binary cross-entropy of the
# logits `codes @ weight + bias` against `labels` (0 or 1; use
# `F.binary_cross_entropy_with_logits`). Return `(weight, bias)`, detached.
#
# The hidden test trains on the first 600 face codes with `age_labels` (above) and measures the
# cross-entropy on the other 400:
# a right loop gets about 0.24 nats (a coin flip 0.69); it must be below 0.3.

# %%
# ANSWER q4
def train_logistic_boundary(codes, labels, steps=300, lr=0.05):
    """Logistic regression on codes (N, d) and 0/1 labels (N,) by Adam: (weight (d,), bias ())."""
    ### BEGIN SOLUTION
    weight = torch.zeros(codes.shape[1], requires_grad=True)
    bias = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([weight, bias], lr=lr)
    for _ in range(steps):
        loss = F.binary_cross_entropy_with_logits(codes @ weight + bias, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return weight.detach(), bias.detach()
    ### END SOLUTION


# %%
# TEST q4 (1 point)
g = torch.Generator().manual_seed(1)
planted = torch.nn.functional.normalize(torch.randn(8, generator=g), dim=0)
codes = torch.randn(500, 8, generator=g)
labels = (codes @ planted + 0.3 * torch.randn(500, generator=g) > 0).float()
# --- probe (calls your code) ---
weight, bias = train_logistic_boundary(codes, labels, steps=200)
# --- check (runs in the grader) ---
weight, bias = torch.as_tensor(weight).float(), torch.as_tensor(bias).float()
assert tuple(weight.shape) == (8,) and bias.numel() == 1, "return (weight (d,), bias (a scalar))"
loss = F.binary_cross_entropy_with_logits(codes @ weight + bias, labels).item()
assert loss < 0.3, f"on an easy planted problem the training cross-entropy should fall below 0.3, got {loss:.3f}"
print("q4 public tests passed")

# %%
# HIDDEN TEST q4 (3 points)
# --- probe (calls your code) ---
weight, bias = train_logistic_boundary(w[:600], age_labels[:600], steps=300, lr=0.05)
# --- check (runs in the grader) ---
weight, bias = torch.as_tensor(weight).float(), torch.as_tensor(bias).float().reshape(())
held_out = F.binary_cross_entropy_with_logits(w[600:] @ weight + bias, age_labels[600:]).item()
assert held_out < 0.3, (f"the held-out cross-entropy is {held_out:.3f} nats; a right loop gets about 0.24 "
                         "(zero the gradients every step, minimise the mean loss, step the optimiser)")

# %% [markdown]
# ## Question 5 — what the projection costs, measured (2 points)
#
# Fit `glasses` (the eyeglasses normal) and `age` (the age normal) on all 1,000 codes with your
# `fit_boundary`, and `glasses_only = project_out(glasses, age)`. Measure with
# `direction_effects(G, predictor, w[:200], torch.stack([glasses, glasses_only]), 3.0)` (a `(2, 8)`
# table of mean factor changes) and set `glasses_kept` to the eyeglasses change along
# `glasses_only` divided by the eyeglasses change along `glasses` (a float; within 0.01 of what
# the grader measures with your two directions).

# %%
# ANSWER q5
### BEGIN SOLUTION
glasses = fit_boundary(w, scores[:, EYEGLASSES])
age = fit_boundary(w, scores[:, AGE])
glasses_only = project_out(glasses, age)
effects = direction_effects(G, predictor, w[:200].to(device), torch.stack([glasses, glasses_only]).to(device), 3.0).cpu()
glasses_kept = (effects[1, EYEGLASSES] / effects[0, EYEGLASSES]).item()
### END SOLUTION

# %%
# HIDDEN TEST q5 (2 points)
# --- probe (calls your code) ---
directions, kept = torch.stack([torch.as_tensor(glasses), torch.as_tensor(glasses_only)]).float(), glasses_kept
# --- check (runs in the grader) ---
effects = direction_effects(G, predictor, w[:200].to(device), directions.to(device), 3.0).cpu()
measured = (effects[1, EYEGLASSES] / effects[0, EYEGLASSES]).item()
assert isinstance(kept, (int, float)) and abs(kept - measured) < 0.01, \
    f"with your two directions the eyeglasses change kept is {measured:.3f}, you report {kept!r}"

# %% [markdown]
# ## Your directions at work
#
# Faces moved along the smile normal your `fit_boundary` finds (rows: strength -3, 0, +3), and what
# the predictor measures when 200 codes move 3 units along each direction: your smile normal, your
# eyeglasses normal, the same with the age normal projected out, and SeFa's top three directions
# (mean change of each factor, in [0, 1] units).

# %%
few = broadcast_ws(G, w[:6].to(device))
smile = torch.as_tensor(fit_boundary(w, scores[:, SMILE])).float().to(device)
rows = [render_ws(G, edit_ws(few, smile, strength)) for strength in (-3.0, 0.0, 3.0)]
plt.figure(figsize=(6, 3), dpi=72)
plt.imshow(image_grid(torch.cat(rows).cpu(), nrow=6))
plt.axis("off")
plt.show()

named = {"smile": smile.cpu(), "eyeglasses": torch.as_tensor(glasses).float(),
         "glasses, age out": torch.as_tensor(glasses_only).float()}
sefa, _ = sefa_directions(style_weights(G))
named.update({f"SeFa {i}": sefa[i] for i in range(3)})
effects = direction_effects(G, predictor, w[:200].to(device), torch.stack(list(named.values())).to(device), 3.0).cpu()
print(f"{'direction':16s}" + "".join(f"{name[:8]:>9s}" for name in FACTOR_NAMES))
for (name, _), row in zip(named.items(), effects):
    print(f"{name:16s}" + "".join(f"{value:+9.2f}" for value in row.tolist()))

# %% [markdown]
# # ANALYSIS q6 (2 points)
#
# Compare the age column of the eyeglasses rows of the table: did the projection remove the
# ageing, and what did it cost the eyeglasses change (your `glasses_kept`)? Why can a projection
# in W fail to hold a factor still? Answer in this cell, in a few sentences.
#
# ### BEGIN SOLUTION
# Projecting out the age normal removes the *linear* correlation the two boundaries share in W,
# so the age change shrinks (most of it goes) and a little eyeglasses change may be lost with it
# (glasses_kept near 1). It cannot guarantee zero: the generator and the predictor are
# non-linear, so age is only approximately a half-space in W; its boundary is fitted on noisy
# pseudo-labels; and a factor can change along directions orthogonal to its normal far from where
# the boundary was fitted.
# ### END SOLUTION

# %% [markdown]
# ## Questions to think about
# 1. SeFa never looked at an image. Which factors do its top directions move, and are they "pure"
#    (one factor each)? What would you need to name them?
# 2. `fit_boundary` keeps only the top and bottom 20 % of codes. What happens to the normal with
#    `ratio=0.5`, and why might the extremes be more reliable labels?
