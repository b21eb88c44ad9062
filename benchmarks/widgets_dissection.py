"""Print how long each slider update of notebook 04's panels takes (median and p95 ms).

    cd benchmarks && python widgets_dissection.py

The panels are built as the notebook builds them, with the zoo's scenes generator and segmenter
and 6 scenes per picture.
"""

import torch
from widgets import report

from gentut import zoo
from gentut.data.scenes import SCENE_CLASSES
from gentut.interpret.dissection import UnitDissection, layer_features
from gentut.interpret.edits import broadcast_ws, sample_latents
from gentut.widgets.dissection import ablation_panel, insertion_panel, unit_panel


def main() -> None:
    torch.set_grad_enabled(False)
    G, segmenter = zoo.load("scenes_stylegan", device="cpu"), zoo.load("scenes_segmenter", device="cpu")
    ws = broadcast_ws(G, sample_latents(G, 120, torch.Generator().manual_seed(0))[1])
    images, features = layer_features(G, ws, [2, 4])
    masks = segmenter.segment(images)
    d = {i: UnitDissection().fit(features[i], masks, len(SCENE_CLASSES)) for i in (2, 4)}
    peak = features[4].amax(dim=(0, 2, 3))
    cases = [("04 unit (rank)", unit_panel(G, ws[:6], 4, d[4], SCENE_CLASSES), "rank", list(range(10)) * 2),
             ("04 ablation (k)", ablation_panel(G, segmenter, ws[:6], 2, d[2], SCENE_CLASSES), "k", list(range(17))),
             ("04 insertion (row)", insertion_panel(G, segmenter, ws[:6], 4, d[4], peak, SCENE_CLASSES), "row",
              list(range(0, 24, 2)) * 2)]
    report(cases)


if __name__ == "__main__":
    main()
