# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/02_vae.ipynb)
#
# # 02 — Latent variable models and the variational autoencoder
#
# Notebook 01's models see only pixels. Yet a handwritten digit has causes nobody wrote down:
# which digit it is, how slanted, how thick the stroke. A **latent variable model** names such
# causes `z` and tells a two-step story: first draw `z ~ p(z)`, then the image `x ~ p(x | z)`. Each
# step can be simple while the image distribution they make together,
#
# $$p(x) = \int p(z)\, p(x \mid z)\, dz ,$$
#
# is very flexible; and reading the story backwards, the posterior `p(z | x)` says which causes
# explain a given image: unsupervised learning. The price: that integral (and with it the
# posterior) is hard to compute. In this notebook you will:
# * fit the simplest latent variable model, a mixture of Gaussians, and measure how well its
#   posterior recovers the hidden component;
# * derive the **ELBO**, the bound a VAE maximises instead of `log p(x)`, and measure why the
#   **reparameterization trick** is the way to take its gradient;
# * train an autoencoder and a VAE on the digits and measure which of them you can sample from;
# * explore a 2-D latent space with sliders, and measure the trade-off the KL weight `beta` controls;
# * put the VAE's likelihood next to the autoregressive models' in one table (with a tighter,
#   importance-weighted estimate);
# * build a small **VQ-VAE**, whose codes are discrete.

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
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from scipy.stats import chi2, multivariate_normal
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from torch.distributions import Normal, kl_divergence

from gentut.data.digits import load_binarized_digits
from gentut.evidence import bootstrap, check, compare, mean_interval, proportion_interval
from gentut.losses import (
    bernoulli_nll, elbo_terms, iwae_log_likelihood, kl_to_standard_normal, negative_elbo, vq_losses,
)
from gentut.models.autoregressive import DIGIT_RECIPES, digit_models, nll
from gentut.models.vae import (
    MLPVAE, VQVAE, MLPAutoencoder, codebook_usage, reparameterized_gradient, score_function_gradient,
)
from gentut.runtime import setup
from gentut.training import fit
from gentut.widgets.render import image_grid
from gentut.widgets.vae import (
    beta_panel, decode_images, interpolation_panel, latent_map_view, latent_panel,
)

device, generator = setup(seed=0)


def show(images, title, nrow=16, scale=0.45):
    """Draw a grid of images (B, 1, H, W) in [0, 1] with a title; `scale` inches per image."""
    plt.figure(figsize=(nrow * scale, 0.5 + scale * math.ceil(len(images) / nrow)), dpi=72)
    plt.imshow(image_grid(images.cpu(), nrow=nrow), interpolation="nearest")
    plt.title(title)
    plt.axis("off")
    plt.show()


# %% [markdown]
# ## 1. The simplest latent variable model: a mixture of Gaussians
#
# The generative process has a discrete cause: pick a component `z = k` with probability
# $\pi_k$, then draw the point from that component's Gaussian,
#
# $$z \sim \mathrm{Categorical}(\pi_1, \dots, \pi_K), \qquad x \mid z = k \sim \mathcal{N}(\mu_k, \Sigma_k), \qquad
# p(x) = \sum_{k=1}^{K} \pi_k\, \mathcal{N}(x; \mu_k, \Sigma_k).$$
#
# We draw 600 points from a mixture we chose ourselves, so we know every point's true component,
# then hide the components and let scikit-learn's `GaussianMixture` (EM) fit a 3-component
# mixture to the points alone.

# %%
rng = np.random.default_rng(0)
true_weights = np.array([0.5, 0.3, 0.2])
true_means = np.array([[0.0, 0.0], [3.0, 1.0], [0.5, 3.5]])
true_covs = np.array([[[1.0, 0.4], [0.4, 0.8]], [[0.6, -0.3], [-0.3, 1.0]], [[1.2, 0.0], [0.0, 0.4]]])
true_z = rng.choice(3, size=600, p=true_weights)
points = np.stack([rng.multivariate_normal(true_means[k], true_covs[k]) for k in true_z])    # (600, 2)

gmm = GaussianMixture(n_components=3, random_state=0).fit(points)
posterior = gmm.predict_proba(points)                 # (600, 3): p(z = k | x) under the fitted mixture
found = posterior.argmax(1)

# %% [markdown]
# The fitted components come out in an arbitrary order, so we match them to the true ones with the
# permutation that agrees most (the Hungarian algorithm on the confusion matrix) before counting.
# For reference, the best any method could do: the posterior of the *true* mixture, which still
# errs where two components overlap.

# %%
confusion = np.zeros((3, 3), int)
np.add.at(confusion, (true_z, found), 1)
_, match = linear_sum_assignment(-confusion)          # true component k <-> fitted component match[k]
correct = match[true_z] == found
true_posterior = np.stack([w * multivariate_normal(m, c).pdf(points)
                           for w, m, c in zip(true_weights, true_means, true_covs)], 1)
sure = posterior.max(1) > 0.9
print(f"identification accuracy, fitted posterior: {correct.mean():.3f}")
print(f"identification accuracy, true posterior:   {(true_posterior.argmax(1) == true_z).mean():.3f}  (the ceiling)")
print(f"points with max posterior > 0.9: {sure.mean():.2f} of all; accuracy there "
      f"{proportion_interval(int(correct[sure].sum()), int(sure.sum())):.3f}, "
      f"elsewhere {proportion_interval(int(correct[~sure].sum()), int((~sure).sum())):.3f}")
