"""GANSpace: principal components of the intermediate latent space (Härkönen et al., NeurIPS 2020).

Sample many codes z, map them to w = mapping(z), and run PCA on the w's. The principal axes
are the directions along which the generator's *typical* codes vary most; the paper finds that
the first few control pose, zoom, lighting, colour. Editing applies a component to all layers
(W) or, the paper's trick, only to a range of layers of W+ (early: layout and pose; late:
colour and texture), with `gentut.interpret.edits.edit_ws(ws, direction, strength, layers=...)`.

    _, w = sample_latents(G, 5000, generator)
    pca = GANSpace(n_components=8).fit(w)
    pca.directions_, pca.explained_variance_ratio_, pca.std_     # (8, w_dim), (8,), (8,)

PCA is scikit-learn's (with its deterministic sign convention); `std_` is the standard deviation
of the codes along each direction, the paper's unit of edit strength ("2 sigma").
"""

from __future__ import annotations

import torch
from sklearn.decomposition import PCA

__all__ = ["GANSpace"]


class GANSpace:
    """PCA of sampled codes: unit directions sorted by the variance they explain.

    n_components: how many directions to keep. After fit: directions_ (n_components, d) unit
    rows, mean_ (d,), explained_variance_ratio_ (n_components,), std_ (n_components,), on the CPU.
    """

    def __init__(self, n_components: int = 10):
        self.n_components = n_components

    def fit(self, codes: torch.Tensor) -> "GANSpace":
        """codes (N, d) with N > n_components -> self, fitted."""
        if codes.dim() != 2 or len(codes) <= self.n_components or codes.shape[1] < self.n_components:
            raise ValueError(f"codes must be (N, d) with N > n_components = {self.n_components} and "
                             f"d >= n_components, got shape {tuple(codes.shape)}")
        pca = PCA(n_components=self.n_components, svd_solver="full").fit(codes.detach().cpu().double().numpy())
        self.directions_ = torch.from_numpy(pca.components_).float()
        self.mean_ = torch.from_numpy(pca.mean_).float()
        self.explained_variance_ratio_ = torch.from_numpy(pca.explained_variance_ratio_).float()
        self.std_ = torch.from_numpy(pca.explained_variance_).sqrt().float()
        return self
