"""gentut.interpret.hspace and the diffusion study's measures, on small denoisers and exact oracles."""

import pytest
import torch

from gentut.diffusion import NoiseSchedule, ddim_sample, ddim_step
from gentut.diffusion_study import group_diversity, success
from gentut.interpret.hspace import edited_steps, hspace_sample, record_hspace
from gentut.models.denoiser import Denoiser


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return Denoiser(image_size=8, width=8, mults=(1, 2), cond_dim=2, emb_dim=16, prediction="v").eval()


def test_the_asymmetric_step_with_one_prediction_is_a_ddim_step():
    schedule = NoiseSchedule.linear(1000)
    x0 = torch.rand(2, 3, 4, 4) * 2 - 1
    eps = torch.randn(2, 3, 4, 4)
    x_t = schedule.add_noise(x0, torch.tensor([600, 600]), eps)
    assert torch.allclose(ddim_step(schedule, x_t, eps, 600, 300, clip=True, eps_for_x0=eps),
                          ddim_step(schedule, x_t, eps, 600, 300), atol=1e-5)
    other = torch.randn(2, 3, 4, 4)
    moved = ddim_step(schedule, x_t, eps, 600, 300, clip=True, eps_for_x0=other)
    assert not torch.allclose(moved, ddim_step(schedule, x_t, eps, 600, 300), atol=1e-3)


def test_no_edit_is_plain_ddim_and_an_edit_changes_the_image(model):
    noise = torch.randn(3, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    plain = hspace_sample(model, noise, None, steps=6)
    assert torch.allclose(plain, ddim_sample(model, model.schedule(), 3, steps=6, noise=noise, progress=False), atol=1e-6)
    zero = hspace_sample(model, noise, torch.zeros(16, 4, 4), steps=6)
    assert torch.allclose(zero, plain, atol=1e-5)
    edited = hspace_sample(model, noise, 5 * torch.randn(16, 4, 4, generator=torch.Generator().manual_seed(2)), steps=6)
    assert (edited - plain).abs().max() > 1e-3
    assert edited_steps(6) == 3 and edited_steps(25) == 12 and edited_steps(3, 0.1) == 1
    with pytest.raises(ValueError):
        edited_steps(10, 0.0)


def test_record_hspace_keeps_the_mean_bottleneck_of_the_edited_steps_per_image(model):
    noise = torch.randn(5, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    record = record_hspace(model, noise, steps=6, batch_size=2)              # batches must not change anything
    assert record.h.shape == (5, 16 * 4 * 4) and record.shape == (16, 4, 4)
    assert torch.allclose(record.images, hspace_sample(model, noise, None, steps=6), atol=1e-6)
    first = model.bottleneck(noise[:1], torch.tensor([999]))                  # the first step's h, by hand
    schedule = model.schedule()
    x = noise[:1]
    hs = []
    for t, t_next in [(999, 799), (799, 599), (599, 400)]:
        tt = torch.tensor([t])
        hs.append(model.bottleneck(x, tt))
        x = ddim_step(schedule, x, model(x, tt), t, t_next, clip=True)
    assert torch.allclose(hs[0], first)
    assert torch.allclose(record.h[0], torch.stack(hs).mean(0).flatten(), atol=1e-5)


def test_success_counts_the_thresholded_factors_on_the_asked_side_and_diversity_is_within_groups():
    cond = torch.tensor([[0.9, 1.0, 0.2, 0.8, 0.1, 0.5, 0.5, 0.5]])
    assert success(cond.clone(), cond).item() == 1.0
    flipped = cond.clone()
    flipped[0, 0] = 0.1                                                        # smile on the wrong side
    flipped[0, 5] = 0.0                                                        # hair colour: not thresholded
    assert success(flipped, cond).item() == pytest.approx(4 / 5)
    same = torch.zeros(4, 3)
    spread = torch.tensor([[0.0, 0, 0], [3.0, 4, 0]])                          # two samples 5 apart
    assert torch.allclose(group_diversity(torch.cat([same, spread]), per_group=2), torch.tensor([0.0, 0.0, 5.0]))
