"""Supervised directions end to end: InterFaceGAN (Shen et al. 2020) and HiGAN (Yang et al. 2021).

The recipe of both papers, one function per step:

    samples = score_samples(G, predictor, 4000, generator)        # 1. sample codes, 2. pseudo-label
    boundaries = fit_boundaries(samples.w, samples.scores, names)  # 3. one linear SVM per attribute
    steps = std_steps(stack_normals(boundaries), samples.w)        # unit = one std of the codes
    effects = direction_effects(G, predictor, samples.w, steps, 2.0)   # 4. re-scoring (k, n_factors)
    keep = reliable(effects, targets, min_effect=0.1)              #    counterfactual verification
    table = layer_range_effects(G, predictor, w, steps, 1.0, layer_ranges(G.num_ws))  # HiGAN hierarchy
    own = own_effects(table)                                       # (k, 3): own factor per layer range
    side = conditional_side_effect(G, predictor, w, n_age, n_glasses, 2.0, AGE, GLASSES)

or, for steps 1-3 at once (notebooks 06 and 07 use this):

    boundaries = fit_attribute_boundaries(G, predictor, names, n=4000, generator=generator)

Step 4 is HiGAN's "re-scoring": a boundary is only a correlation until pushing codes along its
normal is seen to change the attribute it was fitted for (and that attribute most).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn as nn

from gentut.interpret.boundaries import LinearBoundary, project_out
from gentut.interpret.edits import broadcast_ws, direction_effects, edit_ws, render_ws, sample_latents

__all__ = ["ScoredSamples", "score_samples", "fit_boundaries", "fit_attribute_boundaries", "stack_normals", "std_steps",
           "z_direction_changes", "z_direction_effects", "own_effects", "largest_side_effects", "reliable",
           "layer_ranges", "layer_range_changes", "layer_range_effects", "SideEffect", "conditional_side_effect",
           "side_effect_projected", "invented_ties", "tie_penalty"]


@dataclass
class ScoredSamples:
    """Random codes and what the predictor reads from their images.

    z (N, z_dim), w (N, w_dim) on G's device; scores (N, n_factors) in [0, 1] on the CPU.
    """

    z: torch.Tensor
    w: torch.Tensor
    scores: torch.Tensor


@torch.no_grad()
def score_samples(G: nn.Module, predictor: nn.Module, n: int, generator: torch.Generator,
                  batch_size: int = 500) -> ScoredSamples:
    """Sample n codes of a style generator and pseudo-label their images with `predictor.predict`.

    Rendering and scoring run in batches of `batch_size` so memory stays small.
    """
    z, w = sample_latents(G, n, generator)
    scores = predictor.predict(render_ws(G, broadcast_ws(G, w), batch_size))
    return ScoredSamples(z, w, scores.cpu())


def fit_boundaries(codes: torch.Tensor, scores: torch.Tensor, factor_names: Sequence[str],
                   ratio: float = 0.1, val_fraction: float = 0.3) -> dict[str, LinearBoundary]:
    """One LinearBoundary per column of scores: codes (N, d), scores (N, len(factor_names)).

    Returns name -> boundary fitted on the top and bottom `ratio` of the codes by that score.
    """
    if scores.dim() != 2 or scores.shape != (len(codes), len(factor_names)):
        raise ValueError(f"scores must have shape (N, n_factors) = ({len(codes)}, {len(factor_names)}) "
                         f"to match codes and factor_names, got {tuple(scores.shape)}")
    return {name: LinearBoundary(ratio=ratio, val_fraction=val_fraction).fit(codes, scores[:, j])
            for j, name in enumerate(factor_names)}


def fit_attribute_boundaries(G: nn.Module, predictor: nn.Module, factor_names: Sequence[str], n: int = 4000,
                             ratio: float = 0.1, space: str = "w",
                             generator: torch.Generator | None = None) -> dict[str, LinearBoundary]:
    """InterFaceGAN boundaries of a style generator for every factor the predictor reads.

    G: a StyleGenerator; predictor: its AttributePredictor; factor_names: the names of the
    predictor's outputs in order (e.g. `[f.name for f in FACE_FACTORS]`); n: codes sampled;
    ratio: share kept at each end (the paper: 10k of 500k each = 0.02; with a few thousand
    samples 0.1 keeps enough to fit); space: "w" (normals in W, for `edit_ws`) or "z";
    generator: CPU torch.Generator (default: seeded with 0).
    Returns name -> fitted LinearBoundary (normal_ (d,) unit vector, val_accuracy_, remaining_accuracy_).
    """
    if space not in ("w", "z"):
        raise ValueError(f"space must be 'w' or 'z', got {space!r}")
    generator = torch.Generator().manual_seed(0) if generator is None else generator
    samples = score_samples(G, predictor, n, generator)
    return fit_boundaries(getattr(samples, space), samples.scores, factor_names, ratio=ratio)


def stack_normals(boundaries: dict[str, LinearBoundary]) -> torch.Tensor:
    """The boundaries' unit normals as rows, in the dict's order: (k, d)."""
    return torch.stack([b.normal_ for b in boundaries.values()])


def std_steps(directions: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
    """directions (k, d) rescaled so that a step of 1 moves a code by one standard deviation of
    `codes` (N, d) along each direction: (k, d). Makes strengths comparable across attributes and
    between Z (where that deviation is about 1) and W (where it differs per direction)."""
    unit = directions / directions.norm(dim=1, keepdim=True)
    spread = (codes.to(unit) @ unit.T).std(0)                                  # (k,)
    return unit * spread[:, None]


@torch.no_grad()
def z_direction_changes(G: nn.Module, predictor: nn.Module, z: torch.Tensor, directions: torch.Tensor,
                        strength: float) -> torch.Tensor:
    """`direction_changes` for edits in Z: (k, n, n_factors), entry [i, c, j] the change of factor j
    when code z[c] (z (n, z_dim)) moves to z[c] + strength * directions[i] (directions (k, z_dim))."""
    before = predictor.predict(G(z))
    return torch.stack([predictor.predict(G(z + strength * d.to(z))) - before for d in directions]).cpu()


def z_direction_effects(G: nn.Module, predictor: nn.Module, z: torch.Tensor, directions: torch.Tensor,
                        strength: float) -> torch.Tensor:
    """`direction_effects` for edits in Z: (k, n_factors), entry [i, j] the mean change of factor j
    when codes z (n, z_dim) move to z + strength * directions[i] (directions (k, z_dim))."""
    return z_direction_changes(G, predictor, z, directions, strength).mean(1)


def own_effects(effects: torch.Tensor, targets: Sequence[int] | None = None) -> torch.Tensor:
    """The change of each direction's own factor: effects (k, ..., n_factors) -> (k, ...).

    targets (k,): the factor each direction was fitted for (default: direction i -> factor i).
    Works on re-scoring matrices (k, n_factors) and on `layer_range_effects` (k, n_ranges, n_factors).
    """
    targets = torch.arange(len(effects)) if targets is None else torch.as_tensor(targets)
    return effects[torch.arange(len(effects)), ..., targets]


def largest_side_effects(effects: torch.Tensor, targets: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """For each row of effects (k, n_factors): the factor other than its target that moves most,
    and that signed change. Returns (indices (k,), changes (k,))."""
    targets = torch.as_tensor(targets)
    if effects.dim() != 2 or targets.shape != (len(effects),):
        raise ValueError(f"effects must be (k, n_factors) with one target per row, got {tuple(effects.shape)} "
                         f"and {tuple(targets.shape)} targets")
    others = effects.clone()
    others[torch.arange(len(effects)), targets] = 0
    index = others.abs().argmax(1)
    return index, others[torch.arange(len(effects)), index]


def side_effect_projected(steps: torch.Tensor, normals: torch.Tensor, effects: torch.Tensor) -> torch.Tensor:
    """Each edit with the boundary normal of its own largest side effect projected out.

    steps (k, d): edit i's step, fitted for factor i; normals (k, d): the unit boundary normals of
    the same k factors; effects (k, k): re-scoring's mean changes, entry [i, j] the change of
    factor j along step i. Returns (k, d): step i made orthogonal to the normal of the factor it
    moves most besides its own (InterFaceGAN's conditional manipulation, `project_out`), rescaled
    to the length of step i.
    """
    if not (steps.shape == normals.shape and effects.shape == (len(steps), len(steps))):
        raise ValueError(f"need steps and normals (k, d) and effects (k, k), got {tuple(steps.shape)}, "
                         f"{tuple(normals.shape)} and {tuple(effects.shape)}")
    side, _ = largest_side_effects(effects.to(steps.device), range(len(steps)))
    return torch.stack([project_out(step, normals[j]) * step.norm() for step, j in zip(steps, side.tolist())])


def invented_ties(generated: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """How much more (or less) each pair of factors correlates among generated images than real ones.

    generated (N, K), real (M, K): readings of the same K factors (e.g. `predictor.predict`).
    Returns (K, K): entry [i, j] for i < j the generated correlation minus the real one, 0 on and
    below the diagonal. A large entry is a tie the generator invented (or dropped), which a
    boundary fitted on its samples can inherit as a side effect.
    """
    return (torch.corrcoef(generated.T) - torch.corrcoef(real.T)).triu(1)


def tie_penalty(generated: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """The invented ties as a loss: the sum over pairs i < j of the squared `invented_ties` gap.

    generated (N, K): readings with gradients (e.g. sigmoid of a frozen predictor's logits on a
    generator's images); real (M, K): the same predictor's readings of real images. Returns a
    scalar, 0 when the generated readings correlate pair by pair as the real ones do.
    `gentut.recipes.train_gan(tie_weight=...)` adds it to the generator's loss.
    """
    gap = invented_ties(generated, real)
    upper = torch.ones_like(gap, dtype=torch.bool).triu(1)
    return gap[upper].pow(2).sum()


def reliable(effects: torch.Tensor, targets: Sequence[int], min_effect: float = 0.1,
             margin: float = 1.0) -> torch.Tensor:
    """Counterfactual verification: which directions really control their attribute.

    effects (k, n_factors) from re-scoring; targets (k,): the factor each direction was fitted for.
    Direction i passes when its target rises by at least `min_effect` and by at least `margin`
    times the largest change of any other factor (margin 1: nothing else moves more; the kit's
    notebooks ask for 2). Returns a bool tensor (k,).
    """
    _, side = largest_side_effects(effects, targets)
    own = own_effects(effects, torch.as_tensor(targets))
    return (own >= min_effect) & (own >= margin * side.abs())


def layer_ranges(num_ws: int) -> dict[str, range]:
    """Split the layers 0 .. num_ws-1 into early / middle / late thirds, the ranges HiGAN compares.

    For the kit's 32x32 generators (num_ws = 7): early 0-2 (4x4, 8x8), middle 3-4 (16x16),
    late 5-6 (32x32).
    """
    if num_ws < 3:
        raise ValueError(f"need at least 3 layers to split into early / middle / late, got {num_ws}")
    size, extra = divmod(num_ws, 3)
    sizes = [size + (i < extra) for i in range(3)]                     # 7 -> 3, 2, 2
    starts = [sum(sizes[:i]) for i in range(3)]
    return {f"{label} {a}-{a + s - 1}": range(a, a + s) for label, a, s in zip(("early", "middle", "late"), starts, sizes)}


@torch.no_grad()
def layer_range_changes(G: nn.Module, predictor: nn.Module, w: torch.Tensor, directions: torch.Tensor,
                        strength: float, ranges: dict[str, Sequence[int]]) -> torch.Tensor:
    """HiGAN's layer-wise edit, code by code: apply each direction to one layer range of W+ at a time.

    w: codes (n, w_dim); directions: (k, w_dim); ranges: name -> layer indices (see `layer_ranges`).
    Returns (k, len(ranges), n, n_factors) on the CPU: entry [i, r, c, j] is the change of factor j
    of code c when it moves `strength` along direction i on the layers of range r only.
    """
    ws = broadcast_ws(G, w)
    before = predictor.predict(render_ws(G, ws))                                  # (n, n_factors)
    after = [predictor.predict(render_ws(G, edit_ws(ws, direction, strength, layers)))
             for direction in directions for layers in ranges.values()]           # k * n_ranges of (n, n_factors)
    return (torch.stack(after) - before).view(len(directions), len(ranges), len(w), -1).cpu()


def layer_range_effects(G: nn.Module, predictor: nn.Module, w: torch.Tensor, directions: torch.Tensor,
                        strength: float, ranges: dict[str, Sequence[int]]) -> torch.Tensor:
    """`layer_range_changes` averaged over the codes: (k, len(ranges), n_factors), entry [i, r, j] the
    mean change of factor j when the codes move `strength` along direction i on range r only."""
    return layer_range_changes(G, predictor, w, directions, strength, ranges).mean(2)


@dataclass
class SideEffect:
    """How much a conditional edit (primal with the condition projected out) reduces a side effect.

    primal_*: mean change of the primal factor; side_*: of the condition factor; before = along the
    plain primal normal, after = along the projected one; reduction = 1 - |side_after| / |side_before|;
    side_per_primal_*: side change per unit of primal change (the fair comparison when the
    projected direction also moves the primal factor less).
    """

    primal_before: float
    side_before: float
    primal_after: float
    side_after: float

    @property
    def reduction(self) -> float:
        """1 - |side_after| / |side_before|: 1 = side effect gone, 0 = unchanged, < 0 = larger."""
        return 1 - abs(self.side_after) / max(abs(self.side_before), 1e-12)

    @property
    def side_per_primal_before(self) -> float:
        """Side change per unit of primal change, plain normal."""
        return self.side_before / max(abs(self.primal_before), 1e-12)

    @property
    def side_per_primal_after(self) -> float:
        """Side change per unit of primal change, projected normal."""
        return self.side_after / max(abs(self.primal_after), 1e-12)


def conditional_side_effect(G: nn.Module, predictor: nn.Module, codes: torch.Tensor, primal: torch.Tensor,
                            condition: torch.Tensor, strength: float, primal_factor: int, condition_factor: int,
                            space: str = "w") -> SideEffect:
    """InterFaceGAN's conditional manipulation, measured.

    Edit codes (n, d) of `space` ("w": W codes, or "z") along `primal` (d,) and along
    `project_out(primal, condition)` scaled to the same length, and read the primal factor and the
    condition factor (predictor output indices) both times.
    """
    if space not in ("w", "z"):
        raise ValueError(f"space must be 'w' or 'z', got {space!r}")
    directions = torch.stack([primal, project_out(primal, condition) * primal.norm()])
    effects_of = direction_effects if space == "w" else z_direction_effects
    effects = effects_of(G, predictor, codes, directions, strength).cpu()
    return SideEffect(primal_before=effects[0, primal_factor].item(), side_before=effects[0, condition_factor].item(),
                      primal_after=effects[1, primal_factor].item(), side_after=effects[1, condition_factor].item())