print("mixture weights, true:  ", true_weights.round(3))
print("mixture weights, fitted:", gmm.weights_[match].round(3))
print(f"mean log p(x) per point: fitted {gmm.score(points):.3f}, true mixture "
      f"{np.log(true_posterior.sum(1)).mean():.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 4), dpi=72, sharex=True, sharey=True)
axes[0].scatter(*points.T, c=true_z, cmap="brg", s=8, vmin=0, vmax=2)
axes[0].set_title("true components (hidden from the fit)")
axes[1].scatter(*points.T, c=match.argsort()[found], cmap="brg", s=8, vmin=0, vmax=2,
                alpha=0.25 + 0.75 * (posterior.max(1) - 1 / 3) * 1.5)
axes[1].scatter(*points[~correct].T, facecolors="none", edgecolors="k", s=40, label="misidentified")
axes[1].set_title("argmax p(z | x), faint where unsure")
axes[1].legend(loc="lower right")
plt.show()

# %% [markdown]
# The posterior does more than name a component: its maximum says how sure it is, and the numbers
# above compare the accuracy where it is sure with the accuracy where it is not (with Wilson
# intervals over the points).
#
# ## 2. An infinite mixture, and the evidence lower bound (ELBO)
#
# A VAE replaces the K components by a continuum: a continuous code $z \sim \mathcal{N}(0, I)$ and a
# neural network, the **decoder**, that turns it into the parameters of $p_\theta(x \mid z)$ — for
# our binary 8x8 digits, 64 Bernoulli probabilities. A mixture of infinitely many simple
# distributions: each $p(x \mid z)$ is simple, the marginal $p(x) = \int p(z) p_\theta(x \mid z) dz$
# is not, and neither the integral nor the posterior $p(z \mid x)$ can be computed.
#
# **The bound.** Take any distribution $q(z)$. Since $\log$ is concave (Jensen's inequality),
#
# $$\log p_\theta(x) = \log \int q(z) \frac{p_\theta(x, z)}{q(z)} dz
# \;\ge\; \int q(z) \log \frac{p_\theta(x, z)}{q(z)} dz
# = \underbrace{\mathbb{E}_{q}[\log p_\theta(x, z)] + H(q)}_{\mathcal{L}(x;\, \theta, q)} ,$$
#
# and the gap is exactly a KL divergence to the true posterior:
#
# $$\log p_\theta(x) = \mathcal{L}(x; \theta, q) + D_{KL}\big(q(z) \,\|\, p_\theta(z \mid x)\big).$$
#
# The ELBO holds for *any* q; the better q approximates the posterior, the tighter it is. A VAE
# uses an **encoder** network $q_\phi(z \mid x) = \mathcal{N}(\mu_\phi(x), \mathrm{diag}\,\sigma^2_\phi(x))$
# and maximises the ELBO over $\theta$ and $\phi$ jointly. Adding and subtracting $\log p(z)$
# splits it into the two terms we will measure throughout:
#
# $$\mathcal{L}(x; \theta, \phi) = \underbrace{\mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)]}_{\text{reconstruction}}
# \;-\; \underbrace{D_{KL}\big(q_\phi(z \mid x) \,\|\, p(z)\big)}_{\text{KL to the prior}} .$$
#
# The first term asks that a code $\hat z$ drawn from the encoder decodes back to $x$; the second
# that the codes stay likely under the prior $\mathcal{N}(0, I)$ — which is what will let us
# sample. For two Gaussians the KL has a closed form, `gentut.losses.kl_to_standard_normal`:
# $\tfrac12 \sum_j (\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2)$. A check against
# `torch.distributions`:

# %%
mu, logvar = torch.tensor([[0.5, -1.0]]), torch.tensor([[0.0, -2.0]])
reference = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(1)
print(f"closed form {kl_to_standard_normal(mu, logvar).item():.6f}   torch.distributions {reference.item():.6f}")

# %% [markdown]
# ## 3. The reparameterization trick, measured
#
# Training needs the gradient of an expectation over $q_\phi$, whose parameters are what we
# differentiate. Take the simplest case, $\frac{d}{d\mu} \mathbb{E}_{z \sim \mathcal{N}(\mu, 1)}[z^2]$,
# whose true value is $2\mu$ (because $\mathbb{E}[z^2] = \mu^2 + 1$). Two unbiased estimators
# from one draw each:
#
# * **score function** (REINFORCE): $f(z)\, \frac{d}{d\mu} \log \mathcal{N}(z; \mu, 1) = f(z)\,(z - \mu)$
#   — needs only values of $f$, works for any $f$; a **baseline** $b$ may be subtracted from
#   $f(z)$ without changing the mean;
# * **reparameterized**: write $z = \mu + \sigma \varepsilon$, $\varepsilon \sim \mathcal{N}(0, 1)$, so the
#   randomness no longer depends on $\mu$, and differentiate through: $f'(\mu + \varepsilon)$.
#
# Both are computed by autograd in `gentut.models.vae` (the score function through the usual
# surrogate `f(z).detach() * log q(z)`). We draw 100,000 single-sample estimates of each and
# compare their means and variances with the closed forms (for $\sigma = 1$:
# $\mu^4 + 14\mu^2 + 15$, with the baseline $b = \mu^2 + 1$: $8\mu^2 + 10$, reparameterized: $4$).

# %%
def f(z):
    return z ** 2


n_draws = 100_000
print(f"{'mu':>4s} {'estimator':26s} {'mean':>7s} {'s.e.':>6s} {'true 2mu':>8s} {'variance':>9s} {'closed form':>11s} "
      f"{'draws for s.e. 0.01':>19s}")
z_scores, variance_ratios, smallest_variance = [], [], []
for mu_value in (0.5, 2.0):
    estimators = {   # name -> (n_draws single-draw estimates, their variance in closed form)
        "score function": (score_function_gradient(f, mu_value, 1.0, n_draws, generator),
                           mu_value ** 4 + 14 * mu_value ** 2 + 15),
        "score fn., baseline mu^2+1": (score_function_gradient(f, mu_value, 1.0, n_draws, generator,
                                                               baseline=mu_value ** 2 + 1),
                                       8 * mu_value ** 2 + 10),
        "reparameterized": (reparameterized_gradient(f, mu_value, 1.0, n_draws, generator), 4.0),
    }
    variances = {}
    for name, (grads, closed_form) in estimators.items():
        variance = grads.var().item()
        variances[name] = variance
        z_scores.append(abs(grads.mean().item() - 2 * mu_value) / math.sqrt(variance / n_draws))
        variance_ratios.append(variance / closed_form)
        print(f"{mu_value:4.1f} {name:26s} {grads.mean().item():7.3f} {math.sqrt(variance / n_draws):6.3f} "
              f"{2 * mu_value:8.3f} {variance:9.2f} {closed_form:11.2f} {variance / 0.01 ** 2:19,.0f}")
    smallest_variance.append(min(variances, key=variances.get))
print(f"\nlargest distance of a mean from 2mu: {max(z_scores):.1f} s.e.; "
      f"measured / closed-form variance: {min(variance_ratios):.3f} to {max(variance_ratios):.3f}; "
      f"smallest variance: {', '.join(smallest_variance)}")
print(check(max(z_scores) < 3, "every mean lies within 3 s.e. of 2mu"))
print(check(max(abs(r - 1) for r in variance_ratios) < 0.1
            and set(smallest_variance) == {"reparameterized"},
            "each variance matches its closed form to within 10 %, and the reparameterized one is the smallest"))

# %% [markdown]
# Compare each mean with $2\mu$ in units of its standard error (s.e.): every mean lies within
# 3 s.e. of $2\mu$, as it should, since all three estimators are unbiased. What differs is the
# variance: each variance matches its closed form to within 10 %, and the reparameterized one is
# the smallest. With it differs the number of draws an average needs to reach a standard error
# of 0.01, $v / 0.01^2$ (last column). In a VAE the same trick gives the
# encoder a gradient through the sampled code: `gentut.models.vae.reparameterize` computes
# `z = mu + exp(logvar / 2) * eps`.
#
# ## 4. Autoencoder vs VAE: which one can you sample?
#
# The data are notebook 01's binarized 8x8 digits. To judge how *digit-like* a generated image
# is, we train a digit classifier (logistic regression) on the training digits and ask it about
# each image: its confidence (the largest class probability), and, over many images, which digits
# it sees. As references, the real test digits and random pixels with the digits' ink rate.

# %%
# NBVAL_CHECK_OUTPUT
x_train, y_train = load_binarized_digits("train")
x_test, y_test = load_binarized_digits("test")
print("train:", tuple(x_train.shape), " test:", tuple(x_test.shape))
classifier = LogisticRegression(max_iter=1000).fit(x_train.flatten(1).numpy(), y_train.numpy())
x_train, x_test = x_train.to(device), x_test.to(device)

# %%
def effective_classes(labels):
    """exp(H(class frequencies)) of predicted classes along the last axis: (..., n) -> (...): 10 for a
    uniform mix of digits, 1 if every image looks like the same digit."""
    freq = (np.asarray(labels)[..., None] == np.arange(10)).mean(-2)                 # (..., 10)
    return np.exp(-(freq * np.log(np.where(freq > 0, freq, 1.0))).sum(-1))


def classes_difference(labels_a, labels_b):
    """effective_classes(a) - effective_classes(b) for images paired one to one (the same codes),
    with its bootstrap interval: each pair is packed into one number so that it is resampled whole."""
    return bootstrap(10 * np.asarray(labels_a) + np.asarray(labels_b),
                     lambda x: effective_classes(x // 10) - effective_classes(x % 10))


def digit_likeness(images):
    """What the classifier makes of binary images (B, 1, 8, 8): mean confidence, share of images it
    is > 90% sure of, the effective number of classes, the commonest class and its share; and per image,
    the confidences (B,) and predicted classes (B,) for intervals."""
    probs = classifier.predict_proba(images.reshape(len(images), -1).cpu().numpy())
    confidence, labels = probs.max(1), probs.argmax(1)
    freq = np.bincount(labels, minlength=10) / len(probs)
    return {"confidence": confidence.mean(), "sure": (confidence > 0.9).mean(), "classes": effective_classes(labels),
            "top": int(freq.argmax()), "top_share": freq.max(), "confidences": confidence, "labels": labels}


accuracy = classifier.score(x_test.flatten(1).cpu().numpy(), y_test.numpy())
print(f"classifier accuracy on the test digits: {accuracy:.3f}")
random_pixels = (torch.rand(1000, 1, 8, 8, generator=generator) < x_train.mean().item()).float()
likeness = {"real test digits": digit_likeness(x_test), "random pixels": digit_likeness(random_pixels)}

# %% [markdown]
# Both models get the same MLP layers (64 → 256 → 2-D code → 256 → 64). The **autoencoder** maps
# each image to one code and is trained on reconstruction alone, $-\log p(x \mid z = \mathrm{enc}(x))$.
# The **VAE**'s encoder outputs a mean and a log-variance per code dimension, a Gaussian
# $q(z \mid x)$; it decodes a draw from it and minimises $-\mathcal{L}$ = reconstruction + KL
# (`gentut.losses.negative_elbo`). The codes are 2-D so that we can look at them.

# %%
# NBVAL_CHECK_OUTPUT
autoencoder = MLPAutoencoder(n_pixels=64, z_dim=2, hidden=256).to(device)
vae2 = MLPVAE(n_pixels=64, z_dim=2, hidden=256).to(device)
for name, model in (("autoencoder, 2-D code", autoencoder), ("VAE, 2-D code", vae2)):
    print(f"{name:22s} {sum(p.numel() for p in model.parameters()):6,d} parameters")


# %%
def vae_loss(beta=1.0):
    """The loss `fit` minimises for a VAE: mean over the batch of -log p(x | z) + beta * KL."""
    def loss(model, batch):
        logits, mu, logvar = model(batch, generator)
        return negative_elbo(logits, batch, mu, logvar, beta).mean()
    return loss


train_seconds = {}
start = time.perf_counter()
fit(autoencoder, lambda m, batch: bernoulli_nll(m(batch), batch).mean(), x_train, epochs=40, lr=1e-3,
    generator=generator, desc="autoencoder")
train_seconds["autoencoder"] = time.perf_counter() - start
start = time.perf_counter()
fit(vae2, vae_loss(), x_train, epochs=40, lr=1e-3, generator=generator, desc="VAE (2-D)")
train_seconds["VAE (2-D)"] = time.perf_counter() - start

# %% [markdown]
# Where do the test digits land? (For the VAE we plot the mean $\mu(x)$ of each $q(z \mid x)$.)
# The circle marks the region holding 95% of the prior $\mathcal{N}(0, I)$'s mass, where the codes
# we will draw to generate lie.

# %%
with torch.no_grad():
    codes = {"autoencoder": autoencoder.encode(x_test).cpu(), "VAE (2-D)": vae2.encode(x_test)[0].cpu()}
radius95 = math.sqrt(chi2.ppf(0.95, df=2))
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), dpi=72)
for ax, (name, z) in zip(axes, codes.items()):
    points_plot = ax.scatter(*z.T, c=y_test, cmap="tab10", s=10, vmin=-0.5, vmax=9.5)
    ax.add_patch(plt.Circle((0, 0), radius95, fill=False, color="k", linestyle="--"))
    ax.set(title=f"{name}: test codes", xlabel="z1", ylabel="z2", aspect="equal")
fig.colorbar(points_plot, ax=axes, ticks=range(10), label="digit")
plt.show()
n_inside = {name: int((z.pow(2).sum(1) < radius95 ** 2).sum()) for name, z in codes.items()}
inside = {name: proportion_interval(k, len(codes[name])) for name, k in n_inside.items()}
for name, share in inside.items():
    print(f"{name:12s}: {share:.2f} of the test codes lie inside the prior's 95% circle")

# %% [markdown]
# Now generate: draw 1,000 codes from $\mathcal{N}(0, I)$, decode them, and keep the likelier value
# of each pixel (probability > 0.5).

# %%
z_prior = torch.randn(1000, 2, generator=generator)
samples = {name: (decode_images(model, z_prior) > 0.5).float()
           for name, model in (("autoencoder", autoencoder), ("VAE (2-D)", vae2))}
for name, images in samples.items():
    show(images[:32], f"{name}: decoded N(0, I) codes")
    likeness[f"{name} samples"] = digit_likeness(images)

print(f"{'images':24s} {'confidence':>10s} {'> 0.9 sure':>10s} {'classes':>8s} {'commonest':>10s} {'codes in 95%':>12s}")
for name, row in likeness.items():
    code_share = inside.get(name.replace(" samples", ""))
    print(f"{name:24s} {row['confidence']:10.3f} {row['sure']:10.3f} {row['classes']:8.2f} "
          f"{row['top']:>4d} ({row['top_share']:.2f}) {'' if code_share is None else f'{code_share.value:.2f}':>12s}")

ae, vae = likeness["autoencoder samples"], likeness["VAE (2-D) samples"]
confidence_verdict = compare("the autoencoder", ae["confidences"], "the VAE", vae["confidences"])   # same 1,000 codes
classes_gain = classes_difference(vae["labels"], ae["labels"])
print("\none training run per model; intervals over the 1,000 prior codes (the same for both) or the 297 test codes:")
print(f"  codes inside the 95% circle: autoencoder {inside['autoencoder']:.2f}, VAE {inside['VAE (2-D)']:.2f}")
print(f"  effective classes among the samples, VAE minus autoencoder: {classes_gain:.2f}")
print(f"  confidence per sample: {confidence_verdict}")
print(check(inside["VAE (2-D)"].low > inside["autoencoder"].high and classes_gain.low > 0,
            "more of the VAE's codes lie inside the circle, and its samples cover more digits"))
print(check(confidence_verdict.verdict == "better" and ae["top_share"] > 0.5,
            "the autoencoder's samples are, one by one, more confident, and most of them show the same digit"))

# %% [markdown]
# Read the columns separately. *Confidence* asks whether each image looks like some digit;
# *classes* (the effective number of distinct digits among the 1,000) and *commonest* ask whether
# the samples cover the digits as the data do. The last column measures how much of each model's
# code cloud the prior covers. Nothing in the autoencoder's loss refers to $\mathcal{N}(0, I)$: its
# codes sit wherever reconstruction put them, so the prior's draws reach only the part of the cloud
# that happens to lie near the origin and decode to the digits that live there (the scatter plot
# shows which). The VAE's KL term pulls its codes into the prior's region, so that a draw from
# $\mathcal{N}(0, I)$ lands where codes of all digits are: more of the VAE's codes lie inside the
# circle, and its samples cover more digits. Confidence alone would have ranked the two the other
# way: the autoencoder's samples are, one by one, more confident, and most of them show the same
# digit. A sampler is judged on the set, not on each image.
#
# ## 5. Walking the 2-D latent space
#
# Decode a 15x15 grid of codes over $[-3, 3]^2$: the whole generative model on one page.

# %%
plt.figure(figsize=(6, 6), dpi=72)
plt.imshow(latent_map_view(vae2, n=15, limit=3.0), extent=(-3.3, 3.3, -3.3, 3.3), interpolation="nearest")
plt.title("VAE (2-D): decoded codes over [-3, 3]^2")
plt.xlabel("z1")
plt.ylabel("z2")
plt.show()

# %% [markdown]
# Drag the two sliders to move a code through this plane and watch the decoded digit change.

# %%
latent_panel(vae2)

# %% [markdown]
# **Interpolation.** Encode two test digits, walk along the straight line between their codes
# and decode. (We take a 6 and a 3, each the test digit of its class that the VAE reconstructs
# best; the cell prints where their codes lie.) Compare with blending their pixels. Both paths give a
# probability of ink for every pixel; at each of nine steps we draw 200 binary images from those
# probabilities and print the digit the classifier names most often.

# %%
with torch.no_grad():
    recon_nll = bernoulli_nll(vae2.decode(vae2.encode(x_test)[0]), x_test).cpu()   # (297,)
a, b = (int(torch.where(y_test == digit, recon_nll, math.inf).argmin()) for digit in (6, 3))
alphas = torch.linspace(0, 1, 9)
with torch.no_grad():
    mu_ab = vae2.encode(x_test[[a, b]])[0].cpu()
code_path = decode_images(vae2, (1 - alphas[:, None]) * mu_ab[0] + alphas[:, None] * mu_ab[1])
pixel_path = (1 - alphas[:, None, None, None]) * x_test[a].cpu() + alphas[:, None, None, None] * x_test[b].cpu()
show(torch.cat([code_path, pixel_path]), "a 6 -> a 3: blended codes (top), blended pixels (bottom)", nrow=9, scale=0.8)
print(f"codes: the 6 at ({mu_ab[0, 0]:.2f}, {mu_ab[0, 1]:.2f}), the 3 at ({mu_ab[1, 0]:.2f}, {mu_ab[1, 1]:.2f})")
named = {}
for name, path in (("code blend", code_path), ("pixel blend", pixel_path)):
    draws = torch.bernoulli(path.flatten(1).repeat_interleave(200, 0), generator=generator)    # (9 * 200, 64)
    votes = classifier.predict(draws.numpy()).reshape(9, 200)
    named[name] = [int(np.bincount(v, minlength=10).argmax()) for v in votes]
    print(f"{name:12s} commonest class per step: {named[name]}")
print(check(set(named["code blend"]) - {6, 3} and set(named["pixel blend"]) <= {6, 3},
            "along the code line the classifier names a digit other than the two ends; "
            "along the pixel blend, only the ends"))

# %% [markdown]
# In two dimensions the straight line from one code to another crosses the regions of whatever
# digits lie between them on the latent map: along the code line the classifier names a digit
# other than the two ends. The pixel blend is at every step the two digits superimposed, one
# fading out as the other fades in; along it the classifier names only the ends. The slider
# version: choose the two test digits and alpha. The four tiles are digit A, the decoded code
# blend, the pixel blend, and digit B.

# %%
interpolation_panel(vae2, x_test.cpu(), a=a, b=b)

# %% [markdown]
# ## 6. The KL weight beta: reconstruction against a usable prior
#
# Weighting the KL term, $-\log p(x \mid z) + \beta\, D_{KL}$ ($\beta$-VAE, Higgins et al. 2017), moves
# the balance between the two terms. With $\beta$ small the encoder may spend many nats of
# information on each code (good reconstructions, codes that need not look like the prior); with
# $\beta$ large it is pushed to send little. We train five VAEs with 8-D codes, identical but for
# $\beta$, and measure on the test digits: reconstruction and KL (nats per image), how many of the
# 8 code dimensions carry information (KL above 0.1 nats), how certain the decoder is of the pixels
# of 1,000 prior draws (the mean of $|2p - 1|$: 1 when no pixel is grey), the classifier's view of
# the same draws with each pixel thresholded at 0.5, and how many codes drawn from $q(z \mid x)$
# fall inside the ball that holds 95% of the prior's mass (0.95 if the codes of the test digits,
# taken together, were distributed like the prior).

# %%
betas = (0.1, 0.5, 1.0, 2.0, 4.0)
beta_vaes = {}
for beta in betas:
    beta_vaes[beta] = MLPVAE(n_pixels=64, z_dim=8, hidden=256).to(device)
    start = time.perf_counter()
    fit(beta_vaes[beta], vae_loss(beta), x_train, epochs=30, lr=1e-3, generator=generator, desc=f"beta = {beta}")
    train_seconds[f"VAE (8-D), beta {beta}"] = time.perf_counter() - start

# %%
beta_table = {}
z_prior8 = torch.randn(1000, 8, generator=generator)
radius95_8 = math.sqrt(chi2.ppf(0.95, df=8))               # the ball holding 95% of N(0, I) in 8-D
code_draws = torch.Generator().manual_seed(1)               # its own generator: the draws below change no other cell
for beta, model in beta_vaes.items():
    recon, kl = elbo_terms(model, x_test, generator, n_draws=10)
    with torch.no_grad():
        mu, logvar = model.encode(x_test)
    kl_per_dim = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)).mean(0)          # (8,)
    z_q = mu + (0.5 * logvar).exp() * torch.randn(10, *mu.shape, generator=code_draws).to(mu.device)  # z ~ q(z | x)
    ink = decode_images(model, z_prior8)                                      # (1000, 1, 8, 8) decoder probabilities
    beta_table[beta] = {"recon": recon.mean().item(), "kl": kl.mean().item(), "active": int((kl_per_dim > 0.1).sum()),
                        "elbo": (recon + kl).cpu(),
                        "inside": (z_q.pow(2).sum(-1) < radius95_8 ** 2).float().mean(0).cpu(),   # per digit
                        "certainty": (2 * ink - 1).abs().flatten(1).mean(1),         # per sample, 1 = no grey
                        **digit_likeness((ink > 0.5).float())}
