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
# At the end, the predictor measures what your directions do to the faces.

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
from sklearn.svm import LinearSVC

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.grading.testing import raised
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
print(f"{len(w)} codes of dimension {w.shape[1]}; factors: {', '.join(FACTOR_NAMES)}")

# %% [markdown]
# ## Question 1 — a linear boundary (5 points)
#
# Write `fit_boundary(codes, scores, ratio=0.2)`:
# 1. sort the codes `(N, d)` by their scores `(N,)`; label the top `k = round(ratio * N)` codes 1
#    and the bottom `k` codes 0 (the middle ones are ambiguous and left out);
# 2. fit `sklearn.svm.LinearSVC()` (default `C=1`, `max_iter=20000`) on those `2k` codes;
# 3. return its normal `svm.coef_[0]` as a float32 torch tensor `(d,)` of **unit length**. It
#    points towards higher scores.
#
# (`gentut.interpret.boundaries.LinearBoundary` is the kit's version, which also holds out a
# validation split. Write yours without it.)

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
assert normal.shape == (8,), f"the normal must have shape (d,) = (8,), got {tuple(normal.shape)}"
assert abs(normal.norm().item() - 1) < 1e-4, "the normal must have unit length"
assert (normal @ planted).item() > 0.95, \
    f"scores grow along a planted direction; your normal's cosine with it is {(normal @ planted).item():.3f}"
print("q1 public tests passed")

# %%
# REFERENCES q1
from gentut.interpret.boundaries import LinearBoundary

# %%
# HIDDEN TEST q1 (3 points)
g = torch.Generator().manual_seed(7)
planted = torch.nn.functional.normalize(torch.randn(16, generator=g), dim=0)
codes = torch.randn(600, 16, generator=g)
# --- probe (calls your code) ---
reversed_normal = fit_boundary(codes, -(codes @ planted), ratio=0.1)
mine = fit_boundary(w, scores[:, 0])
# --- check (runs in the grader) ---
assert (torch.as_tensor(reversed_normal).float() @ planted).item() < -0.9, \
    "the normal must point towards higher scores (here, against the planted direction)"
mine = torch.as_tensor(mine).float()
reference = LinearBoundary(ratio=0.2, val_fraction=0.0).fit(w, scores[:, 0]).normal_
assert (mine @ reference).item() > 0.9, "the smile boundary differs from the reference fit on the same codes"
change = direction_effects(G, predictor, w[:100].to(device), mine[None].to(device), 3.0)[0, 0].item()
assert change > 0.05, f"walking along your smile normal should raise the measured smile (it changed by {change:.3f})"

# %% [markdown]
# ## Question 2 — conditional editing by projection (3 points)
#
# Attributes are correlated in what the generator learned, so the smile normal also moves other
# factors (in the table at the end: the hair colour). InterFaceGAN removes a condition by projecting the primal direction onto the orthogonal
# complement of the condition directions: $n' = n - B B^\top n$, normalised, where the columns
# of $B$ are an **orthonormal** basis of the conditions (`torch.linalg.qr` gives one).
#
# Write `project_out(primal, *conditions)`: unit vector `(d,)`, orthogonal to every condition
# `(d,)`. Raise a `ValueError` if nothing is left (the primal lies in the conditions' span).

# %%
# ANSWER q2
def project_out(primal, *conditions):
    """The unit vector along primal (d,) with the span of the condition directions (d,) removed."""
    ### BEGIN SOLUTION
    basis = torch.linalg.qr(torch.stack(conditions, 1)).Q
    direction = primal - basis @ (basis.T @ primal)
    norm = direction.norm()
    if norm < 1e-6 * primal.norm():
        raise ValueError("the primal direction lies in the span of the conditions")
    return direction / norm
    ### END SOLUTION


# %%
# TEST q2 (1 point)
result = project_out(torch.tensor([1.0, 1.0]), torch.tensor([1.0, 0.0]))
# --- check (runs in the grader) ---
assert torch.allclose(result, torch.tensor([0.0, 1.0]), atol=1e-6), f"(1, 1) without (1, 0) is (0, 1), got {result}"
print("q2 public tests passed")

# %%
# REFERENCES q2
from gentut.interpret.boundaries import project_out as reference_project

# %%
# HIDDEN TEST q2 (2 points)
g = torch.Generator().manual_seed(3)
primal, a, b = torch.randn(16, generator=g), torch.randn(16, generator=g), torch.randn(16, generator=g)
# --- probe (calls your code) ---
result = project_out(primal, a, b)
error = raised(project_out, 2 * a - b, a, b)
# --- check (runs in the grader) ---
assert abs(result @ a) < 1e-4 and abs(result @ b) < 1e-4, "the result must be orthogonal to every condition"
assert torch.allclose(result, reference_project(primal, a, b), atol=1e-5), "two non-orthogonal conditions: wrong direction"
assert isinstance(error, ValueError), "a primal inside the conditions' span should raise a ValueError"

