"""gentut.interpret.styleclip on a tiny random style generator and a tiny random CLIP.

The schedule must be the authors'; a batch of latent optimisations must equal separate runs and
lower the CLIP distance; the global direction must keep exactly the channels above beta; the
channel directions must be unit vectors pointing the way CLIP's image vector moves.
"""

import pytest
import torch
import torch.nn.functional as F

from gentut.interpret.edits import broadcast_ws, sample_latents
from gentut.interpret.styleclip import (apply_global_direction, channel_clip_directions, clip_distance,
                                        global_direction, optimise_text_edit, ramped_lr, render_text_edit,
                                        text_direction)
from gentut.interpret.stylespace import StyleLayout, render_styles, style_codes


@pytest.fixture(scope="module")
def tiny(tiny_style_clip):
    G, clip = tiny_style_clip
    _, w = sample_latents(G, 4, torch.Generator().manual_seed(1))
    return G, clip, StyleLayout.of(G), broadcast_ws(G, w)


def test_ramped_lr_rises_for_5_percent_and_falls_for_the_last_25():
    assert ramped_lr(0.0, 0.1) == 0.0
    assert ramped_lr(0.025, 0.1) == pytest.approx(0.05)
    assert ramped_lr(0.5, 0.1) == pytest.approx(0.1)
    assert ramped_lr(0.875, 0.1) == pytest.approx(0.05)
    assert ramped_lr(1.0, 0.1) == pytest.approx(0.0)


def test_latent_optimisation_lowers_the_clip_distance_and_a_batch_equals_separate_runs(tiny):
    G, clip, _, ws = tiny
    edited, history = optimise_text_edit(G, clip, ws, "a face, smiling", steps=30, progress=False)
    assert history["clip"][-1] < history["clip"][0]
    assert history["l2"][0] == 0.0 and history["l2"][-1] > 0
    alone, _ = optimise_text_edit(G, clip, ws[2:3], "a face, smiling", steps=30, progress=False)
    assert torch.allclose(alone, edited[2:3], atol=1e-5)
    target = clip.encode_text("a face, smiling")[0]
    with torch.no_grad():
        assert (clip_distance(clip, G.synthesis(edited), target) < clip_distance(clip, G.synthesis(ws), target)).all()


def test_global_direction_keeps_the_channels_above_beta_times_the_best_scaled_to_one():
    directions = F.normalize(torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0]]), dim=1)
    delta_t = torch.tensor([0.5, 0.0])
    direction = global_direction(directions, delta_t, beta=0.5)
    assert direction.tolist() == pytest.approx([1.0, 0.6, 0.0, -1.0])
    assert global_direction(directions, delta_t, beta=0.7).tolist() == pytest.approx([1.0, 0.0, 0.0, -1.0])
    assert global_direction(directions, torch.tensor([0.0, 0.0]), beta=0.5).abs().sum() == 0
    with pytest.raises(ValueError, match="share of the largest relevance"):
        global_direction(directions, delta_t, beta=1.5)
    styles, std = torch.zeros(2, 4), torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert apply_global_direction(styles, direction, std, 2.0)[0].tolist() == pytest.approx([2.0, 2.4, 0.0, -8.0])


def test_channel_directions_are_unit_vectors_that_point_where_clip_moves(tiny):
    G, clip, layout, ws = tiny
    with torch.no_grad():
        styles = style_codes(G, ws)
        std = styles.std(0) + 0.1
    directions = channel_clip_directions(G, clip, layout, styles, std, strength=2.0, channels_per_batch=5,
                                         progress=False)
    assert directions.shape == (layout.size, 8)
    assert torch.allclose(directions.norm(dim=1), torch.ones(layout.size), atol=1e-5)
    c = 3                                                           # by hand for one channel
    with torch.no_grad():
        plus, minus = styles.clone(), styles.clone()
        plus[:, c] += 2.0 * std[c]
        minus[:, c] -= 2.0 * std[c]
        per_face = F.normalize(clip.encode_image(render_styles(G, layout, plus))
                               - clip.encode_image(render_styles(G, layout, minus)), dim=1)
    assert torch.allclose(directions[c], F.normalize(per_face.mean(0), dim=0), atol=1e-5)
    # an edit along the direction of a text moves CLIP's image vector towards that text
    delta_t = text_direction(clip, "a face, smiling", "a face")
    direction = global_direction(directions, delta_t, beta=0.0)
    with torch.no_grad():
        before = clip.encode_image(render_text_edit(G, layout, styles, direction, std, 0.0)) @ delta_t
        after = clip.encode_image(render_text_edit(G, layout, styles, direction, std, 1.0)) @ delta_t
    assert after.mean() > before.mean()