print(f"{'beta':>5s} {'recon':>7s} {'KL':>6s} {'-ELBO':>7s} {'active dims':>11s} {'certainty':>9s} {'confidence':>10s} "
      f"{'classes':>8s} {'codes in 95%':>12s}")
for beta, row in beta_table.items():
    print(f"{beta:5.1f} {row['recon']:7.2f} {row['kl']:6.2f} {row['recon'] + row['kl']:7.2f} {row['active']:11d} "
          f"{row['certainty'].mean():9.3f} {row['confidence']:10.3f} {row['classes']:8.2f} {row['inside'].mean():12.2f}")
column = {name: [row[name] for row in beta_table.values()] for name in ("recon", "kl", "active")}
print(check(all(np.diff(column["recon"]) >= 0) and all(np.diff(column["kl"]) <= 0)
            and all(np.diff(column["active"]) <= 0),
            "as beta grows, the reconstruction term never falls, "
            "and neither the KL nor the active dimensions rise"))
print(check(column["active"][-1] < column["active"][0], "some code dimensions go silent as beta grows"))


def versus(beta_a, beta_b, measure):
    """Compare two betas' VAEs on the test digits' -ELBO or on their samples' confidence (same prior codes)."""
    if measure == "-ELBO":
        return compare(f"beta = {beta_a}", beta_table[beta_a]["elbo"], f"beta = {beta_b}", beta_table[beta_b]["elbo"],
                       higher_is_better=False, unit=" nats")
    return compare(f"beta = {beta_a}", beta_table[beta_a]["confidences"], f"beta = {beta_b}",
                   beta_table[beta_b]["confidences"])


