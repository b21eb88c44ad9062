"""The dissection notebook's views and panels, driven without a browser on a tiny generator."""

import io

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

from gentut.interpret.dissection import UnitDissection, layer_features
from gentut.interpret.edits import broadcast_ws, sample_latents
from gentut.interpret.intervention import square_region
from gentut.models.stylegan import StyleGenerator
from gentut.widgets.dissection import (ablation_panel, ablation_view, insertion_panel, insertion_view, outline,
                                       unit_panel, unit_view)

CLASSES = ("dark", "bright")


class BrightSegmenter(nn.Module):
    """Class 1 where the mean colour exceeds 0.5."""

    def segment(self, images):
        return (images.mean(1) > 0.5).long()


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def setting(n=3):
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=16, width=4, max_channels=8).eval()
    ws = broadcast_ws(G, sample_latents(G, 40, torch.Generator().manual_seed(1))[1])
    images, features = layer_features(G, ws, [2])
    dissection = UnitDissection(method="iou").fit(features[2], BrightSegmenter().segment(images), n_classes=2)
    return G, ws[:n], dissection, features[2]


def test_unit_view_tints_exactly_where_the_unit_fires():
    G, ws, _, _ = setting()
    plain = unit_view(G, ws, 2, 0, threshold=1e9)               # fires nowhere: the plain images
    everywhere = unit_view(G, ws, 2, 0, threshold=-1e9)         # fires everywhere: all tinted
    assert plain.shape == everywhere.shape == (18, 3 * 17 + 1, 3)
    tile = (slice(1, 17), slice(1, 17))
    assert (everywhere[tile][..., 0].astype(int) >= everywhere[tile][..., 2]).all()   # red dominates
    assert not np.array_equal(plain, everywhere)


def test_ablation_view_rows_and_no_op_for_no_units():
    G, ws, _, _ = setting()
    picture = ablation_view(G, BrightSegmenter(), ws, 2, [])
    rows = [picture[1 + r * 17: 17 + r * 17] for r in range(4)]
    assert picture.shape == (4 * 17 + 1, 3 * 17 + 1, 3)
    assert np.array_equal(rows[0], rows[2]) and np.array_equal(rows[1], rows[3])      # nothing ablated
    changed = ablation_view(G, BrightSegmenter(), ws, 2, [0, 1, 2])
    assert not np.array_equal(changed[35:51], picture[35:51])


def test_insertion_view_outlines_the_region_and_changes_only_with_units():
    G, ws, _, _ = setting()
    region = square_region(4, 4, 8, 16)
    border = outline(torch.zeros(1, 3, 16, 16), region)[0]
    assert border[:, 4, 4].tolist() == [1, 1, 0] and border[:, 8, 8].tolist() == [0, 0, 0]
    none = insertion_view(G, BrightSegmenter(), ws, 2, [], 0.0, region)
    assert np.array_equal(none[1:17], none[18:34])                                   # no units: same images
    forced = insertion_view(G, BrightSegmenter(), ws, 2, [0, 1], 50.0, region)
    assert not np.array_equal(forced[18:34], none[18:34])


def test_panels_redraw_when_controls_move():
    G, ws, dissection, features = setting()
    panel = unit_panel(G, ws, 2, dissection, CLASSES, concept="bright")
    first, caption = decode(panel.image.value), panel.caption.value
    best = int(dissection.top_units(1, 1)[0])
    assert caption.startswith(f"layer 2, unit {best}:")
    panel.controls["rank"].value = 1
    assert panel.caption.value != caption and first.shape == decode(panel.image.value).shape
    panel = ablation_panel(G, BrightSegmenter(), ws, 2, dissection, CLASSES, concept="bright", max_units=4)
    panel.controls["k"].value = 0
    picture = decode(panel.image.value)[::2, ::2]
    assert np.array_equal(picture[1:17], picture[35:51])                              # k = 0: unchanged
    panel = insertion_panel(G, BrightSegmenter(), ws, 2, dissection, features.amax((0, 2, 3)), CLASSES,
                            concept="bright", max_units=4)
    before = panel.image.value
    panel.controls["row"].value = 0
    assert panel.image.value != before                                                # the outline moved


def test_insertion_panel_square_keeps_its_size_at_the_border():
    G, ws, dissection, features = setting()
    panel = insertion_panel(G, BrightSegmenter(), ws, 2, dissection, features.amax((0, 2, 3)), CLASSES,
                            concept="bright", max_units=4)
    panel.controls["row"].value = panel.controls["col"].value = 15                  # the bottom-right pixel
    pictures = []
    for side in (4, 5):
        panel.controls["side"].value = side
        pictures.append(decode(panel.image.value))
    assert not np.array_equal(*pictures)        # a clipped square would be 1 pixel for every size
    outlined = (pictures[1][..., 0] > 200) & (pictures[1][..., 1] > 200) & (pictures[1][..., 2] < 60)
    assert outlined.any()