# %% [markdown]
# ## Question 3 — SeFa's closed form (5 points)
#
# Each layer turns $w$ into a style with an affine map, $s = A w + b$. Moving $w$ along a unit
# $n$ moves the styles by $A n$, so the directions that move them most solve
# $\max_{\|n\| = 1} \|A n\|^2$: the eigenvectors of $A^\top A$, largest eigenvalue first.
#
# Write `sefa_directions(weight)` for `weight` $= A$ of shape `(n_styles, d)`, returning
# `(directions, eigenvalues)`: `directions` `(d, d)` with one unit eigenvector **per row**, sorted
# by descending eigenvalue, and `eigenvalues` `(d,)` descending. Eigenvectors have no sign, so fix
# one: flip each row so that its largest-magnitude entry is positive. Use `torch.linalg.eigh`
# (for symmetric matrices; it returns eigenvalues in *ascending* order, eigenvectors as columns).

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
directions, eigenvalues = sefa_directions(torch.diag(torch.tensor([1.0, -3.0, 2.0])))
# --- check (runs in the grader) ---
assert directions.shape == (3, 3) and eigenvalues.shape == (3,), "shapes: directions (d, d), eigenvalues (d,)"
assert torch.allclose(eigenvalues, torch.tensor([9.0, 4.0, 1.0]), atol=1e-5), f"eigenvalues of diag(1, 9, 4): {eigenvalues}"
assert torch.allclose(directions, torch.tensor([[0.0, 1, 0], [0, 0, 1], [1, 0, 0]]), atol=1e-5), \
    f"for A = diag(1, -3, 2) the rows should be e2, e3, e1 (signs: largest entry positive), got\n{directions}"
print("q3 public tests passed")

# %%
# REFERENCES q3
from gentut.interpret.sefa import closed_form_directions

# %%
# HIDDEN TEST q3 (3 points)
g = torch.Generator().manual_seed(2)
U = torch.linalg.qr(torch.randn(9, 5, generator=g)).Q          # (9, 5) orthonormal columns
V = torch.linalg.qr(torch.randn(5, 5, generator=g)).Q          # (5, 5) planted eigenvectors (columns)
A = U @ torch.diag(torch.tensor([5.0, 4.0, 3.0, 2.0, 1.0])) @ V.T
# --- probe (calls your code) ---
directions, eigenvalues = sefa_directions(A)
mine = sefa_directions(style_weights(G))[0][:3]
# --- check (runs in the grader) ---
assert torch.allclose(eigenvalues, torch.tensor([25.0, 16, 9, 4, 1]), atol=1e-3), "wrong eigenvalues for a planted A"
assert torch.allclose((directions @ V).abs(), torch.eye(5), atol=1e-3), "rows must be the planted eigenvectors, in order"
assert (directions.gather(1, directions.abs().argmax(1, keepdim=True)) > 0).all(), "largest entry of each row must be > 0"
reference = closed_form_directions(style_weights(G))[0][:3]
assert ((mine.cpu() * reference.cpu()).sum(1) > 0.999).all(), "the face generator's top 3 SeFa directions differ"

# %% [markdown]
# ## Your directions at work
#
# Faces moved along your smile normal (rows: strength -3, 0, +3), and what the predictor
# measures when 200 codes move 3 units along each direction: your smile normal, the same with
# the hair-colour normal projected out, and SeFa's top three directions (mean change of each factor, in [0, 1] units).

# %%
smile = fit_boundary(w, scores[:, 0])
hair_color = fit_boundary(w, scores[:, FACTOR_NAMES.index("hair_color")])
smile_only = project_out(smile, hair_color)
few = broadcast_ws(G, w[:6].to(device))
rows = [render_ws(G, edit_ws(few, smile.to(device), strength)) for strength in (-3.0, 0.0, 3.0)]
plt.figure(figsize=(6, 3), dpi=72)
plt.imshow(image_grid(torch.cat(rows).cpu(), nrow=6))
plt.axis("off")
plt.show()

named = {"smile": smile, "smile, hair out": smile_only}
sefa, _ = sefa_directions(style_weights(G))
named.update({f"SeFa {i}": sefa[i] for i in range(3)})
effects = direction_effects(G, predictor, w[:200].to(device), torch.stack(list(named.values())).to(device), 3.0).cpu()
print(f"{'direction':16s}" + "".join(f"{name[:8]:>9s}" for name in FACTOR_NAMES))
for (name, _), row in zip(named.items(), effects):
    print(f"{name:16s}" + "".join(f"{value:+9.2f}" for value in row.tolist()))

# %% [markdown]
# ## Questions to think about
# 1. Compare the hair-colour column of the first two rows of the table: did the projection remove
#    the hair-colour change, and what did it cost the smile change? Try `age` as the condition
#    instead: its change grows. Why can a projection in W fail to hold a factor still?
# 2. SeFa never looked at an image. Which factors do its top directions move, and are they "pure"
#    (one factor each)? What would you need to name them?
# 3. `fit_boundary` keeps only the top and bottom 20 % of codes. What happens to the normal with
#    `ratio=0.5`, and why might the extremes be more reliable labels?