print("\none VAE per beta (one training run each); intervals over the 297 test digits or the 1,000 prior codes")
by_elbo = sorted(betas, key=lambda b: beta_table[b]["elbo"].mean())
by_confidence = sorted(betas, key=lambda b: -beta_table[b]["confidence"])
by_classes = sorted(betas, key=lambda b: -beta_table[b]["classes"])
classes_lead = classes_difference(beta_table[by_classes[0]]["labels"], beta_table[by_classes[1]]["labels"])
print("lowest -ELBO:             ", versus(by_elbo[0], by_elbo[1], "-ELBO"))
print("most confident samples:   ", versus(by_confidence[0], by_confidence[1], "confidence"))
print(f"most classes among samples: beta = {by_classes[0]} vs beta = {by_classes[1]}, difference {classes_lead:.2f}"
      + ("" if classes_lead.excludes(0) else ": within noise"))
sides = {}
for side, beta_a in (("squeezed", 4.0), ("loose", 0.1)):
    sides[side] = {"confidence": versus(beta_a, 1.0, "confidence"), "-ELBO": versus(beta_a, 1.0, "-ELBO"),
                   "certainty": compare(f"beta = {beta_a}", beta_table[beta_a]["certainty"], "beta = 1.0",
                                        beta_table[1.0]["certainty"]),
                   "classes": classes_difference(beta_table[beta_a]["labels"], beta_table[1.0]["labels"]),
                   "inside": mean_interval(beta_table[beta_a]["inside"])}
    print(f"\nthe {side} side, beta = {beta_a} against beta = 1.0:")
    print("  decoder's certainty on prior draws:", sides[side]["certainty"])
    print("  samples' confidence:", sides[side]["confidence"])
    print(f"  samples' classes, difference {sides[side]['classes']:.2f}"
          + ("" if sides[side]["classes"].excludes(0) else ": within noise"))
    print(f"  test codes inside the prior's 95% ball: {sides[side]['inside']:.2f} "
          f"(beta = 1.0: {mean_interval(beta_table[1.0]['inside']):.2f})")
    print("  test -ELBO:", sides[side]["-ELBO"])

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), dpi=72)
axes[0].plot(betas, [r["recon"] for r in beta_table.values()], marker="o", label="reconstruction -log p(x|z)")
axes[0].plot(betas, [r["kl"] for r in beta_table.values()], marker="o", label="KL(q(z|x) || p(z))")
axes[0].set(xscale="log", xlabel="beta", ylabel="nats per test image", title="the two ELBO terms")
axes[0].legend()
axes[1].plot(betas, [r["confidence"] for r in beta_table.values()], marker="o", label="mean confidence")
axes[1].plot(betas, [r["sure"] for r in beta_table.values()], marker="o", label="share > 0.9 sure")
axes[1].axhline(likeness["real test digits"]["confidence"], color="C0", linestyle=":", label="real digits: confidence")
axes[1].set(xscale="log", xlabel="beta", title="classifier's view of 1,000 samples")
axes[1].legend(fontsize=9)
plt.show()
squeezed, loose = sides["squeezed"], sides["loose"]
print(check(squeezed["confidence"].verdict == "worse" and squeezed["classes"].high < 0,
            "at beta = 4 the samples are less confident and cover fewer digits than at beta = 1"))
