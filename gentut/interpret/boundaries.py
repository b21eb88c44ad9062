"""InterFaceGAN (Shen et al. 2020): a linear boundary in latent space per attribute.

Sample codes, let the attribute predictor score their images, keep the clearest cases (the
`ratio` highest- and lowest-scoring codes), and fit a linear SVM that separates them. Its unit
normal n is the editing direction: w + alpha n raises the attribute for alpha > 0.

    boundary = LinearBoundary(ratio=0.1).fit(w, scores[:, smile])      # w (N, d), scores (N,)
    boundary.normal_, boundary.val_accuracy_, boundary.remaining_accuracy_
    n_age_only = project_out(n_age, n_eyeglasses)                       # conditional manipulation
    r2, errors = linear_probe(w, scores)                                # how linear each factor is in W

The protocol is the authors' (`train_boundary` in genforce/interfacegan, utils/manipulator.py):
sort by score, keep the top and bottom `ratio` of the codes (the paper: 10k each of 500k,
ratio 0.02), split *each* of the two groups 70/30 into training and validation codes, fit
scikit-learn's `SVC(kernel="linear")` (C = 1), and report accuracy on the validation codes and on
the unused middle ("remaining") codes, which are labelled positive when their score is above the
mid-range (max + min) / 2. The boundary is the SVM's coef_ scaled to unit length.

Why `SVC` and not the faster `LinearSVC`: LinearSVC (liblinear) penalises the intercept like a
weight, so when the codes sit far from the origin (W codes of the kit's generators have a mean
norm of about 5) the fitted normal tilts to make a small intercept possible. SVC leaves the
intercept unpenalised, as the authors' code does. The only deviation from the authors' code: the
shuffles use a seeded generator instead of NumPy's global one, so a fit is repeatable.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import Ridge
from sklearn.svm import SVC

__all__ = ["LinearBoundary", "project_out", "cosine_matrix", "linear_probe"]


class LinearBoundary:
    """A linear SVM boundary between the top and bottom `ratio` of codes sorted by score.

    ratio: share of the codes kept at each end (top -> label 1, bottom -> label 0);
    val_fraction: share of each end held out for val_accuracy_; C: the SVM's regularisation;
    seed: the shuffles that split each end into training and validation codes.
    After fit: normal_ (d,) unit torch vector towards higher scores; offset_ (float, the distance
    of the boundary from the origin along normal_); val_accuracy_ and val_correct_ (one bool per
    validation code, in a fixed order: the same codes for any codes fitted on the same scores);
    remaining_accuracy_ (the middle
    codes, labelled by score above the mid-range of all scores, as in the authors' code).
    """

    def __init__(self, ratio: float = 0.02, val_fraction: float = 0.3, C: float = 1.0, seed: int = 0):
        if not 0 < ratio <= 0.5:
            raise ValueError(f"ratio must be in (0, 0.5], got {ratio}")
        if not 0 <= val_fraction < 1:
            raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
        self.ratio, self.val_fraction, self.C, self.seed = ratio, val_fraction, C, seed

    def split(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Indices into scores (N,): (train, train labels, val, val labels, middle), the authors' split."""
        order = np.argsort(scores, kind="stable")
        k = max(int(self.ratio * len(scores)), 2)
        n_train = int(k * (1 - self.val_fraction))                     # the authors' int(k * 0.7)
        rng = np.random.default_rng(self.seed)
        top, bottom = rng.permutation(order[-k:]), rng.permutation(order[:k])
        train = np.concatenate([top[:n_train], bottom[:n_train]])
        val = np.concatenate([top[n_train:], bottom[n_train:]])
        labels = lambda n: np.concatenate([np.ones(n), np.zeros(n)])           # noqa: E731
        return train, labels(n_train), val, labels(k - n_train), order[k:-k]

    def fit(self, codes: torch.Tensor, scores: torch.Tensor) -> "LinearBoundary":
        """codes (N, d), scores (N,) -> self, fitted."""
        x, s = codes.detach().cpu().double().numpy(), scores.detach().cpu().double().numpy()
        train, train_labels, val, val_labels, middle = self.split(s)
        svm = SVC(kernel="linear", C=self.C).fit(x[train], train_labels)
        norm = np.linalg.norm(svm.coef_[0])
        self.normal_ = torch.from_numpy(svm.coef_[0] / norm).float()
        self.offset_ = float(-svm.intercept_[0] / norm)
        self.val_correct_ = (svm.predict(x[val]) == val_labels if len(val)    # (n_val,) bool, for intervals
                             else np.zeros(0, dtype=bool))
        self.val_accuracy_ = float(self.val_correct_.mean()) if len(val) else float("nan")
        if len(middle):
            truth = s[middle] >= (s.max() + s.min()) / 2
            self.remaining_accuracy_ = float((svm.predict(x[middle]) == truth).mean())
        else:
            self.remaining_accuracy_ = float("nan")
        return self

    def decision_function(self, codes: torch.Tensor) -> torch.Tensor:
        """Signed distance of codes (N, d) from the boundary along normal_: (N,)."""
        return codes.detach().cpu().float() @ self.normal_ - self.offset_


def project_out(primal: torch.Tensor, *conditions: torch.Tensor) -> torch.Tensor:
    """The unit vector along `primal` (d,) with every condition direction (d,) removed.

    InterFaceGAN's conditional manipulation: moving along the result changes the primal
    attribute while leaving the codes' positions relative to the condition boundaries unchanged.
    """
    basis = torch.linalg.qr(torch.stack(conditions, 1)).Q                  # orthonormal (d, c)
    direction = primal - basis @ (basis.T @ primal)
    norm = direction.norm()
    if norm < 1e-6 * primal.norm():
        raise ValueError("the primal direction lies in the span of the conditions: nothing is left")
    return direction / norm


def cosine_matrix(directions: torch.Tensor) -> torch.Tensor:
    """Pairwise cosine similarity of directions (k, d): (k, k)."""
    unit = directions / directions.norm(dim=1, keepdim=True)
    return unit @ unit.T


def linear_probe(codes: torch.Tensor, scores: torch.Tensor, train_fraction: float = 0.75,
                 alpha: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """How linearly a code space holds each factor: a ridge regression codes -> scores.

    codes (N, d), scores (N, n_factors). The regression is fitted on the first `train_fraction` of
    the codes and tested on the rest. Returns (r2 (n_factors,): the share of each factor's held-out
    variance the probe explains, 1 = perfectly linear; errors (n_test, n_factors): each held-out
    code's squared error divided by that factor's held-out variance, for paired comparisons of two
    spaces on the same codes).
    """
    x, y = codes.detach().cpu().double().numpy(), scores.detach().cpu().double().numpy()
    n_train = int(len(x) * train_fraction)
    if not 0 < n_train < len(x):
        raise ValueError(f"train_fraction {train_fraction} leaves no training or no test codes out of {len(x)}")
    predicted = Ridge(alpha=alpha).fit(x[:n_train], y[:n_train]).predict(x[n_train:])
    errors = (predicted - y[n_train:]) ** 2 / y[n_train:].var(0)
    return 1 - errors.mean(0), errors
