"""The denoiser of the kit's diffusion model: a small U-Net that predicts the noise in a noisy image.

    eps_hat = model(x_t, t, factors)        # (B, 3, 32, 32), (B,) step indices, (B, 8) or None

What the network itself outputs is either the noise eps (DDPM) or v = sqrt(abar_t) eps -
sqrt(1 - abar_t) x_0 (`prediction="v"`, Salimans & Ho 2022); `forward` always returns eps, so
the samplers in gentut.diffusion work with either, and `output` gives the network's own target
(what gentut.diffusion.diffusion_loss fits). Why v: near t = T the image is almost pure noise and
eps is almost x_t itself, so an eps network must get a residual of size sqrt(abar_t) ~ 0.006 right
to say anything about x_0; its x_0 estimates there were off by 1.4 (in [-1, 1]) on average for the
first eps model, which set the wrong colours early in sampling. v is x_0-like at high noise and
eps-like at low noise.

Inputs: a noisy image x_t in the model's range [-1, 1], the step t (an integer 0..T-1, embedded
with sinusoids as in the Transformer and DDPM), and the condition: the face factors in [0, 1]
(B, cond_dim), or None for "no condition". One network serves both: during training the
condition is dropped for a share of the images (classifier-free guidance, Ho & Salimans 2021),
and a dropped condition is the zero vector with its "present" flag at 0.

Architecture (DDPM's U-Net, made small for a CPU): residual blocks (GroupNorm, SiLU, 3x3 conv)
that add the time-and-condition embedding to their features; two blocks per resolution, 32x32 ->
16x16 -> 8x8 and back up, with skip connections; no attention (it costs more than it gives at 8x8
on a CPU). `bottleneck` returns the 8x8 middle activations: the "h-space" where notebook 10 looks
for semantic directions (Kwon et al., 2023).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["timestep_embedding", "ResBlock", "Denoiser"]


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal embedding of step indices t (B,) -> (B, dim): cos and sin at dim / 2 frequencies."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    angles = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=1)


class ResBlock(nn.Module):
    """x (B, c_in, H, W), embedding (B, emb_dim) -> (B, c_out, H, W): two convolutions, the embedding
    added between them, and a skip connection (a 1x1 convolution when the channels change)."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(8, c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, c_out)
        self.norm2, self.conv2 = nn.GroupNorm(8, c_out), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class Denoiser(nn.Module):
    """Noise prediction eps(x_t, t, c): (B, 3, S, S), (B,), (B, cond_dim) or None -> (B, 3, S, S)."""

    def __init__(self, image_size: int = 32, width: int = 32, mults: tuple[int, ...] = (1, 2, 2),
                 cond_dim: int = 8, emb_dim: int = 128, timesteps: int = 1000, prediction: str = "eps"):
        super().__init__()
        if prediction not in ("eps", "v"):
            raise ValueError(f"prediction must be 'eps' or 'v', got {prediction!r}")
        self.image_size, self.cond_dim, self.timesteps, self.prediction = image_size, cond_dim, timesteps, prediction
        self.register_buffer("abar", self.schedule().abar.float(), persistent=False)   # (T,), not saved
        self.time_mlp = nn.Sequential(nn.Linear(emb_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.cond_mlp = nn.Sequential(nn.Linear(cond_dim + 1, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.emb_dim = emb_dim
        channels = [width * m for m in mults]
        self.stem = nn.Conv2d(3, channels[0], 3, padding=1)
        self.down = nn.ModuleList()
        c_prev = channels[0]
        for c in channels:
            self.down.append(nn.ModuleList([ResBlock(c_prev, c, emb_dim), ResBlock(c, c, emb_dim)]))
            c_prev = c
        self.middle = nn.ModuleList([ResBlock(c_prev, c_prev, emb_dim), ResBlock(c_prev, c_prev, emb_dim)])
        self.up = nn.ModuleList()
        for c in reversed(channels):
            self.up.append(nn.ModuleList([ResBlock(c_prev + c, c, emb_dim), ResBlock(c, c, emb_dim)]))
            c_prev = c
        self.head = nn.Sequential(nn.GroupNorm(8, c_prev), nn.SiLU(), nn.Conv2d(c_prev, 3, 3, padding=1))

    def schedule(self):
        """The noise schedule this denoiser was trained with (gentut.diffusion.NoiseSchedule.linear)."""
        from gentut.diffusion import NoiseSchedule
        return NoiseSchedule.linear(self.timesteps)

    def embedding(self, t: torch.Tensor, cond: torch.Tensor | None) -> torch.Tensor:
        """The time-and-condition embedding (B, emb_dim); cond None (or a row of NaNs) means no condition."""
        n = len(t)
        if cond is None:
            cond = torch.full((n, self.cond_dim), float("nan"), device=t.device)
        present = ~torch.isnan(cond).any(1, keepdim=True)
        cond_in = torch.cat([torch.nan_to_num(cond) * present, present.float()], dim=1)
        return self.time_mlp(timestep_embedding(t, self.emb_dim)) + self.cond_mlp(cond_in)

    def encode(self, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None = None):
        """The contracting half: (bottleneck activations (B, C, S/4, S/4), skips, embedding)."""
        emb = self.embedding(t, cond)
        h, skips = self.stem(x), []
        for i, (block1, block2) in enumerate(self.down):
            if i > 0:
                h = F.avg_pool2d(h, 2)
            h = block2(block1(h, emb), emb)
            skips.append(h)
        for block in self.middle:
            h = block(h, emb)
        return h, skips, emb

    def bottleneck(self, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """The middle activations, "h-space": (B, C, S/4, S/4)."""
        return self.encode(x, t, cond)[0]

    def decode(self, h: torch.Tensor, skips: list[torch.Tensor], emb: torch.Tensor) -> torch.Tensor:
        """The expanding half: bottleneck h and the skips -> the predicted noise (B, 3, S, S)."""
        for i, (block1, block2) in enumerate(self.up):
            if i > 0:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = block2(block1(torch.cat([h, skips[-1 - i]], 1), emb), emb)
        return self.head(h)

    def output(self, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """What the network predicts, eps or v (self.prediction): (B, 3, S, S)."""
        h, skips, emb = self.encode(x, t, cond)
        return self.decode(h, skips, emb)

    def eps_from_output(self, out: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """The noise implied by the network's output at x_t: out itself, or from v,
        eps = sqrt(abar_t) v + sqrt(1 - abar_t) x_t."""
        if self.prediction == "eps":
            return out
        abar = self.abar[t][:, None, None, None]
        return abar.sqrt() * out + (1 - abar).sqrt() * x

    def forward(self, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        """(B, 3, S, S) in [-1, 1], steps (B,), factors (B, cond_dim) or None -> eps_hat (B, 3, S, S)."""
        return self.eps_from_output(self.output(x, t, cond), x, t)
