"""Print how long each slider update of notebook 06's panel takes: median and p95 ms.

    python benchmarks/widgets_unsupervised.py

The panel is built as notebook 06 builds it: the zoo's 32x32 style generator architecture
(untrained: the cost does not depend on the weights), four methods with three directions each
(random unit directions here), three faces per method.
"""

import torch

from gentut import zoo
from gentut.interpret.compare import random_directions
from gentut.widgets.unsupervised import directions_panel
from widgets import time_slider          # benchmarks/widgets.py, beside this script


def main() -> None:
    torch.manual_seed(0)
    torch.set_grad_enabled(False)
    G = zoo.build("faces_stylegan").eval()
    generator = torch.Generator().manual_seed(0)
    methods = {name: random_directions(8, G.w_dim, generator) for name in ("SeFa", "GANSpace", "InterFaceGAN", "discovery")}
    panel = directions_panel(G, methods, n_directions=3, n_codes=3, max_strength=4.0)
    cases = [("06 direction slider (SeFa 1)", "sefa_1", [-4.0, 4.0] * 15),
             ("06 direction slider (discovery 3)", "discovery_3", [-4.0, 4.0] * 15),
             ("06 layer range", "layers", [(0, 1, 2), (3, 4), (5, 6)] * 10)]
    print(f"{'panel':34s} {'median ms':>10s} {'p95 ms':>8s}")
    for label, control, values in cases:
        median, p95 = time_slider(panel, control, values)
        print(f"{label:34s} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
