"""SeFa: closed-form factorization of latent semantics (Shen & Zhou, CVPR 2021).

A style generator first turns w into each layer's style with an affine map, s = A w + b. Moving
w along a unit direction n changes the style by A n, whatever w was, so the directions that
change the styles most are found without sampling a single image:

    n* = argmax_{n^T n = 1} ||A n||^2   =>   A^T A n = lambda n

The eigenvectors of A^T A, sorted by eigenvalue (largest first), are the editing directions;
the eigenvalue is how much a unit step along the direction moves the styles (squared).

    sefa = SeFa(layers=range(0, 2)).fit(G)       # coarse layers only; default: every layer
    sefa.directions_      # (w_dim, w_dim) unit rows, best first
    sefa.eigenvalues_     # (w_dim,) descending

As in the authors' code, each style channel's weight row is scaled to unit norm first
(`normalize=True`), so that layers with larger weights do not dominate.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn as nn

__all__ = ["closed_form_directions", "style_weights", "SeFa"]


def closed_form_directions(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigen-decomposition of A^T A for A = weight (n_styles, w_dim).

    Returns (directions (w_dim, w_dim), eigenvalues (w_dim,)): unit rows sorted by descending
    eigenvalue, each row's sign chosen so that its largest-magnitude entry is positive.
    """
    if weight.dim() != 2:
        raise ValueError(f"weight must be a matrix (n_styles, w_dim), got shape {tuple(weight.shape)}")
    weight = weight.detach().double()
    eigenvalues, eigenvectors = torch.linalg.eigh(weight.T @ weight)    # ascending; columns are vectors
    eigenvalues, directions = eigenvalues.flip(0), eigenvectors.flip(1).T  # descending; rows are vectors
    biggest = directions.abs().argmax(1)
    signs = torch.sign(directions[torch.arange(len(directions)), biggest])
    return (directions * signs[:, None]).float(), eigenvalues.clamp_min(0).float()


def style_weights(G: nn.Module, layers: Iterable[int] | None = None, normalize: bool = True) -> torch.Tensor:
    """The affine weights w -> style of the chosen conv layers of a StyleGenerator, stacked.

    layers: indices into G.convs (default: all). Returns A (sum of the layers' channels, w_dim);
    with `normalize`, every row (one style channel) has unit norm.
    """
    layers = range(len(G.convs)) if layers is None else list(layers)
    if not layers or not all(0 <= i < len(G.convs) for i in layers):
        raise ValueError(f"layers must be indices in 0..{len(G.convs) - 1}, got {list(layers)}")
    weight = torch.cat([G.convs[i].affine.weight.detach() for i in layers])
    return weight / weight.norm(dim=1, keepdim=True).clamp_min(1e-12) if normalize else weight


class SeFa:
    """Closed-form directions in W of a StyleGenerator (see the module docstring).

    layers: conv layers whose style weights are factorized (None: all); normalize: unit-norm
    style rows first. After fit: directions_ (w_dim, w_dim) unit rows, best first, on the CPU;
    eigenvalues_ (w_dim,) descending.
    """

    def __init__(self, layers: Iterable[int] | None = None, normalize: bool = True):
        self.layers = None if layers is None else list(layers)
        self.normalize = normalize

    def fit(self, G: nn.Module) -> "SeFa":
        """Factorize G's style weights; no sampling, no images. Returns self."""
        weight = style_weights(G, self.layers, self.normalize).cpu()
        self.directions_, self.eigenvalues_ = closed_form_directions(weight)
        return self