print(check(loose["inside"].high < mean_interval(beta_table[1.0]["inside"]).low,
            "at beta = 0.1 fewer of the codes fall inside the prior's 95% ball than at beta = 1"))
print(check(loose["certainty"].verdict == "worse",
            "at beta = 0.1 the decoder is less certain of the pixels of prior draws than at beta = 1"))
print(check(loose["confidence"].verdict == "within noise" and not loose["classes"].excludes(0),
            "at beta = 0.1 the thresholded samples' confidence and number of classes are within noise of beta = 1's"))
print(check(loose["-ELBO"].verdict == "worse" and by_elbo[0] == 1.0,
            "the -ELBO is worse at beta = 0.1, and lowest at beta = 1"))

# %% [markdown]
# Training with $\beta$ optimises a different trade-off. On the squeezed side the table shows the
# price: a code dimension whose KL is near zero carries no information about the image (its
# $q(z_j \mid x)$ is the prior for every $x$), the decoder has less to work with, and at
# $\beta = 4$ the samples are less confident and cover fewer digits than at $\beta = 1$. On the
# loose side the codes do drift from the prior the samples are drawn from: at $\beta = 0.1$ fewer
# of the codes fall inside the prior's 95% ball than at $\beta = 1$ (the last column; draws from
# $q(z \mid x)$), so prior draws land where the decoder saw few codes: at $\beta = 0.1$ the decoder
# is less certain of the pixels of prior draws than at $\beta = 1$ (the certainty column, and the
# greyer draws in the figure below). The classifier does not see that price: at $\beta = 0.1$ the
# thresholded samples' confidence and number of classes are within noise of $\beta = 1$'s. The
# bound sees it: the $-$ELBO is worse at $\beta = 0.1$, and lowest at $\beta = 1$ — only $\beta = 1$
# optimises the bound on $\log p(x)$ itself.
#
# The five models at once. Left: test digits (top row), then their reconstructions by each model
# (decoded at the encoder's mean); right: decoded $\mathcal{N}(0, I)$ draws, the same draws for
# every $\beta$. Grey pixels are uncertain ones.

