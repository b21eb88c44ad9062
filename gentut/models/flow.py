"""A conditional normalising flow on W (StyleFlow in miniature; Abdal et al., 2021).

StyleFlow learns an invertible map between a style generator's codes w and Gaussian noise z,
conditioned on the image's attributes a:  z = f(w; a),  w = f^{-1}(z; a).  To edit, push a code
forward with its own attributes, change one attribute, and pull it back:

    z = f(w; a)      a' = a with "smile" raised      w' = f^{-1}(z; a')

The rest of a and the noise z stay fixed, so the edit keeps what they describe; and because f
is non-linear, the step w' - w differs from code to code (a linear InterFaceGAN direction is the
same step for every code).

The paper uses a continuous normalising flow (an ODE); this kit uses the simpler discrete
RealNVP flow (Dinh et al., 2017): a stack of affine coupling layers. Each keeps half of the
coordinates and scales and shifts the other half by amounts computed from the kept half and
the attributes, which is invertible in closed form and has a triangular Jacobian:

    y_kept = x_kept,   y_other = x_other * exp(s(x_kept, a)) + t(x_kept, a),   log|det| = sum s

    flow = ConditionalFlow(dim=64, cond_dim=8)
    z, log_det = flow(w, a)            # (n, 64), (n,)
    w_back = flow.inverse(z, a)        # equal to w up to float error
    nll = -flow.log_prob(w, a).mean()  # what training minimises
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

__all__ = ["AffineCoupling", "ConditionalFlow"]


class AffineCoupling(nn.Module):
    """One RealNVP coupling: the coordinates where mask == 1 pass unchanged and condition the rest.

    x (n, dim), cond (n, cond_dim) -> y (n, dim), log|det dy/dx| (n,). The last layer starts at
    zero, so a new coupling is the identity.
    """

    def __init__(self, dim: int, cond_dim: int, hidden: int, mask: torch.Tensor):
        super().__init__()
        self.register_buffer("mask", mask.float())
        self.net = nn.Sequential(nn.Linear(dim + cond_dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, 2 * dim))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def scale_shift(self, kept: torch.Tensor, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log-scale s and shift t (n, dim) for the changed coordinates (0 on the kept ones)."""
        s, t = self.net(torch.cat([kept, cond], 1)).chunk(2, dim=1)
        free = 1 - self.mask
        return torch.tanh(s) * free, t * free             # tanh bounds each scale to [1/e, e]: stable training

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s, t = self.scale_shift(x * self.mask, cond)
        return x * torch.exp(s) + t, s.sum(1)

    def inverse(self, y: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """y (n, dim) -> x (n, dim): the kept coordinates are the same in x and y, so s and t are too."""
        s, t = self.scale_shift(y * self.mask, cond)
        return (y - t) * torch.exp(-s)


class ConditionalFlow(nn.Module):
    """w (n, dim) <-> z (n, dim) given attributes (n, cond_dim): standardise w, then n_layers couplings.

    The couplings take turns keeping the even and the odd coordinates, then the first and the
    second half, so every coordinate is changed by some layer and conditions others. w_mean and
    w_std (buffers) standardise the codes; the training recipe sets them from the data.
    """

    def __init__(self, dim: int = 64, cond_dim: int = 8, n_layers: int = 8, hidden: int = 128):
        super().__init__()
        index = torch.arange(dim)
        masks = [index % 2 == 0, index % 2 == 1, index < dim // 2, index >= dim // 2]
        self.layers = nn.ModuleList(AffineCoupling(dim, cond_dim, hidden, masks[i % 4]) for i in range(n_layers))
        self.dim, self.cond_dim = dim, cond_dim
        self.register_buffer("w_mean", torch.zeros(dim))
        self.register_buffer("w_std", torch.ones(dim))

    def check(self, codes: torch.Tensor, cond: torch.Tensor) -> None:
        """Raise a ValueError unless codes (n, dim) and cond (n, cond_dim) fit this flow."""
        if codes.dim() != 2 or codes.shape[1] != self.dim or cond.shape != (len(codes), self.cond_dim):
            raise ValueError(f"the flow takes codes (n, {self.dim}) and attributes (n, {self.cond_dim}), got "
                             f"{tuple(codes.shape)} and {tuple(cond.shape)}")

    def forward(self, w: torch.Tensor, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """w (n, dim), cond (n, cond_dim) -> z (n, dim), log|det dz/dw| (n,)."""
        self.check(w, cond)
        x = (w - self.w_mean) / self.w_std
        log_det = -self.w_std.log().sum().expand(len(w))
        for layer in self.layers:
            x, layer_log_det = layer(x, cond)
            log_det = log_det + layer_log_det
        return x, log_det

    def inverse(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """z (n, dim), cond (n, cond_dim) -> w (n, dim)."""
        self.check(z, cond)
        for layer in reversed(self.layers):
            z = layer.inverse(z, cond)
        return z * self.w_std + self.w_mean

    def log_prob(self, w: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """log p(w | cond) in nats, (n,): a standard normal on z plus the change of volume."""
        z, log_det = self(w, cond)
        return -0.5 * (z.pow(2).sum(1) + self.dim * math.log(2 * math.pi)) + log_det
