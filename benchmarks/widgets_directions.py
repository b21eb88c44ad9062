"""Print how long each slider update of the direction panels (notebook 05) takes: median and p95 ms.

    python benchmarks/widgets_directions.py

The panels are built as notebook 05 builds them: the zoo's 32x32 style generator architecture
(untrained: the cost does not depend on the weights), random unit directions, 4 faces.
"""

import torch

from gentut import zoo
from gentut.widgets.directions import attribute_panel, layer_edit_panel
from widgets import report          # benchmarks/widgets.py, beside this script


def main() -> None:
    torch.manual_seed(0)
    torch.set_grad_enabled(False)
    G = zoo.build("faces_stylegan").eval()
    names = ("age", "eyeglasses", "smile", "yaw")
    directions = {name: torch.nn.functional.normalize(torch.randn(G.w_dim), dim=0) for name in names}
    attributes = attribute_panel(G, directions, n=4)
    layers = layer_edit_panel(G, directions, n=4)
    cases = [("05 attribute slider (age)", attributes, "age", [-2.0, 2.0] * 15),
             ("05 layer edit: strength", layers, "strength", [-2.0, 2.0] * 15),
             ("05 layer edit: layer range", layers, "layers", [(0, 2), (3, 4), (5, 6)] * 10)]
    report(cases)


if __name__ == "__main__":
    main()
