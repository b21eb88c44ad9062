"""The encoder network of notebook 07: images -> codes w of a style generator.

Trained by `gentut.recipes.train_encoder` on pairs the frozen generator makes (zoo entry
`faces_encoder`); gentut.invert.encoder uses it to invert images in one forward pass.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from gentut.checks import check_images

__all__ = ["LatentEncoder"]


class LatentEncoder(nn.Module):
    """Images (B, 3, S, S) in [0, 1] -> codes w (B, w_dim).

    Four 3x3 convolutions, three of them with stride 2 (S -> S/8), then a linear head. The head
    predicts the offset from `w_avg` (the generator's mean w, copied in before training), so an
    untrained encoder already answers "the average face". In eval mode (how the zoo's encoder
    comes) images are checked first: uint8, 0-255 floats or NaN raise a clear error.
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
        if not self.training:
            check_images(images, "images", like=self.head.weight)
        return self.w_avg + self.head(self.features(2 * images - 1).flatten(1))
