"""gentut.infogan: the code-mode agreement on generators whose answer is known, and a short run."""

import math

import torch
import torch.nn as nn

from gentut.gan2d import ring_mixture
from gentut.infogan import code_mode_agreement, train_infogan_2d


class CodeToCentre(nn.Module):
    """A 'generator' (z_dim 2 + one-hot k) -> 2-D points: code c goes to centre perm[c], or ignores c."""

    def __init__(self, centres, perm, use_code=True):
        super().__init__()
        self.centres, self.perm, self.use_code = centres, perm, use_code

    def forward(self, x):
        z, onehot = x[:, :2], x[:, 2:]
        if self.use_code:
            return self.centres[self.perm[onehot.argmax(1)]] + 0.01 * z
        which = (torch.atan2(z[:, 1], z[:, 0]) / (2 * math.pi) * len(self.centres)).floor().long() % len(self.centres)
        return self.centres[which]


def test_agreement_is_one_when_each_code_owns_a_mode_and_near_chance_when_codes_are_ignored():
    data = ring_mixture(8)
    perm = torch.randperm(8, generator=torch.Generator().manual_seed(3))
    share, counts = code_mode_agreement(CodeToCentre(data.centres, perm), data, 8, 2)
    assert share == 1.0 and counts.shape == (8, 8) and counts.sum() == 8 * 500
    share, counts = code_mode_agreement(CodeToCentre(data.centres, perm, use_code=False), data, 8, 2)
    assert share < 0.2 and (counts.sum(0) > 0).all()


def test_a_short_run_trains_all_three_networks():
    run = train_infogan_2d(ring_mixture(8), steps=300, batch_size=64, lr=1e-3,
                           generator=torch.Generator().manual_seed(0), progress=False)
    assert len(run.history) == 300 and set(run.history[0]) == {"d", "g", "info"}
    assert all(math.isfinite(v) for h in run.history for v in h.values())
    info = [h["info"] for h in run.history]
    # Q learns to read the code: from chance (log 8 = 2.08 nats) to well under half of it, in means
    # over 20 steps (one step's loss is noise: over 30 steps at lr 2e-4 it did not fall at all)
    assert abs(sum(info[:20]) / 20 - math.log(8)) < 0.1
    assert sum(info[-20:]) / 20 < 0.5 * math.log(8)
