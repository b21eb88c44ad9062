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
is `gentut.recipes.train_encoder` (zoo entry `faces_encoder`).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from gentut.metrics import psnr

__all__ = ["LatentEncoder", "encode_ws", "evaluate_encoder"]


class LatentEncoder(nn.Module):
    """Images (B, 3, S, S) in [0, 1] -> codes w (B, w_dim).

    Four 3x3 convolutions, three of them with stride 2 (S -> S/8), then a linear head. The head
    predicts the offset from `w_avg` (the generator's mean w, copied in before training), so an
    untrained encoder already answers "the average face".
    """

    def __init__(self, w_dim: int = 64, image_size: int = 32, width: int = 32):
        super().__init__()
        chans = [width, width, 2 * width, 4 * width]
        layers: list[nn.Module] = [nn.Conv2d(3, chans[0], 3, padding=1), nn.LeakyReLU(0.2)]
        for c_in, c_out in zip(chans[:-1], chans[1:]):
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.LeakyReLU(0.2)]
        self.features = nn.Sequential(*layers)
        side = image_size // 8
        self.head = nn.Linear(chans[-1] * side * side, w_dim)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.register_buffer("w_avg", torch.zeros(w_dim))
        self.w_dim, self.image_size = w_dim, image_size

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) -> (B, w_dim)."""
        if images.dim() != 4 or images.shape[1:] != (3, self.image_size, self.image_size):
            raise ValueError(f"images must have shape (B, 3, {self.image_size}, {self.image_size}), "
                             f"got {tuple(images.shape)}; convert user images with gentut.invert.images.to_model_image")
        return self.w_avg + self.head(self.features(2 * images - 1).flatten(1))


def encode_ws(E: nn.Module, G: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """E's code for each image, copied to every layer: (B, 3, S, S) -> ws (B, num_ws, w_dim)."""
    return E(images)[:, None].expand(-1, G.num_ws, -1).clone()


@torch.no_grad()
def evaluate_encoder(E: nn.Module, G: nn.Module, real_images: torch.Tensor, generator: torch.Generator,
                     n_generated: int = 1000) -> dict[str, float]:
    """How well E inverts G: on n_generated fresh samples G(w), the mean squared code error
    ||E(x) - w||^2 and the PSNR (dB) of G(E(x)) against x; on real images (N, 3, S, S), the PSNR
    of their reconstructions G(E(x)) -- lower, because E never saw a real image."""
    device = next(G.parameters()).device
    w = G.mapping(torch.randn(n_generated, G.z_dim, generator=generator).to(device))
    x = G.synthesis(w[:, None].expand(-1, G.num_ws, -1))
    w_hat = E(x)
    real_images = real_images.to(device)
    return {"latent_mse": (w_hat - w).pow(2).mean().item(),
            "psnr_generated": psnr(G.synthesis(encode_ws(E, G, x)), x).mean().item(),
            "psnr_real": psnr(G.synthesis(encode_ws(E, G, real_images)), real_images).mean().item()}
