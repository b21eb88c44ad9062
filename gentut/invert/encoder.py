"""A learned encoder E: image -> w, the "learning-based" way to invert a generator.

A GAN has no inference network (a VAE has one). The simplest fix trains one afterwards, on
pairs the frozen generator makes for free (In-Domain GAN Inversion, Zhu et al. 2020, eq. 1;
pSp / e4e train on real images instead):

    z ~ N(0, I),  w = mapping(z),  x = G.synthesis(w)
    min_E  ||E(x) - w||^2  +  pixel_weight * ||G.synthesis(E(x)) - x||^2

The first (latent) term asks E to find the code; the second asks only that the code *draws*
the image, which matters where different codes draw almost the same picture. One forward pass
inverts a whole batch in milliseconds, but E has only seen the generator's own images: on real
ones it is less exact than optimisation -- notebook 07 measures by how much. The training loop
is `gentut.recipes.train_encoder` (zoo entry `faces_encoder`); the network is
`gentut.models.encoder.LatentEncoder`.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from gentut.interpret.edits import broadcast_ws
from gentut.metrics import psnr

__all__ = ["encode_ws", "evaluate_encoder"]


def encode_ws(E: nn.Module, G: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """E's code for each image, copied to every layer: (B, 3, S, S) -> ws (B, num_ws, w_dim)."""
    return broadcast_ws(G, E(images))


@torch.no_grad()
def evaluate_encoder(E: nn.Module, G: nn.Module, real_images: torch.Tensor, generator: torch.Generator,
                     n_generated: int = 1000) -> dict[str, float]:
    """How well E inverts G: on n_generated fresh samples G(w), the mean squared code error
    ||E(x) - w||^2 and the PSNR (dB) of G(E(x)) against x; on real images (N, 3, S, S), the PSNR
    of their reconstructions G(E(x)) -- lower, because E never saw a real image."""
    device = next(G.parameters()).device
    w = G.mapping(torch.randn(n_generated, G.z_dim, generator=generator).to(device))
    x = G.synthesis(broadcast_ws(G, w))
    w_hat = E(x)
    real_images = real_images.to(device)
    return {"latent_mse": (w_hat - w).pow(2).mean().item(),
            "psnr_generated": psnr(G.synthesis(encode_ws(E, G, x)), x).mean().item(),
            "psnr_real": psnr(G.synthesis(encode_ws(E, G, real_images)), real_images).mean().item()}
