"""InterFaceGAN (Shen et al. 2020): a linear boundary in latent space per attribute.

Sample codes, let the attribute predictor score their images, keep the clearest cases (the
`ratio` highest- and lowest-scoring codes), and fit a linear SVM that separates them. Its unit
normal n is the editing direction: w + alpha n raises the attribute for alpha > 0.

    boundary = LinearBoundary(ratio=0.2).fit(w, scores[:, smile])     # w (N, d), scores (N,)
    boundary.normal_, boundary.val_accuracy_, boundary.remaining_accuracy_
    n_age_only = project_out(n_age, n_eyeglasses)                       # conditional manipulation

The paper sorts 500k samples and keeps the top and bottom 10k (2 %), fits on 70 % of them and
reports accuracy on the other 30 % (validation) and on the unused middle samples (remaining).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.svm import LinearSVC

__all__ = ["LinearBoundary", "project_out", "cosine_matrix"]


class LinearBoundary:
    """A linear SVM boundary between the top and bottom `ratio` of codes sorted by score.

    ratio: share of the codes kept at each end (top ratio -> label 1, bottom ratio -> label 0);
    val_fraction: share of the kept codes held out for val_accuracy_; C: the SVM's regularisation.
    After fit: normal_ (d,) unit torch vector towards higher scores, offset_ (float, the distance of
    the boundary from the origin along normal_), val_accuracy_, remaining_accuracy_ (the middle
    codes, labelled by score > median).
    """

    def __init__(self, ratio: float = 0.02, val_fraction: float = 0.3, C: float = 1.0, seed: int = 0):
        if not 0 < ratio <= 0.5:
            raise ValueError(f"ratio must be in (0, 0.5], got {ratio}")
        self.ratio, self.val_fraction, self.C, self.seed = ratio, val_fraction, C, seed

    def fit(self, codes: torch.Tensor, scores: torch.Tensor) -> "LinearBoundary":
        """codes (N, d), scores (N,) -> self, fitted."""
        x, s = codes.detach().cpu().double().numpy(), scores.detach().cpu().double().numpy()
        order = np.argsort(s, kind="stable")
        k = max(int(round(self.ratio * len(s))), 2)
        chosen = np.concatenate([order[-k:], order[:k]])
        labels = np.concatenate([np.ones(k), np.zeros(k)])
        shuffle = np.random.default_rng(self.seed).permutation(len(chosen))
        n_val = int(round(self.val_fraction * len(chosen)))
        val, train = shuffle[:n_val], shuffle[n_val:]
        svm = LinearSVC(C=self.C, max_iter=20000).fit(x[chosen[train]], labels[train])
        norm = np.linalg.norm(svm.coef_[0])
        self.normal_ = torch.from_numpy(svm.coef_[0] / norm).float()
        self.offset_ = float(-svm.intercept_[0] / norm)
        self.val_accuracy_ = float((svm.predict(x[chosen[val]]) == labels[val]).mean()) if n_val else float("nan")
        middle = order[k:-k]
        if len(middle):
            truth = s[middle] > np.median(s)
            self.remaining_accuracy_ = float(((self.decision_function(codes[middle]) > 0).numpy() == truth).mean())
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
