"""In-domain GAN inversion (Zhu, Shen, Zhao & Zhou, ECCV 2020): the hybrid method.

Plain optimisation finds *a* code that draws the image, often one the generator never produces
for its own samples (out of the latent domain), and edits of such codes misbehave. In-domain
inversion starts from the encoder's answer and keeps the code where the encoder would put it:

    w* = argmin_w  ||G(w) - x||^2 + lambda_F ||F(G(w)) - F(x)||^2 + lambda_dom ||w - E(G(w))||^2

The last term (the domain regulariser, seed slides "Encoder-constrained optimization") is small
only for codes that E -- trained on the generator's own (w, G(w)) pairs -- maps back to
themselves. lambda_dom = 0 leaves "encoder start + optimisation"; larger lambda_dom trades
reconstruction for codes that behave like sampled ones (notebook 07 measures both).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from gentut.checks import check_images
from gentut.invert.encoder import encode_ws
from gentut.invert.optimize import InversionRun, invert

__all__ = ["domain_regularizer", "invert_in_domain", "semantic_diffusion"]


def domain_regularizer(E: nn.Module, ws: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """||ws - E(images)||^2 per image, mean over layers and dimensions: ws (B, num_ws, w_dim),
    images (B, 3, S, S) -> (B,). Zero when E maps the picture back to the code that drew it."""
    if ws.dim() != 3 or len(ws) != len(images):
        raise ValueError(f"ws must be (B, num_ws, w_dim) with one row per image; got {tuple(ws.shape)} "
                         f"for {len(images)} images")
    return (ws - E(images)[:, None]).pow(2).flatten(1).mean(1)


def invert_in_domain(G: nn.Module, E: nn.Module, targets: torch.Tensor, *, domain_weight: float | torch.Tensor = 1.0,
                     space: str = "w", start_images: torch.Tensor | None = None, **invert_args) -> InversionRun:
    """Encoder start + optimisation with the domain regulariser: targets (B, 3, S, S) -> InversionRun.

    domain_weight: lambda_dom, a number or one weight per image (B,) (to sweep lambda in one
    batch). space: "w" or "w+" (the start E(x) is copied to every layer). start_images: what
    the encoder sees for the start (default: the targets; differs when the targets are degraded
    observations). Other keyword arguments go to `invert` (features, feature_weight, degrade,
    steps, lr, ...).
    """
    if space not in ("w", "w+"):
        raise ValueError(f"in-domain inversion works in 'w' or 'w+', not {space!r}")
    check_images(targets, "targets", like=next(G.parameters()))
    if start_images is not None:
        check_images(start_images, "start_images", like=next(G.parameters()))
    weight = torch.as_tensor(domain_weight, dtype=targets.dtype, device=targets.device)
    with torch.no_grad():
        start = encode_ws(E, G, targets if start_images is None else start_images)
    init = start if space == "w+" else start[:, 0]
    return invert(G, targets, space, init=init, desc="in-domain inversion",
                  regularizer=lambda ws, images: weight * domain_regularizer(E, ws, images), **invert_args)


def semantic_diffusion(G: nn.Module, E: nn.Module, pasted: torch.Tensor, mask: torch.Tensor, *,
                       domain_weight: float = 1.0, **invert_args) -> InversionRun:
    """Blend a pasted region into its new surroundings (Zhu et al. 2020, "semantic diffusion"):

        w* = argmin_w ||m * G(w) - m * x||^2 + lambda ||w - E(G(w))||^2,   starting from E(x)

    pasted: images (B, 3, S, S) with a region copied in from elsewhere; mask (1 or B, 1, S, S): 1
    on that region. Only the region is matched; the generator redraws the rest so that it fits,
    and the regulariser keeps the result a face it could have drawn. Returns an InversionRun.
    """
    from gentut.invert.prior import Inpainting
    check_images(pasted, "pasted", like=next(G.parameters()))
    region = Inpainting(mask)
    return invert_in_domain(G, E, region(pasted), domain_weight=domain_weight, start_images=pasted,
                            degrade=region, **invert_args)
