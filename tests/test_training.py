"""The shared training loop."""

import pytest
import torch

from gentut.models.autoregressive import FVSBN, nll
from gentut.training import TrainingDiverged, fit


def test_fit_lowers_the_loss_and_is_reproducible():
    data = (torch.rand(64, 1, 4, 4, generator=torch.Generator().manual_seed(0)) > 0.5).float()
    runs = []
    for _ in range(2):
        model = FVSBN(16)
        history = fit(model, lambda m, b: nll(m, b).mean(), data, epochs=5, lr=0.05,
                      batch_size=16, generator=torch.Generator().manual_seed(0), progress=False)
        runs.append((history, model.weight.detach().clone()))
    assert runs[0][0][-1] < runs[0][0][0]
    assert runs[0][0] == runs[1][0] and torch.equal(runs[0][1], runs[1][1])


def test_nan_loss_stops_before_the_bad_update():
    model = FVSBN(4)
    before = {k: v.clone() for k, v in model.state_dict().items()}

    def nan_loss(m, batch):
        return (m(batch) * float("nan")).sum()

    with pytest.raises(TrainingDiverged, match="smaller learning rate"):
        fit(model, nan_loss, torch.ones(8, 1, 2, 2), epochs=1, lr=0.1, progress=False)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
