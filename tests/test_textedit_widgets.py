"""The text-edit panel of notebook 09b, driven without a browser."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from gentut.interpret.edits import broadcast_ws, sample_latents
from gentut.interpret.styleclip import channel_clip_directions
from gentut.interpret.stylespace import StyleLayout, render_styles, style_codes
from gentut.widgets.render import image_grid
from gentut.widgets.textedit import text_edit_panel, text_edit_view


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def tiny(tiny_style_clip):
    G, clip = tiny_style_clip
    layout = StyleLayout.of(G)
    _, w = sample_latents(G, 3, torch.Generator().manual_seed(0))
    with torch.no_grad():
        styles = style_codes(G, broadcast_ws(G, w))
    std = styles.std(0) + 0.1
    directions = channel_clip_directions(G, clip, layout, styles, std, progress=False)
    return G, clip, layout, styles, std, directions


def test_view_shows_the_faces_then_the_edit_and_says_what_it_did_not_understand(tiny):
    G, clip, layout, styles, std, directions = tiny
    picture, status = text_edit_view(G, clip, layout, styles, std, directions, "a face, smiling", "a face", 3.0, 0.0)
    unedited, _ = text_edit_view(G, clip, layout, styles, std, directions, "a face, smiling", "a face", 0.0, 0.0)
    with torch.no_grad():
        originals = render_styles(G, layout, styles)
    assert np.array_equal(unedited, image_grid(torch.cat([originals, originals]), nrow=3))   # alpha 0: no edit
    assert picture.shape == unedited.shape and np.abs(picture.astype(int) - unedited.astype(int)).sum() > 0
    assert f"{layout.size} of {layout.size} S channels move" in status
    _, status = text_edit_view(G, clip, layout, styles, std, directions, "a purple face", "a face", 3.0, 0.0)
    assert "does not know" in status and "purple" in status
    _, status = text_edit_view(G, clip, layout, styles, std, directions, "a face", "a face", 3.0, 0.0)
    assert "nothing to edit" in status
    _, status = text_edit_view(G, clip, layout, styles, std, directions, "a face, <b>x</b>", "a face", 3.0, 0.0)
    assert "<b>x</b>" not in status                                 # typed text is escaped


def test_panel_redraws_on_new_text_strength_and_threshold(tiny):
    G, clip, layout, styles, std, directions = tiny
    panel = text_edit_panel(G, clip, layout, styles, std, directions, neutral="a face", text="a face, smiling",
                            alpha=3.0, beta=0.0)
    assert panel.status in panel.children
    first = decode(panel.image.value)
    panel.controls["text"].value = "a face, old, long hair"
    second = decode(panel.image.value)
    assert np.abs(first - second).sum() > 0
    panel.controls["alpha"].value = 0.0
    assert np.abs(decode(panel.image.value) - second).sum() > 0
    panel.controls["beta"].value = 0.5
    assert "S channels move" in panel.status.value
