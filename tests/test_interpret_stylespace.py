"""gentut.interpret.stylespace on a tiny random style generator and a tiny predictor.

S-space rendering must reproduce the generator exactly; the gradient relevance must agree with
finite differences of the predictor's scores; the positive-example detector must find a planted
channel.
"""

import pytest
import torch

from gentut.interpret.stylespace import (StyleLayout, channel_changes, channel_relevance, edit_channel,
                                         positive_relevance, render_styles, style_codes)
from gentut.models.predictors import AttributePredictor
from gentut.models.stylegan import StyleGenerator


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=16, width=4, max_channels=8).eval()
    predictor = AttributePredictor(3, width=4, n_blocks=2).eval()
    ws = G.sample_ws(12, torch.Generator().manual_seed(1), mixing=0.5)
    return G, predictor, StyleLayout.of(G), ws


def test_layout_counts_every_modulated_layer(tiny):
    G, _, layout, ws = tiny
    assert len(layout.names) == G.num_ws + len(G.to_rgbs)
    assert style_codes(G, ws).shape == (12, layout.size)
    assert layout.locate(0) == (layout.names[0], 0)
    assert layout.locate(layout.size - 1) == (layout.names[-1], layout.sizes[-1] - 1)
    with pytest.raises(ValueError, match="outside S"):
        layout.locate(layout.size)


def test_rendering_s_codes_reproduces_the_generator(tiny):
    G, _, layout, ws = tiny
    with torch.no_grad():
        assert torch.allclose(render_styles(G, layout, style_codes(G, ws), batch_size=5), G.synthesis(ws), atol=1e-6)
    with pytest.raises(ValueError, match="styles must have shape"):
        render_styles(G, layout, torch.zeros(2, layout.size + 1))


def test_edit_channel_moves_one_channel_by_its_std(tiny):
    G, _, layout, ws = tiny
    s = style_codes(G, ws).detach()
    std = s.std(0)
    edited = edit_channel(s, 5, 2.0, std)
    assert torch.allclose(edited[:, 5] - s[:, 5], 2.0 * std[5].expand(12))
    assert torch.equal(torch.cat([edited[:, :5], edited[:, 6:]], 1), torch.cat([s[:, :5], s[:, 6:]], 1))


def test_relevance_agrees_with_finite_differences(tiny):
    G, predictor, layout, ws = tiny
    s = style_codes(G, ws).detach().double()
    G, predictor = G.double(), predictor.double()
    try:
        std = s.std(0)
        relevance = channel_relevance(G, predictor, layout, s, std)
        assert relevance.shape == (3, layout.size)
        eps = 1e-4
        for channel in (0, 7, layout.size - 1):
            with torch.no_grad():
                up = torch.sigmoid(predictor(render_styles(G, layout, edit_channel(s, channel, eps, std))))
                down = torch.sigmoid(predictor(render_styles(G, layout, edit_channel(s, channel, -eps, std))))
            finite = ((up - down) / (2 * eps)).mean(0)
            assert torch.allclose(relevance[:, channel], finite, atol=1e-6)
    finally:
        G.float(), predictor.float()


def test_positive_examples_find_a_planted_channel():
    generator = torch.Generator().manual_seed(0)
    styles = torch.randn(500, 20, generator=generator)
    scores = torch.stack([styles[:, 13] + 0.1 * torch.randn(500, generator=generator),
                          -styles[:, 4]], 1)
    relevance = positive_relevance(styles, scores, n_positive=30)
    assert relevance.shape == (2, 20)
    assert relevance[0].abs().argmax() == 13 and relevance[0, 13] > 1.5
    assert relevance[1].abs().argmax() == 4 and relevance[1, 4] < -1.5


def test_channel_changes_is_zero_at_zero_strength_and_follows_the_edit(tiny):
    G, predictor, layout, ws = tiny
    s = style_codes(G, ws).detach()
    std = s.std(0)
    changes = channel_changes(G, predictor, layout, s, torch.tensor([3, 3]), torch.tensor([0.0, 4.0]), std)
    assert changes.shape == (2, 12, 3)
    assert changes[0].abs().max() == 0
    with torch.no_grad():
        expected = (predictor.predict(render_styles(G, layout, edit_channel(s, 3, 4.0, std)))
                    - predictor.predict(render_styles(G, layout, s)))
    assert torch.allclose(changes[1], expected)


def test_forward_hooks_on_the_layers_see_every_synthesis(tiny):
    """Dissection and unit interventions (notebook 04) hook G.convs[i]: rendering from W and from S both call them."""
    G, _, layout, ws = tiny
    seen = []
    hooks = [conv.register_forward_hook(lambda module, args, out, i=i: seen.append(i)) for i, conv in enumerate(G.convs)]
    try:
        with torch.no_grad():
            G.synthesis(ws)
            render_styles(G, layout, style_codes(G, ws))
    finally:
        for hook in hooks:
            hook.remove()
    assert seen == list(range(G.num_ws)) * 2
    with pytest.raises(ValueError, match="either w or style"):
        G.convs[0](torch.zeros(1, G.convs[0].weight.shape[1], 4, 4))
