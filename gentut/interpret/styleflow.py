"""StyleFlow in miniature: attribute-conditioned, non-linear edits through a flow on W.

The flow (gentut/models/flow.py) maps a code w to noise z given the attributes a that the
predictor reads from G(w). An edit changes a and keeps z (Abdal et al. 2021, sec. 4):

    z = f(w; a);   a'[j] = a[j] + delta;   w' = f^{-1}(z; a')

    codes = flow_training_codes(G, predictor, 20000, generator)    # w (n, 64), attributes (n, 8)
    train_flow(flow, codes, steps=3000, generator=generator)       # maximum likelihood of w given a
    w_edit = flow_edit(flow, w, attributes, factor=0, delta=0.4)    # raise smile by 0.4 in a

Deviations from the paper: a discrete RealNVP flow instead of a continuous normalising flow
(simpler, exact inverse, no ODE solver); the attributes are the kit's predictor's 8 readings
(the paper: a face API's attributes and lighting); the edit moves a single attribute by `delta`
(clamped to [0, 1]) and keeps the others where the predictor read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from gentut.interpret.rescoring import score_samples
from gentut.recipes import random_batch, run_steps

__all__ = ["FlowCodes", "flow_training_codes", "train_flow", "evaluate_flow", "flow_edit"]


@dataclass
class FlowCodes:
    """Codes of a style generator and their attributes: w (n, w_dim), attributes (n, n_factors) in [0, 1]."""

    w: torch.Tensor
    attributes: torch.Tensor


@torch.no_grad()
def flow_training_codes(G: nn.Module, predictor: nn.Module, n: int, generator: torch.Generator) -> FlowCodes:
    """n fresh codes of G with the predictor's reading of their images (the flow's data)."""
    samples = score_samples(G, predictor, n, generator)
    return FlowCodes(samples.w, samples.scores.to(samples.w.device))


def train_flow(flow: nn.Module, codes: FlowCodes, *, steps: int, batch_size: int = 256, lr: float = 1e-3,
               generator: torch.Generator, **run_args) -> list[dict[str, float]]:
    """Fit the flow by maximum likelihood of the codes given their attributes (Adam, cosine decay).

    Sets flow.w_mean / w_std from the codes first. run_args go to gentut.recipes.run_steps
    (progress bar, resumable state). Returns the history: {"nll": nats per dimension} per step.
    """
    flow.w_mean.copy_(codes.w.mean(0))
    flow.w_std.copy_(codes.w.std(0))
    optimizer = torch.optim.Adam(flow.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)

    def step_fn(step):
        batch = random_batch(len(codes.w), batch_size, generator, codes.w.device)
        nll = -flow.log_prob(codes.w[batch], codes.attributes[batch]).mean() / flow.dim
        optimizer.zero_grad()
        nll.backward()
        optimizer.step()
        schedule.step()
        return {"nll": nll.item()}

    return run_steps(step_fn, steps=steps, modules={"flow": flow}, optimizers={"flow": optimizer},
                     schedulers={"flow": schedule}, generator=generator, **run_args)


@torch.no_grad()
def evaluate_flow(flow: nn.Module, codes: FlowCodes) -> dict[str, float]:
    """Held-out fit of the flow: NLL in nats per dimension, and the largest |f^-1(f(w)) - w| (should be ~1e-5)."""
    z, _ = flow(codes.w, codes.attributes)
    round_trip = (flow.inverse(z, codes.attributes) - codes.w).abs().max().item()
    nll = (-flow.log_prob(codes.w, codes.attributes).mean() / flow.dim).item()
    return {"nll_per_dim": nll, "round_trip_error": round_trip}


@torch.no_grad()
def flow_edit(flow: nn.Module, w: torch.Tensor, attributes: torch.Tensor, factor: int,
              delta: float | torch.Tensor) -> torch.Tensor:
    """StyleFlow's edit: codes w (n, w_dim) with attributes (n, n_factors) -> edited codes (n, w_dim).

    Attribute `factor` becomes attributes[:, factor] + delta (clamped to [0, 1]); the noise z
    and every other attribute stay as they were.
    """
    z, _ = flow(w, attributes)
    target = attributes.clone()
    target[:, factor] = (target[:, factor] + delta).clamp(0.0, 1.0)
    return flow.inverse(z, target)