# %%
z_shown = torch.randn(8, 8, generator=torch.Generator().manual_seed(0))       # the slider's draws below
with torch.no_grad():
    reconstructions = [decode_images(beta_vaes[beta], beta_vaes[beta].encode(x_test[:8])[0]) for beta in betas]
grids = {"test digits, then reconstructions": image_grid(torch.cat([x_test[:8].cpu()] + reconstructions), nrow=8),
         "decoded N(0, I) draws": image_grid(torch.cat([decode_images(beta_vaes[b], z_shown) for b in betas]), nrow=8)}
fig, axes = plt.subplots(1, 2, figsize=(10, 5), dpi=72, gridspec_kw={"wspace": 0.35})
for ax, (title, grid) in zip(axes, grids.items()):
    ax.imshow(grid, interpolation="nearest")
    labels = (["test"] if title.startswith("test") else []) + [f"beta = {beta}" for beta in betas]
    ax.set_yticks([9 * k + 5 for k in range(len(labels))], labels)
    ax.set_xticks([])
    ax.set_title(title, fontsize=10)
plt.show()

# %% [markdown]
# The same with a slider, one model at a time, larger:

# %%
beta_panel(beta_vaes, x_test[:8].cpu())

# %% [markdown]
# ## 7. Likelihoods: the VAE next to the autoregressive models
#
# The autoregressive models of notebook 01 compute $\log p(x)$ exactly. A VAE cannot, but it has
# two bounds: $-\mathcal{L}$ (the ELBO) and the tighter **importance-weighted** bound of Burda et
# al. (2016), which averages $k$ importance weights inside the log,
#
# $$\log p(x) \;\ge\; \mathcal{L}_k(x) = \mathbb{E}\Big[\log \frac1k \sum_{i=1}^{k} \frac{p_\theta(x \mid z_i)\, p(z_i)}{q_\phi(z_i \mid x)}\Big]
# \;\ge\; \mathcal{L}_1(x) = \mathcal{L}(x), \qquad z_i \sim q_\phi(z \mid x),$$
#
# and approaches $\log p(x)$ as $k$ grows. In nats, $-\log p(x) \le -\mathcal{L}_k \le -\mathcal{L}$:
# the VAE's numbers below are *upper bounds* on its test NLL. First, train the independent-pixel
# baseline, FVSBN and NADE with notebook 01's recipe (`DIGIT_RECIPES`; the random draws come in
# another order, so their numbers differ a little from 01's). PixelCNN is left out here to keep
# this notebook quick; notebook 01 trains it.

