"""gentut.diffusion and the denoiser: the schedule's algebra, the loss, guidance, and the samplers
checked against an oracle denoiser whose answer is known exactly.

The oracle: if every training image is the same image x*, the best noise prediction is
eps(x_t, t) = (x_t - sqrt(abar_t) x*) / sqrt(1 - abar_t). DDIM with it must land on x* exactly,
DDPM close to it, and DDIM inversion followed by DDIM sampling must give the image back.
"""

import math

import pytest
import torch
import torch.nn as nn

from gentut.data.faces import make_faces
from gentut.diffusion import (NoiseSchedule, ddim_invert, ddim_sample, ddim_step, ddim_timesteps, ddpm_sample,
                              diffusion_loss, drop_condition, guided_eps, heldout_loss, to_image_range,
                              to_model_range)
from gentut.models.denoiser import Denoiser, timestep_embedding
from gentut.recipes import train_diffusion


class Oracle(nn.Module):
    """The exact noise predictor for data that is one image, target (3, S, S) in [-1, 1]; a condition
    shifts the target by cond[:, 0] (so that guidance has something to do)."""

    def __init__(self, schedule: NoiseSchedule, target: torch.Tensor):
        super().__init__()
        self.schedule, self.target = schedule, target
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x, t, cond=None):
        target = self.target.expand_as(x)
        if cond is not None:
            present = ~torch.isnan(cond).any(1)
            target = target + torch.where(present, torch.nan_to_num(cond[:, 0]), torch.zeros(len(x)))[:, None, None, None]
        abar = self.schedule.abar_at(t, x)
        return (x - abar.sqrt() * target) / (1 - abar).sqrt()


@pytest.fixture(scope="module")
def schedule():
    return NoiseSchedule.linear(1000)


def test_the_linear_schedule_is_ddpms_and_abar_falls_to_nearly_nothing(schedule):
    assert schedule.betas[0].item() == pytest.approx(1e-4) and schedule.betas[-1].item() == pytest.approx(0.02)
    abar = schedule.abar
    assert (abar[1:] < abar[:-1]).all() and abar[-1].item() < 1e-4
    x0 = torch.zeros(4000, 1, 1, 1)
    t = torch.full((4000,), 300)
    x_t = schedule.add_noise(x0, t, torch.randn(4000, 1, 1, 1, generator=torch.Generator().manual_seed(0)))
    assert x_t.std().item() == pytest.approx(math.sqrt(1 - abar[300].item()), rel=0.05)
    assert torch.equal(schedule.add_noise(torch.ones(2, 1, 1, 1), torch.tensor([-1, -1]), torch.randn(2, 1, 1, 1)),
                       torch.ones(2, 1, 1, 1))                        # t = -1 is x_0 itself


def test_the_loss_is_the_mean_squared_error_of_the_predicted_noise(schedule):
    model = Denoiser(image_size=8, width=8, mults=(1, 2), cond_dim=2, emb_dim=16)
    x0 = torch.rand(5, 3, 8, 8) * 2 - 1
    loss = diffusion_loss(model, schedule, x0, None, torch.Generator().manual_seed(3), p_uncond=0.0)
    g = torch.Generator().manual_seed(3)
    t = torch.randint(1000, (5,), generator=g)
    noise = torch.randn(x0.shape, generator=g)
    assert loss.item() == pytest.approx((model(schedule.add_noise(x0, t, noise), t) - noise).pow(2).mean().item())


def test_a_dropped_condition_is_the_unconditional_model():
    cond = torch.rand(6, 3)
    assert torch.equal(drop_condition(cond, 0.0, torch.Generator().manual_seed(0)), cond)
    assert torch.isnan(drop_condition(cond, 1.0, torch.Generator().manual_seed(0))).all()
    model = Denoiser(image_size=8, width=8, mults=(1, 2), cond_dim=3, emb_dim=16)
    x, t = torch.randn(6, 3, 8, 8), torch.randint(1000, (6,))
    assert torch.allclose(model(x, t, torch.full((6, 3), float("nan"))), model(x, t, None))
    assert not torch.allclose(model(x, t, cond), model(x, t, None))


def test_guidance_mixes_conditional_and_unconditional_predictions(schedule):
    oracle = Oracle(schedule, torch.zeros(3, 4, 4))
    x, t, cond = torch.randn(2, 3, 4, 4), torch.tensor([10, 500]), torch.tensor([[0.5], [0.2]])
    conditional, unconditional = oracle(x, t, cond), oracle(x, t, None)
    assert torch.allclose(guided_eps(oracle, x, t, cond, 1.0), conditional)
    assert torch.allclose(guided_eps(oracle, x, t, cond, 0.0), unconditional)
    assert torch.allclose(guided_eps(oracle, x, t, cond, 3.0), unconditional + 3 * (conditional - unconditional),
                          atol=1e-6)


def test_a_ddim_step_is_undone_by_the_step_back(schedule):
    x, eps = torch.randn(3, 3, 4, 4), torch.randn(3, 3, 4, 4)
    there = ddim_step(schedule, x, eps, 100, 400)
    assert torch.allclose(ddim_step(schedule, there, eps, 400, 100), x, atol=1e-5)
    assert ddim_timesteps(schedule, 5) == [999, 749, 500, 250, 0]
    with pytest.raises(ValueError, match="steps must be between"):
        ddim_timesteps(schedule, 0)


