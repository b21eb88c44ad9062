"""Denoising diffusion: the noise schedule, the training loss, DDPM and DDIM sampling, guidance, inversion.

The forward process adds Gaussian noise in T small steps with variances beta_1..beta_T:

    q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I)
    q(x_t | x_0)     = N(sqrt(abar_t) x_0, (1 - abar_t) I),     abar_t = prod_{s <= t} (1 - beta_s)

so x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps in one draw (`NoiseSchedule.add_noise`). A network
eps_theta(x_t, t) learns to predict eps; the ELBO of this latent-variable model (notebook 02's,
with x_1..x_T as the latents) reduces, up to weights that DDPM drops, to

    L_simple = E_{x_0, t, eps} || eps - eps_theta(x_t, t) ||^2                 (`diffusion_loss`)

Sampling runs the chain backwards. DDPM (Ho et al. 2020) takes all T stochastic steps; DDIM (Song
et al. 2021) takes a deterministic path through a subsequence of the steps, so 25-50 network
passes give images close to DDPM's 1000; run backwards, the same path maps an image to its noise
(`ddim_invert`). Classifier-free guidance (Ho & Salimans 2021) mixes the network's conditional
and unconditional predictions, eps_u + s (eps_c - eps_u), s > 1 pushing samples towards their
condition (`guided_eps`).

    schedule = NoiseSchedule.linear(1000)                     # DDPM's: beta from 1e-4 to 0.02
    loss = diffusion_loss(model, schedule, x0, factors, generator)
    images = ddim_sample(model, schedule, 16, steps=50, cond=factors, guidance=2.0, generator=g)

Images are in [-1, 1] inside this module (`to_model_range` / `to_image_range` convert the kit's
[0, 1] images).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from gentut.progress import tqdm

__all__ = ["NoiseSchedule", "to_model_range", "to_image_range", "drop_condition", "diffusion_loss", "heldout_loss",
           "guided_eps",
           "ddpm_sample", "ddim_timesteps", "ddim_step", "ddim_sample", "ddim_invert"]


def to_model_range(images: torch.Tensor) -> torch.Tensor:
    """The kit's images in [0, 1] -> the diffusion model's range [-1, 1]."""
    return 2 * images - 1


def to_image_range(x: torch.Tensor) -> torch.Tensor:
    """The diffusion model's [-1, 1] -> images in [0, 1] (clamped)."""
    return ((x + 1) / 2).clamp(0, 1)