# %%
ar_models = {name: model.to(device) for name, model in digit_models().items() if name != "PixelCNN"}
for name, model in ar_models.items():
    epochs, lr, batch_size = DIGIT_RECIPES[name]
    start = time.perf_counter()
    fit(model, lambda m, batch: nll(m, batch).mean(), x_train, epochs=epochs, lr=lr,
        batch_size=batch_size, generator=generator, desc=name)
    train_seconds[name] = time.perf_counter() - start

# %%
vae8 = beta_vaes[1.0]
rows = {}                                       # name -> (kind, test NLL or bound of each test digit (297,))
with torch.no_grad():
    for name, model in ar_models.items():
        rows[name] = ("exact", nll(model, x_test).cpu())
    for name, model in (("VAE (2-D)", vae2), ("VAE (8-D)", vae8)):
        recon, kl = elbo_terms(model, x_test, generator, n_draws=10)
        rows[f"{name} -ELBO"] = ("upper bound", (recon + kl).cpu())
        iwae = iwae_log_likelihood(model, x_test, k=100, generator=generator)
        rows[f"{name} -IWAE k=100"] = ("upper bound", -iwae.cpu())
print(f"{'model':24s} {'test NLL (nats)':>15s} {'bits/pixel':>10s}  kind")
for name, (kind, values) in rows.items():
    print(f"{name:24s} {values.mean():15.2f} {values.mean() / (64 * math.log(2)):10.3f}  {kind}")

exact = sorted((name for name in rows if rows[name][0] == "exact"), key=lambda name: rows[name][1].mean())
steps = [compare(a, rows[a][1], b, rows[b][1], higher_is_better=False, unit=" nats") for a, b in zip(exact, exact[1:])]
print("\none training run per model; intervals over the 297 test digits")
print("exact NLLs, ranked:", exact[0] + "".join(f" {'<' if c.verdict == 'better' else '~'} {c.name_b}" for c in steps),
      "  (~: within noise)")
for name in ("VAE (2-D)", "VAE (8-D)"):
    bound = rows[f"{name} -IWAE k=100"][1]
    print(f"{name}: its test NLL is at most {bound.mean():.2f} nats; how far below, the bound cannot say")
    for other in exact:
        verdict = compare(f"{name}'s bound", bound, other, rows[other][1], higher_is_better=False, unit=" nats")
        print(f"  vs {other:12s}: " + ("the VAE is better: even its upper bound is lower" if verdict.verdict == "better"
                                        else "undetermined: the bound is not below the exact NLL") + f" ({verdict})")

# %% [markdown]
# Watch the bound tighten with $k$ for the 8-D VAE: the same model, the same test digits, only the
# number of importance samples changes. The gap between $k = 1$ and $k = 100$ is a lower bound on how
# far the ELBO sits below $\log p(x)$, i.e. on the KL between $q_\phi(z \mid x)$ and the true posterior.

# %%
bounds = {k: -iwae_log_likelihood(vae8, x_test, k=k, generator=generator).mean().item() for k in (1, 10, 100)}
for k, value in bounds.items():
    print(f"-L_{k:<3d} = {value:6.2f} nats")
print(check(bounds[1] >= bounds[10] >= bounds[100], "the bound decreases with k, as the theory says"))
print(f"ELBO gap to L_100: {bounds[1] - bounds[100]:.2f} nats per image")

# %% [markdown]
# ## 8. VQ-VAE: discrete codes
#
# The VQ-VAE (van den Oord et al. 2017) keeps the encoder and decoder but makes the code discrete.
# The encoder outputs a few vectors $z_e$; each is replaced by its nearest entry of a learnt
# **codebook** $\{e_1, \dots, e_K\}$, $z_q = e_k$ with $k = \arg\min_j \|z_e - e_j\|$, and the decoder
# sees only $z_q$. Three pieces make it trainable:
#
# * the argmin has no gradient, so the **straight-through estimator** copies the decoder's gradient
#   from $z_q$ to $z_e$: in code, `z_e + (z_q - z_e).detach()`;
# * a **codebook loss** $\|\mathrm{sg}[z_e] - e\|^2$ moves each chosen entry towards the encoder
#   outputs it serves (sg = stop gradient);
# * a **commitment loss** $\beta \|z_e - \mathrm{sg}[e]\|^2$ ($\beta = 0.25$) keeps the encoder
#   from drifting away from its codes.
#
# Here each digit becomes 4 vectors of 4 numbers, each snapped to one of K = 32 entries, so an
# image is described by 4 symbols out of 32: at most $4 \log 32$ nats. The codebook starts from 32
# encoder outputs of training digits, so that no entry starts where no input will ever reach it.

# %%
# NBVAL_CHECK_OUTPUT
vqvae = VQVAE(n_pixels=64, n_latents=4, code_dim=4, n_codes=32, hidden=256).to(device)
print("codebook:", tuple(vqvae.quantizer.codebook.shape), " codes per image:", vqvae.n_latents)
print(f"{sum(p.numel() for p in vqvae.parameters()):,d} parameters; "
      f"at most {vqvae.n_latents * math.log(32):.2f} nats = {vqvae.n_latents * math.log2(32):.0f} bits per image")


# %%
def vq_loss(model, batch, commitment_weight=0.25):
    """VQ-VAE loss (van den Oord et al. 2017, eq. 3): -log p(x | z_q) + codebook + 0.25 * commitment."""
    logits, z_e, z_q, _ = model(batch)
    codebook, commitment = vq_losses(z_e, z_q)
    return (bernoulli_nll(logits, batch) + codebook + commitment_weight * commitment).mean()


with torch.no_grad():
    vqvae.quantizer.init_from(vqvae.encode(x_train), generator)
start = time.perf_counter()
fit(vqvae, vq_loss, x_train, epochs=40, lr=3e-3, generator=generator, desc="VQ-VAE")
train_seconds["VQ-VAE"] = time.perf_counter() - start

# %% [markdown]
# Reconstructions of the first 16 test digits (VAEs decoded at the encoder's mean), and the numbers:
# reconstruction $-\log p(x \mid z)$ in nats, the share of pixels that come out wrong when the
# decoder's probabilities are thresholded at 0.5, and how much information the code carries (the
# KL for a VAE; the $4 \log 32$ ceiling for the VQ-VAE).

