"""gentut.interpret.edits on a tiny style generator and a predictor whose answer is known."""

import pytest
import torch
import torch.nn as nn

from gentut.interpret.edits import broadcast_ws, direction_effects, edit_ws, purity, render_ws, sample_latents
from gentut.models.stylegan import StyleGenerator


class MeanColour(nn.Module):
    """A 'predictor' that reads the mean red, green and blue of an image."""

    def predict(self, images):
        return images.mean((2, 3))


def tiny_generator():
    torch.manual_seed(0)
    return StyleGenerator(z_dim=8, w_dim=8, image_size=8, width=4, max_channels=8).eval()


def test_edit_ws_moves_only_the_chosen_layers():
    ws = torch.zeros(2, 5, 3)
    direction = torch.tensor([1.0, 0.0, 0.0])
    edited = edit_ws(ws, direction, 2.0, layers=[1, 3])
    assert edited[:, [1, 3], 0].eq(2.0).all() and edited[:, [0, 2, 4]].eq(0).all() and edited[..., 1:].eq(0).all()
    per_code = edit_ws(ws, direction, torch.tensor([1.0, -1.0]))
    assert per_code[0, :, 0].eq(1).all() and per_code[1, :, 0].eq(-1).all()
    assert ws.eq(0).all()                                      # the input is untouched


def test_sample_and_render_agree_with_the_generator():
    G = tiny_generator()
    z, w = sample_latents(G, 4, torch.Generator().manual_seed(0))
    assert z.shape == (4, 8) and w.shape == (4, 8)
    ws = broadcast_ws(G, w)
    assert ws.shape == (4, G.num_ws, 8)
    with torch.no_grad():
        assert torch.allclose(render_ws(G, ws, batch_size=3), G(z), atol=1e-6)


def test_direction_effects_zero_direction_and_known_shift():
    G = tiny_generator()
    _, w = sample_latents(G, 16, torch.Generator().manual_seed(1))
    directions = torch.stack([torch.zeros(8), torch.randn(8)])
    effects = direction_effects(G, MeanColour(), w, directions, strength=3.0)
    assert effects.shape == (2, 3)
    assert effects[0].abs().max() < 1e-6                      # no move, no effect
    ws = broadcast_ws(G, w)
    expected = (render_ws(G, edit_ws(ws, directions[1], 3.0)) - render_ws(G, ws)).mean((0, 2, 3))
    assert torch.allclose(effects[1], expected, atol=1e-5)


def test_purity():
    main, share = purity(torch.tensor([[0.0, 2.0, 0.0], [1.0, -1.0, 2.0]]))
    assert main.tolist() == [1, 2]
    assert share.tolist() == pytest.approx([1.0, 0.5])