@dataclass(frozen=True)
class NoiseSchedule:
    """The variances beta_t of the forward process, t = 0..T-1 (the papers' 1..T), and what follows.

    abar[t] = prod_{s <= t} (1 - beta_s): how much of x_0 is left in x_t.
    """

    betas: torch.Tensor

    @staticmethod
    def linear(steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> "NoiseSchedule":
        """DDPM's schedule: beta rising linearly from 1e-4 to 0.02 over 1000 steps."""
        return NoiseSchedule(torch.linspace(beta_start, beta_end, steps, dtype=torch.float64))

    @property
    def steps(self) -> int:
        return len(self.betas)

    @property
    def abar(self) -> torch.Tensor:
        """(T,) float64: the share of signal variance left at each step."""
        return torch.cumprod(1 - self.betas, 0)

    def abar_at(self, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        """abar at steps t (B,), shaped (B, 1, ..., 1) to broadcast against `like` (B, ...) and typed like
        it; t = -1 means abar = 1 (x_0)."""
        padded = torch.cat([torch.ones(1, dtype=torch.float64), self.abar])
        return padded[(t + 1).cpu()].to(like).view(-1, *[1] * (like.dim() - 1))

    def add_noise(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps: (B, C, H, W) for steps t (B,)."""
        abar = self.abar_at(t, x0)
        return abar.sqrt() * x0 + (1 - abar).sqrt() * noise


def drop_condition(cond: torch.Tensor, p: float, generator: torch.Generator) -> torch.Tensor:
    """The condition (B, K) with each row replaced by NaNs ("no condition") with probability p."""
    dropped = torch.rand(len(cond), generator=generator).to(cond.device) < p
    return torch.where(dropped[:, None], torch.full_like(cond, float("nan")), cond)


def diffusion_loss(model: nn.Module, schedule: NoiseSchedule, x0: torch.Tensor, cond: torch.Tensor | None,
                   generator: torch.Generator, p_uncond: float = 0.1) -> torch.Tensor:
    """L_simple on a batch x0 (B, 3, S, S) in [-1, 1]: a random step and noise per image, the mean
    squared error of the predicted noise. cond (B, K) is dropped per image with probability p_uncond.

    A model whose `prediction` is "v" (gentut.models.denoiser) is fitted to its own target
    v = sqrt(abar_t) eps - sqrt(1 - abar_t) x_0 instead: the same loss with eps's error weighted by
    1 / abar_t, since eps - eps_hat = sqrt(abar_t) (v - v_hat)."""
    n = len(x0)
    t = torch.randint(schedule.steps, (n,), generator=generator).to(x0.device)
    noise = torch.randn(x0.shape, generator=generator).to(x0.device)
    if cond is not None and p_uncond > 0:
        cond = drop_condition(cond, p_uncond, generator)
    x_t = schedule.add_noise(x0, t, noise)
    if getattr(model, "prediction", "eps") == "v":
        abar = schedule.abar_at(t, x0)
        return (model.output(x_t, t, cond) - (abar.sqrt() * noise - (1 - abar).sqrt() * x0)).pow(2).mean()
    return (model(x_t, t, cond) - noise).pow(2).mean()


@torch.no_grad()
def heldout_loss(model: nn.Module, schedule: NoiseSchedule, images: torch.Tensor, cond: torch.Tensor | None,
                 seed: int = 0, batch_size: int = 256) -> float:
    """L_simple on held-out images (N, 3, S, S) in [0, 1] with the condition kept, steps and noise drawn
    from `seed`: the same number for the same model on every run."""
    generator = torch.Generator().manual_seed(seed)
    total = 0.0
    for i in range(0, len(images), batch_size):
        x0 = to_model_range(images[i:i + batch_size])
        c = None if cond is None else cond[i:i + batch_size]
        total += diffusion_loss(model, schedule, x0, c, generator, p_uncond=0.0).item() * len(x0)
    return total / len(images)


def guided_eps(model: nn.Module, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None,
               guidance: float = 1.0) -> torch.Tensor:
    """Classifier-free guidance: eps_u + guidance * (eps_c - eps_u), (B, 3, S, S).

    guidance 1 is the plain conditional model, 0 the unconditional one; cond None: unconditional.
    """
    if cond is None or guidance == 1.0:
        return model(x, t, cond)
    if guidance == 0.0:
        return model(x, t, None)
    both = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([cond, torch.full_like(cond, float("nan"))]))
    conditional, unconditional = both.chunk(2)
    return unconditional + guidance * (conditional - unconditional)


@torch.no_grad()
def ddpm_sample(model: nn.Module, schedule: NoiseSchedule, n: int, *, cond: torch.Tensor | None = None,
                guidance: float = 1.0, generator: torch.Generator, image_size: int = 32,
                progress: bool = True) -> torch.Tensor:
    """Ancestral sampling through all T steps (DDPM, sigma_t^2 = beta_t): n images (n, 3, S, S) in [0, 1]."""
    device = next(model.parameters()).device
    x = torch.randn(n, 3, image_size, image_size, generator=generator).to(device)
    betas, abar = schedule.betas, schedule.abar
    for step in tqdm(range(schedule.steps - 1, -1, -1), desc="DDPM", disable=not progress):
        t = torch.full((n,), step, device=device, dtype=torch.long)
        eps = guided_eps(model, x, t, cond, guidance)
        beta, a = float(betas[step]), float(abar[step])
        x = (x - beta / (1 - a) ** 0.5 * eps) / (1 - beta) ** 0.5
        if step > 0:
            x = x + beta ** 0.5 * torch.randn(x.shape, generator=generator).to(device)
    return to_image_range(x)


def ddim_timesteps(schedule: NoiseSchedule, steps: int) -> list[int]:
    """`steps` step indices from T-1 down to 0, evenly spaced (DDIM's subsequence)."""
    if not 1 <= steps <= schedule.steps:
        raise ValueError(f"steps must be between 1 and {schedule.steps}, got {steps}")
    return torch.linspace(schedule.steps - 1, 0, steps).round().long().tolist()


def ddim_step(schedule: NoiseSchedule, x: torch.Tensor, eps: torch.Tensor, t: int, t_next: int,
              clip: bool = False, eps_for_x0: torch.Tensor | None = None) -> torch.Tensor:
    """One deterministic DDIM move from step t to step t_next (t_next = -1: to x_0), given the noise eps.

    x_0 is estimated as (x - sqrt(1 - abar_t) eps) / sqrt(abar_t) and re-noised to t_next with the
    same eps: x' = sqrt(abar_next) x0_hat + sqrt(1 - abar_next) eps. Works both ways (inversion: t_next > t).
    clip: clamp x0_hat to the data range [-1, 1] first, as the DDPM and DDIM code do when sampling
    (at t near T, sqrt(abar_t) is 0.006, so a small error in eps makes x0_hat huge); the noise is
    then re-derived from the clamped x0_hat, so the step stays on the DDIM path.
    eps_for_x0: estimate x_0 from this prediction instead, re-noising with eps as above (the
    asymmetric step of h-space editing, gentut.interpret.hspace); None: from eps itself.
    """
    n = len(x)
    a = schedule.abar_at(torch.full((n,), t), x)
    a_next = schedule.abar_at(torch.full((n,), t_next), x)
    x0_of = lambda e: (x - (1 - a).sqrt() * e) / a.sqrt()                       # noqa: E731
    x0_hat = x0_of(eps)
    if clip:
        x0_hat = x0_hat.clamp(-1, 1)
        eps = (x - a.sqrt() * x0_hat) / (1 - a).sqrt()
    if eps_for_x0 is not None:
        x0_hat = x0_of(eps_for_x0).clamp(-1, 1) if clip else x0_of(eps_for_x0)
    return a_next.sqrt() * x0_hat + (1 - a_next).sqrt() * eps


@torch.no_grad()
def ddim_sample(model: nn.Module, schedule: NoiseSchedule, n: int, *, steps: int = 50,
                cond: torch.Tensor | None = None, guidance: float = 1.0, generator: torch.Generator | None = None,
                noise: torch.Tensor | None = None, image_size: int = 32, progress: bool = True) -> torch.Tensor:
    """Deterministic DDIM sampling (eta = 0) in `steps` network passes: (n, 3, S, S) in [0, 1].

    noise: the starting x_T (n, 3, S, S) (e.g. from `ddim_invert`); otherwise drawn with `generator`.
    """
    device = next(model.parameters()).device
    x = noise.to(device) if noise is not None else torch.randn(n, 3, image_size, image_size,
                                                               generator=generator).to(device)
    times = ddim_timesteps(schedule, steps)
    for t, t_next in tqdm(list(zip(times, times[1:] + [-1])), desc="DDIM", disable=not progress):
        eps = guided_eps(model, x, torch.full((len(x),), t, device=device, dtype=torch.long), cond, guidance)
        x = ddim_step(schedule, x, eps, t, t_next, clip=True)
    return to_image_range(x)


@torch.no_grad()
def ddim_invert(model: nn.Module, schedule: NoiseSchedule, images: torch.Tensor, *, steps: int = 50,
                cond: torch.Tensor | None = None, progress: bool = True) -> torch.Tensor:
    """DDIM run backwards: images (n, 3, S, S) in [0, 1] -> the x_T that `ddim_sample` (same steps,
    same condition, guidance 1) maps back to them, approximately (each step reuses the noise
    predicted at the less noisy end)."""
    device = next(model.parameters()).device
    x = to_model_range(images.to(device))
    times = list(reversed(ddim_timesteps(schedule, steps)))                     # 0 .. T-1
    for t_prev, t in tqdm(list(zip([-1] + times[:-1], times)), desc="DDIM inversion", disable=not progress):
        t_eval = max(t_prev, 0)
        eps = model(x, torch.full((len(x),), t_eval, device=device, dtype=torch.long), cond)
        x = ddim_step(schedule, x, eps, t_prev, t)
    return x
