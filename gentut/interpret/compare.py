"""Scoring discovered directions against known factors: the seeds' open question, measured.

The tutorials end their unsupervised part with "how do we evaluate the discovered directions,
how do we compare methods?" With a generator of faces whose factors an attribute predictor
reads, every method's directions can be pushed through the same test:

    strength = 3 * typical_std(w)                          # one step size, in W units, for all
    report = evaluate_directions(G, predictor, w, directions, strength)
    report.main, report.purity, report.main_effect         # per direction: which factor, how purely, how much
    rows = {name: evaluate_directions(...) for name, directions in methods.items()}
    print(format_summary(rows, factor_names))

Fair by construction: unit-norm directions in W, the same codes, the same Euclidean step
(a multiple of the codes' typical per-dimension standard deviation), effects read by the same
predictor (`gentut.interpret.edits.direction_effects`, `purity`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from gentut.evidence import Comparison, bootstrap
from gentut.interpret.edits import direction_changes, purity

__all__ = ["typical_std", "random_directions", "DirectionReport", "evaluate_directions", "format_directions",
           "format_summary", "summary_scores", "compare_methods"]


def typical_std(w: torch.Tensor) -> float:
    """The codes' typical spread along one axis: sqrt(mean over dimensions of the variance), for w (N, d).

    A unit direction moved by this much moves a code about one standard deviation of the
    codes along a random direction.
    """
    if w.dim() != 2 or len(w) < 2:
        raise ValueError(f"w must be codes (N >= 2, d), got shape {tuple(w.shape)}")
    return w.var(0).mean().sqrt().item()


def random_directions(k: int, dim: int, generator: torch.Generator) -> torch.Tensor:
    """k random unit directions (k, dim), uniform on the sphere, drawn on the CPU: the baseline."""
    directions = torch.randn(k, dim, generator=generator)
    return directions / directions.norm(dim=1, keepdim=True)


@dataclass
class DirectionReport:
    """What a set of k directions does to n_factors factors.

    effects (k, n_factors): mean change of each factor; main (k,): index of the factor moved
    most; purity (k,): the main factor's share of the total absolute change; main_effect (k,):
    the signed change of the main factor; changes (k, n, n_factors): every code's change, for
    intervals (`compare_methods`).
    """

    effects: torch.Tensor
    main: torch.Tensor
    purity: torch.Tensor
    main_effect: torch.Tensor
    changes: torch.Tensor

    def distinct_factors(self, min_effect: float = 0.05) -> int:
        """How many different factors are the main factor of a direction that moves it >= min_effect."""
        return len(set(self.main[self.main_effect.abs() >= min_effect].tolist()))


def evaluate_directions(G: nn.Module, predictor: nn.Module, w: torch.Tensor, directions: torch.Tensor,
                        strength: float, layers: Iterable[int] | None = None) -> DirectionReport:
    """Edit codes w (n, w_dim) along each of directions (k, w_dim), unit-normalised, by `strength`
    (on `layers` of W+, default all) and report what the predictor sees change."""
    if directions.dim() != 2 or directions.shape[1] != w.shape[1]:
        raise ValueError(f"directions must be (k, {w.shape[1]}) to match w, got {tuple(directions.shape)}")
    unit = directions / directions.norm(dim=1, keepdim=True).clamp_min(1e-12)
    changes = direction_changes(G, predictor, w, unit.to(w.device), strength, layers).cpu()     # (k, n, n_factors)
    effects = changes.mean(1)
    main, share = purity(effects)
    return DirectionReport(effects, main, share, effects[torch.arange(len(effects)), main], changes)


def summary_scores(effects: np.ndarray) -> dict[str, np.ndarray]:
    """A method's mean purity and mean |main change| from its directions' effects (..., k, n_factors):
    {"purity": (...), "strength": (...)}; works on a stack of bootstrap resamples at once."""
    magnitude = np.abs(effects)
    main = magnitude.max(-1)                                                   # (..., k)
    return {"purity": (main / np.clip(magnitude.sum(-1), 1e-12, None)).mean(-1), "strength": main.mean(-1)}


def compare_methods(name_a: str, a: DirectionReport, name_b: str, b: DirectionReport, metric: str,
                    seed: int = 0) -> Comparison:
    """Method a against method b on the same codes: the difference of `metric` ("purity" or
    "strength", see `summary_scores`) with a paired bootstrap interval over the codes."""
    if a.changes.shape != b.changes.shape:
        raise ValueError(f"compare methods with as many directions on the same codes: changes {tuple(a.changes.shape)} "
                         f"vs {tuple(b.changes.shape)} (k directions, n codes, factors)")
    rows = np.stack([a.changes.permute(1, 0, 2).numpy(), b.changes.permute(1, 0, 2).numpy()], 1)   # (n, 2, k, f)

    def difference(resampled: np.ndarray) -> np.ndarray:                       # (R, n, 2, k, f) -> (R,)
        scores = summary_scores(resampled.mean(1))[metric]                   # (R, 2)
        return scores[:, 0] - scores[:, 1]

    return Comparison(name_a, name_b, bootstrap(rows, difference, seed=seed), True, "", True)


def format_directions(reports: dict[str, DirectionReport], factor_names: Sequence[str]) -> str:
    """One line per method: for each direction, its main factor, signed change and purity."""
    width = max(len(name) for name in reports)
    lines = []
    for name, report in reports.items():
        cells = [f"{factor_names[m][:10]:>10s} {e:+.2f} ({p:.2f})"
                 for m, e, p in zip(report.main.tolist(), report.main_effect.tolist(), report.purity.tolist())]
        lines.append(f"{name:{width}s}  " + " | ".join(cells))
    return "\n".join(lines)


def format_summary(reports: dict[str, DirectionReport], factor_names: Sequence[str], min_effect: float = 0.05) -> str:
    """A table, one row per method: mean purity, mean |main change|, how many distinct factors
    its directions move most (by >= min_effect), and for each factor the largest |change| any of
    its directions makes."""
    width = max(len(name) for name in reports)
    short = [name[:6] for name in factor_names]
    lines = [f"{'method':{width}s} {'k':>2s} {'purity':>6s} {'|main|':>6s} {'factors':>7s}   best |change| per factor",
             f"{'':{width}s} {'':>2s} {'':>6s} {'':>6s} {'':>7s}   " + " ".join(f"{s:>6s}" for s in short)]
    for name, report in reports.items():
        best = report.effects.abs().max(0).values
        lines.append(f"{name:{width}s} {len(report.main):2d} {report.purity.mean():6.2f} "
                     f"{report.main_effect.abs().mean():6.2f} {report.distinct_factors(min_effect):7d}   "
                     + " ".join(f"{b:6.2f}" for b in best.tolist()))
    return "\n".join(lines)