def test_the_samplers_reach_the_only_image_of_the_data_and_guidance_moves_them(schedule):
    target = torch.rand(3, 8, 8) * 2 - 1
    oracle = Oracle(schedule, target)
    g = torch.Generator().manual_seed(0)
    ddim = ddim_sample(oracle, schedule, 4, steps=20, generator=g, image_size=8, progress=False)
    assert torch.allclose(ddim, to_image_range(target).expand_as(ddim), atol=1e-4)
    ddpm = ddpm_sample(oracle, schedule, 4, generator=g, image_size=8, progress=False)
    assert (ddpm - to_image_range(target)).abs().max() < 0.05
    shifted = ddim_sample(oracle, schedule, 2, steps=20, cond=torch.full((2, 1), 0.1), guidance=2.0, generator=g,
                          image_size=8, progress=False)        # guidance 2 on a shift of 0.1: a shift of 0.2
    assert torch.allclose(shifted, to_image_range(target + 0.2).expand_as(shifted), atol=1e-4)


def test_ddim_inversion_then_sampling_gives_the_image_back(schedule):
    target = torch.rand(3, 8, 8) * 2 - 1
    oracle = Oracle(schedule, target)
    image = to_image_range(target)[None]
    noise = ddim_invert(oracle, schedule, image, steps=25, progress=False)
    assert noise.shape == (1, 3, 8, 8)
    again = ddim_sample(oracle, schedule, 1, steps=25, noise=noise, progress=False)
    assert torch.allclose(again, image, atol=1e-4)


def test_denoiser_shapes_embedding_and_bottleneck():
    model = Denoiser(image_size=16, width=8, mults=(1, 2, 2), cond_dim=8, emb_dim=16)
    x, t = torch.randn(2, 3, 16, 16), torch.tensor([0, 999])
    assert model(x, t, torch.rand(2, 8)).shape == (2, 3, 16, 16)
    assert model.bottleneck(x, t).shape == (2, 16, 4, 4)
    emb = timestep_embedding(torch.tensor([0, 1, 500]), 16)
    assert emb.shape == (3, 16) and torch.allclose(emb[0, :8], torch.ones(8))
    assert model.schedule().steps == 1000


def test_a_few_training_steps_lower_the_held_out_loss():
    torch.manual_seed(0)
    data = make_faces(64, seed=0, size=16)
    model = Denoiser(image_size=16, width=8, mults=(1, 2), cond_dim=8, emb_dim=16)
    names = list(data.factors)
    schedule = model.schedule()
    before = heldout_loss(model, schedule, data.images, data.factor_matrix(names))
    model_ema, history = train_diffusion(model, data, names, steps=60, batch_size=16, lr=3e-3, ema=0.0,
                                         generator=torch.Generator().manual_seed(0), progress=False)
    assert len(history) == 60
    assert heldout_loss(model_ema, schedule, data.images, data.factor_matrix(names)) < before
    assert to_model_range(torch.ones(1)).item() == 1.0 and to_image_range(torch.tensor([-3.0])).item() == 0.0


def test_clipping_keeps_the_estimated_image_in_range_and_changes_nothing_inside_it(schedule):
    x = torch.randn(2, 3, 4, 4)
    wild = 50 * torch.randn(2, 3, 4, 4)
    to_zero = ddim_step(schedule, x, wild, 999, -1, clip=True)       # the last step returns x0_hat itself
    assert to_zero.abs().max() <= 1.0 + 1e-6
    assert ddim_step(schedule, x, wild, 999, -1).abs().max() > 10    # unclipped, it explodes
    x0 = torch.rand(2, 3, 4, 4) * 2 - 1
    eps = torch.randn(2, 3, 4, 4)
    x_t = schedule.add_noise(x0, torch.tensor([500, 500]), eps)
    assert torch.allclose(ddim_step(schedule, x_t, eps, 500, 200, clip=True), ddim_step(schedule, x_t, eps, 500, 200),
                          atol=1e-5)


def test_v_prediction_returns_the_implied_noise_and_is_fitted_to_v(schedule):
    model = Denoiser(image_size=8, width=8, mults=(1, 2), cond_dim=2, emb_dim=16, prediction="v")
    x0 = torch.rand(5, 3, 8, 8) * 2 - 1
    g = torch.Generator().manual_seed(3)
    t = torch.randint(1000, (5,), generator=g)
    noise = torch.randn(x0.shape, generator=g)
    x_t = schedule.add_noise(x0, t, noise)
    abar = schedule.abar_at(t, x0)
    v_hat = model.output(x_t, t)
    # forward is eps = sqrt(abar) v + sqrt(1 - abar) x_t: exact when v_hat is the true v
    assert torch.allclose(model(x_t, t), abar.sqrt() * v_hat + (1 - abar).sqrt() * x_t, atol=1e-6)
    v = abar.sqrt() * noise - (1 - abar).sqrt() * x0
    assert torch.allclose(model.eps_from_output(v, x_t, t), noise, atol=1e-4)
    loss = diffusion_loss(model, schedule, x0, None, torch.Generator().manual_seed(3), p_uncond=0.0)
    assert loss.item() == pytest.approx((v_hat - v).pow(2).mean().item(), rel=1e-5)
    # the same loss is eps's error weighted by 1 / abar_t
    weighted = ((model(x_t, t) - noise).pow(2) / abar).mean()
    assert loss.item() == pytest.approx(weighted.item(), rel=1e-3)
    with pytest.raises(ValueError, match="'eps' or 'v'"):
        Denoiser(prediction="x0")


def test_noising_works_on_points_as_on_images(schedule):
    points, noise, t = torch.randn(5, 2), torch.randn(5, 2), torch.tensor([0, 10, 500, 900, 999])
    x_t = schedule.add_noise(points, t, noise)
    assert x_t.shape == (5, 2)                        # not broadcast to (5, 1, 5, 2)
    images = schedule.add_noise(points[:, :, None, None], t, noise[:, :, None, None])
    assert torch.allclose(images[:, :, 0, 0], x_t)