# %%
with torch.no_grad():
    vq_logits, _, _, vq_codes = vqvae(x_test)
    recon_logits = {"VAE (2-D)": vae2.decode(vae2.encode(x_test)[0]), "VAE (8-D)": vae8.decode(vae8.encode(x_test)[0]),
                    "VQ-VAE": vq_logits}
    code_nats = {"VAE (2-D)": kl_to_standard_normal(*vae2.encode(x_test)).mean().item(),
                 "VAE (8-D)": kl_to_standard_normal(*vae8.encode(x_test)).mean().item(),
                 "VQ-VAE": vqvae.n_latents * math.log(32)}
show(torch.cat([x_test[:16].cpu()] + [torch.sigmoid(l[:16]).view(-1, 1, 8, 8).cpu() for l in recon_logits.values()]),
     "test digits; reconstructions by VAE (2-D), VAE (8-D), VQ-VAE", nrow=16)
print(f"{'model':10s} {'recon (nats)':>12s} {'pixel errors':>12s} {'code (nats)':>11s}")
for name, logits in recon_logits.items():
    errors = ((logits > 0).float() != x_test.flatten(1)).float().mean().item()
    print(f"{name:10s} {bernoulli_nll(logits, x_test).mean().item():12.2f} {errors:12.3f} {code_nats[name]:11.2f}")

# %% [markdown]
# **Codebook usage.** A known failure of VQ-VAEs is "dead" codebook entries that no input ever
# chooses. We count the entries the test digits use and the **perplexity** $\exp H(p)$ of their
# frequencies $p$: 32 if all 32 were used equally often, 1 if one entry did all the work.

# %%
n_used, perplexity = codebook_usage(vq_codes, 32)
print(f"codes used by the test digits: {n_used} of 32; perplexity {perplexity:.1f} (32 for uniform use)")
print(check(n_used >= 29, "at most three entries are dead"))
print(check(perplexity < 0.9 * 32, "the digits do not use the entries uniformly"))
plt.figure(figsize=(7, 2.5), dpi=72)
plt.bar(range(32), torch.bincount(vq_codes.flatten().cpu(), minlength=32).numpy())
plt.xlabel("codebook entry")
plt.ylabel("uses (297 digits x 4)")
plt.show()

# %% [markdown]
# **Sampling needs a prior over the codes.** The VQ-VAE is trained with a uniform prior over the
# 32 entries; as $q(z \mid x)$ puts all its mass on one code tuple $c(x)$, its KL term is
# $-\log p(c(x)) = 4 \log 32$, a constant. At most three entries are dead (the count above), but
# the digits do not use the entries uniformly: the bar chart, and a perplexity well below 32. The
# paper fits an autoregressive prior — a PixelCNN over the grid of codes — after training. The
# simplest stand-in: each of the 4 positions gets its own categorical distribution, counted on
# the training digits. A better prior lowers $-\log p(c(x))$ on the test digits, and
# with it the $-$ELBO = reconstruction $- \log p(c(x))$; we also draw 1,000 samples from each.

# %%
with torch.no_grad():
    train_codes = vqvae(x_train)[3].cpu()                                         # (1500, 4)
counts = torch.stack([torch.bincount(train_codes[:, j], minlength=32) for j in range(4)]).float()   # (4, 32)
priors = {"uniform": torch.ones(4, 32), "per-position counts": counts + 0.1}   # + 0.1: no code has probability 0
vq_recon = bernoulli_nll(vq_logits, x_test).mean().item()
code_nlls = {}
for name, weights in priors.items():
    log_prior = (weights / weights.sum(1, keepdim=True)).log()                     # (4, 32)
    code_nlls[name] = -log_prior[torch.arange(4), vq_codes.cpu()].sum(1)          # -log p(c(x)) per test digit
    code_nll = code_nlls[name].mean().item()
    drawn = torch.stack([torch.multinomial(weights[j], 1000, replacement=True, generator=generator)
                         for j in range(4)], 1)                                   # (1000, 4) code indices
    with torch.no_grad():
        images = (torch.sigmoid(vqvae.decode_codes(drawn.to(device))) > 0.5).float().view(-1, 1, 8, 8).cpu()
    show(images[:32], f"VQ-VAE samples, {name} prior over codes")
    row = digit_likeness(images)
    print(f"{name:20s} -log p(codes) {code_nll:5.2f}, -ELBO {vq_recon + code_nll:5.2f} nats | samples: confidence "
          f"{row['confidence']:.3f}, > 0.9 sure {row['sure']:.3f}, classes {row['classes']:.2f}")
prior_gain = compare("per-position counts", code_nlls["per-position counts"], "uniform", code_nlls["uniform"],
                     higher_is_better=False, unit=" nats")
print(f"-log p(codes) and -ELBO on the test digits: {prior_gain}")
print(check(prior_gain.verdict == "better",
            "the per-position prior lowers -log p(c(x)) on the test digits, and the -ELBO with it"))

# %% [markdown]
# The per-position prior lowers $-\log p(c(x))$ on the test digits, and the $-$ELBO with it (the
# reconstruction term is the same for both priors). Set these $-$ELBOs beside section 7's table.
# Independent positions still ignore which codes go together; an autoregressive prior over the
# codes (a PixelCNN in the paper) models that — the combination of notebook 01 and this one.
#
# ## Summary, and the time it took
#
# | | autoregressive (01) | VAE (02) |
# |---|---|---|
# | likelihood | exact, one pass | a bound: ELBO, or IWAE with k samples |
# | sampling | one pass per pixel | one decoder pass |
# | features | none | a code z you can move, blend and inspect |
#
# Training times on this machine:

# %%
for name, seconds in train_seconds.items():
    print(f"{name:22s} {seconds:5.1f} s")

# %% [markdown]
# **Questions to think about**
# 1. The mixture of Gaussians was fit by EM, which computes the posterior $p(z \mid x)$ exactly
#    at every step. Which step of EM becomes impossible when $z$ is continuous and $p(x \mid z)$ a
#    neural network, and what does the VAE's encoder replace it with?
# 2. The score-function estimator needs only values of $f$. Name a case where the
#    reparameterization trick cannot be used at all (hint: section 8's codes).
# 3. In section 6 some code dimensions go silent (KL ≈ 0) as $\beta$ grows. What does the decoder do
#    with a dimension whose posterior equals the prior for every image?
# 4. The ELBO's gap is $D_{KL}(q_\phi(z \mid x) \,\|\, p_\theta(z \mid x))$. Section 7 measured a lower
#    bound on it. What would make it zero, and would you want the encoder to be that flexible?
# 5. A VQ-VAE with one code per image and K = 10 entries: what would you expect its codebook to
#    learn from the digits?
