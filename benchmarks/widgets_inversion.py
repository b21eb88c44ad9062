"""Print how long each slider update of notebook 07 (inversion) takes: median and p95 in ms.

    python benchmarks/widgets_inversion.py

Panels are built at the notebook's sizes (10 targets, 3 runs of 11 snapshots; 4 faces x 5
methods for the edit panel) with an untrained generator of the zoo's configuration: the cost of
an update does not depend on the weights.
"""

import torch
from widgets import report

from gentut import zoo
from gentut.invert.optimize import InversionRun
from gentut.widgets.inversion import edit_panel, regularizer_panel, steps_panel


def fake_run(G, n: int, steps: int = 100, every: int = 10) -> InversionRun:
    """An InversionRun of the notebook's shape with random codes and snapshots (nothing optimised)."""
    ws = G.w_avg + torch.randn(n, G.num_ws, G.w_dim)
    shots = list(range(0, steps, every)) + [steps]
    return InversionRun("w+", ws, ws, torch.rand(n, 3, 32, 32), torch.rand(steps, n),
                        torch.rand(len(shots), n, 3, 32, 32), shots, 1.0)


def main() -> None:
    torch.manual_seed(0)
    torch.set_grad_enabled(False)
    G = zoo.build("faces_stylegan").eval()
    targets = torch.rand(10, 3, 32, 32)
    runs = {name: fake_run(G, 10) for name in ("Z", "W", "W+")}
    direction = torch.randn(G.w_dim)
    ws_by_lambda = {lam: fake_run(G, 10).ws for lam in (0.0, 0.1, 1.0)}
    methods = {name: (G, fake_run(G, 4).ws) for name in ("W", "W+", "encoder", "in-domain", "PTI")}
    cases = [("07 steps (3 runs x 10 images)", steps_panel(targets, runs), "step", list(range(0, 101, 10)) * 3),
             ("07 regularizer lambda", regularizer_panel(G, targets, ws_by_lambda, direction), "weight",
              [0.0, 0.1, 1.0] * 10),
             ("07 edit strength (5 methods x 4)", edit_panel(targets[:4], methods, {"smile": direction}), "strength",
              [-2.0, -1.0, 1.0, 2.0] * 8)]
    report(cases)


if __name__ == "__main__":
    main()
