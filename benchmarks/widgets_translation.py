"""Print how long each slider update of notebook 08 takes: the callback plus the PNG encode.

    python benchmarks/widgets_translation.py

Panels are built as the notebook builds them (three pix2pix U-Nets, two CycleGAN pairs, at their
zoo sizes, untrained: the cost does not depend on the weights).
"""

import torch
from widgets import report

from gentut.data.procedural import load_split
from gentut.models.translation import CycleGANPair, UNetGenerator
from gentut.translation import day_night_domains
from gentut.widgets.translation import cyclegan_panel, label_map_panel


def main() -> None:
    torch.manual_seed(0)
    torch.set_grad_enabled(False)
    scenes = load_split("scenes", "val", n=500)
    translators = {name: UNetGenerator(7).eval() for name in ("L1", "cGAN", "L1 + cGAN")}
    pairs = {name: CycleGANPair().eval() for name in ("cycle", "GAN only")}
    day, night = day_night_domains(scenes)
    labels = label_map_panel(translators, scenes, index=3)
    cycle = cyclegan_panel(pairs, day, night)
    cases = [("08 label map: house x", labels, "house_x", [0.1, 0.9] * 15),
             ("08 label map: horizon", labels, "horizon", [0.1, 0.9] * 15),
             ("08 label map: trees", labels, "trees", [0, 4] * 15),
             ("08 CycleGAN: scene", cycle, "index", list(range(30))),
             ("08 CycleGAN: direction", cycle, "direction", ["night2day", "day2night"] * 15)]
    report(cases)


if __name__ == "__main__":
    main()
