"""GANalyze (Goetschalckx, Andonian, Oliva and Isola 2019): learn the direction that raises a score.

Give GANalyze any differentiable "assessor" A (the paper used a memorability predictor) and it
learns one direction theta in the generator's latent space such that moving a code by alpha theta
raises the assessor's score by alpha:

    L(theta) = E_{w, alpha} [ ( A(G(w + alpha theta)) - (A(G(w)) + alpha) )^2 ],   alpha ~ U(-a, a)

Then look at what the direction changes: GANalyze's point is that the learnt edit shows what the
assessor responds to (for memorability: bigger, more centred, brighter objects). The kit's faces
have known factors, so what it changes can be measured rather than described.

    theta, losses = fit_ganalyze(G, assessor, generator=torch.Generator().manual_seed(0))
    assessor = factor_mix(predictor, {"smile": 0.5, "hair_length": 0.5}, names)   # a stand-in score

Deviations from the authors' code (github.com/LoreGoetschalckx/GANalyze): the direction lives in
W of a style generator instead of BigGAN's z (the kit's edits all live in W); alpha is drawn per
code rather than once per batch; Adam instead of their plain optimiser settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn as nn
from gentut.progress import tqdm

from gentut.interpret.edits import broadcast_ws, sample_latents

__all__ = ["factor_mix", "fit_ganalyze", "score_shift"]


def factor_mix(predictor: nn.Module, weights: dict[str, float], factor_names: Sequence[str]) -> Callable:
    """A differentiable assessor: images (n, 3, S, S) -> (n,) = sum of weight * predicted factor.

    weights: factor name -> weight; factor_names: the predictor's outputs, in order.
    """
    unknown = set(weights) - set(factor_names)
    if unknown:
        raise ValueError(f"unknown factors {sorted(unknown)}; the predictor reads {list(factor_names)}")
    mix = torch.zeros(len(factor_names))
    for name, weight in weights.items():
        mix[list(factor_names).index(name)] = weight

    def assessor(images: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(predictor(images)) @ mix.to(images.device)
    return assessor


def fit_ganalyze(G: nn.Module, assessor: Callable[[torch.Tensor], torch.Tensor], *, steps: int = 300,
                 batch_size: int = 32, alpha_range: float = 0.3, lr: float = 0.02,
                 generator: torch.Generator | None = None, progress: bool = True) -> tuple[torch.Tensor, list[float]]:
    """Learn GANalyze's direction theta (w_dim,) in W for `assessor` (images (n, 3, S, S) -> (n,)).

    Every step draws batch_size codes and one alpha ~ U(-alpha_range, alpha_range) per code and
    takes an Adam step on the loss in the module docstring; G and the assessor stay frozen.
    Returns theta (on the CPU) and the loss of every step.
    """
    generator = generator or torch.Generator().manual_seed(0)
    device = next(G.parameters()).device
    theta = (0.01 * torch.randn(G.w_dim, generator=generator)).to(device).requires_grad_(True)
    optimiser = torch.optim.Adam([theta], lr=lr)
    frozen = [p for p in G.parameters() if p.requires_grad]
    for p in frozen:
        p.requires_grad_(False)
    losses = []
    try:
        with torch.enable_grad():
            for _ in tqdm(range(steps), desc="GANalyze", disable=not progress):
                _, w = sample_latents(G, batch_size, generator)
                alpha = ((torch.rand(batch_size, generator=generator) * 2 - 1) * alpha_range).to(device)
                with torch.no_grad():
                    target = assessor(G.synthesis(broadcast_ws(G, w))) + alpha
                moved = assessor(G.synthesis(broadcast_ws(G, w + alpha[:, None] * theta)))
                loss = (moved - target).pow(2).mean()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                losses.append(loss.item())
    finally:
        for p in frozen:
            p.requires_grad_(True)
    return theta.detach().cpu(), losses


@torch.no_grad()
def score_shift(G: nn.Module, assessor: Callable[[torch.Tensor], torch.Tensor], w: torch.Tensor,
                theta: torch.Tensor, alphas: Sequence[float]) -> torch.Tensor:
    """The assessor's change when codes w (n, w_dim) move by alpha * theta: (len(alphas), n).

    GANalyze's own test: on held-out codes the change should track alpha (slope near 1).
    """
    theta = theta.to(w.device)
    before = assessor(G.synthesis(broadcast_ws(G, w)))
    return torch.stack([assessor(G.synthesis(broadcast_ws(G, w + a * theta))) - before for a in alphas])
