"""gentut.models.flow and gentut.interpret.styleflow: exact inverses, a likelihood that learns, edits
that keep the noise, and the notebook 09 panel driven without a browser."""

import io
import math

import numpy as np
import pytest
import torch
from PIL import Image

from gentut.interpret.edits import broadcast_ws, render_ws, sample_latents
from gentut.interpret.styleflow import FlowCodes, evaluate_flow, flow_edit, train_flow
from gentut.models.flow import ConditionalFlow
from gentut.models.stylegan import StyleGenerator
from gentut.widgets.styleflow import flow_edit_panel, flow_edit_view


def random_flow(seed=0, dim=6, cond_dim=3):
    torch.manual_seed(seed)
    flow = ConditionalFlow(dim=dim, cond_dim=cond_dim, n_layers=4, hidden=16)
    for p in flow.parameters():                   # leave the identity start: random last layers too
        p.data.normal_(0, 0.3)
    return flow


def test_inverse_undoes_forward_and_log_det_matches_autograd():
    flow = random_flow().double()
    w, cond = torch.randn(5, 6, dtype=torch.float64), torch.rand(5, 3, dtype=torch.float64)
    z, log_det = flow(w, cond)
    assert torch.allclose(flow.inverse(z, cond), w, atol=1e-10)
    for i in range(5):
        jacobian = torch.autograd.functional.jacobian(lambda x: flow(x[None], cond[i:i + 1])[0][0], w[i])
        assert math.isclose(torch.linalg.slogdet(jacobian)[1].item(), log_det[i].item(), abs_tol=1e-8)
    with pytest.raises(ValueError, match="the flow takes codes"):
        flow(w, cond[:, :2])


def test_training_learns_a_conditional_gaussian_and_an_edit_moves_only_what_depends_on_the_attribute():
    g = torch.Generator().manual_seed(0)
    cond = torch.rand(4000, 2, generator=g)
    noise = 0.1 * torch.randn(4000, 4, generator=g)
    w = noise.clone()
    w[:, 0] += 3 * cond[:, 0]                      # coordinate 0 follows attribute 0; the rest is noise
    flow = ConditionalFlow(dim=4, cond_dim=2, n_layers=4, hidden=32)
    codes = FlowCodes(w, cond)
    history = train_flow(flow, codes, steps=600, batch_size=256, lr=3e-3, generator=g, progress=False)
    assert history[-1]["nll"] < history[0]["nll"] - 0.5
    metrics = evaluate_flow(flow, codes)
    assert metrics["round_trip_error"] < 1e-4
    edited = flow_edit(flow, w[:200], cond[:200], factor=0, delta=0.2)
    moved = edited - w[:200]
    target = (cond[:200, 0] + 0.2).clamp(0, 1) - cond[:200, 0]
    assert torch.allclose(moved[:, 0], 3 * target, atol=0.1)             # the attribute's coordinate follows
    assert moved[:, 1:].abs().mean() < 0.03                               # the noise coordinates stay


def decode(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


class MeanColour(torch.nn.Module):
    def predict(self, images):
        return images.mean((2, 3))                                      # (n, 3) "attributes"


def test_flow_panel_shows_the_edit_and_switches_attributes():
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=16, width=4, max_channels=8).eval()
    flow = random_flow(dim=8, cond_dim=3)
    _, w = sample_latents(G, 3, torch.Generator().manual_seed(1))
    with torch.no_grad():
        attributes = MeanColour().predict(render_ws(G, broadcast_ws(G, w)))
    still = flow_edit_view(G, flow, w, attributes, 0, 0.0)
    top, bottom = slice(1, 17), slice(18, 34)
    assert np.abs(still[top].astype(int) - still[bottom].astype(int)).max() <= 1       # delta 0: the same faces
    panel = flow_edit_panel(G, flow, MeanColour(), ["red", "green", "blue"], w, start=0.8)
    first = decode(panel.image.value)
    panel.controls["name"].value = "blue"
    assert not np.array_equal(first, decode(panel.image.value))
