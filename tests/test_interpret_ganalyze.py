"""gentut.interpret.ganalyze on a "generator" whose images are its code, so the answer is known.

With images whose red channel is w[0] and an assessor that reads the mean red, the direction that
raises the score by alpha when codes move by alpha * theta has theta[0] = 1; the other
coordinates do nothing to the score, so GANalyze has no reason to grow them.
"""

import pytest
import torch
import torch.nn as nn

from gentut.interpret.ganalyze import factor_mix, fit_ganalyze, score_shift


class CodeImage(nn.Module):
    """z (B, 6) -> w = z; images (B, 3, 4, 4) whose colour is w[:3]."""

    def __init__(self):
        super().__init__()
        self.z_dim, self.w_dim, self.num_ws = 6, 6, 1
        self.dummy = nn.Parameter(torch.zeros(()))

    def mapping(self, z):
        return z

    def synthesis(self, ws):
        return ws[:, 0, :3, None, None].expand(-1, -1, 4, 4) + 0 * self.dummy


def red(images):
    return images[:, 0].mean((1, 2))


def test_the_learnt_direction_raises_the_score_by_alpha():
    G = CodeImage()
    theta, losses = fit_ganalyze(G, red, steps=300, lr=0.05, generator=torch.Generator().manual_seed(0),
                                 progress=False)
    assert theta.shape == (6,) and len(losses) == 300
    assert abs(theta[0] - 1) < 0.05
    assert theta[1:].abs().max() < 0.1
    assert sum(losses[-20:]) < sum(losses[:20]) / 10
    assert G.dummy.requires_grad                                  # the generator is handed back unfrozen
    shift = score_shift(G, red, torch.randn(50, 6), theta, [-0.5, 0.5])
    assert shift.shape == (2, 50)
    assert torch.allclose(shift.mean(1), torch.tensor([-0.5, 0.5]), atol=0.03)


def test_factor_mix_weights_the_predicted_factors():
    class Logits(nn.Module):
        def forward(self, images):
            return images.mean((2, 3))                            # (B, 3) "logits"

    assessor = factor_mix(Logits(), {"b": 2.0, "a": 1.0}, ["a", "b", "c"])
    images = torch.zeros(1, 3, 2, 2)
    images[:, 1] = 10.0                                          # sigmoid: a 0.5, b ~1, c 0.5
    assert torch.allclose(assessor(images), torch.tensor([0.5 + 2.0]), atol=1e-3)
    with pytest.raises(ValueError, match="unknown factors"):
        factor_mix(Logits(), {"smile": 1.0}, ["a", "b", "c"])
