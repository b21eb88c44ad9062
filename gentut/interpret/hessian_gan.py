"""The Hessian penalty as a training regulariser (Peebles et al., ECCV 2020), on a toy with exact factors.

Notebook 06 measures the penalty of a trained generator; the paper *trains* with it:

    L_G = L_GAN(G) + lambda * HP(G),   HP(G) = max over outputs of Var_v(v^T H v)    (eqs. 2-4)

hoping that each z coordinate then moves one factor of the data. To see whether it does, the
data must have factors we can read back exactly: 16x16 grey images of one Gaussian blob whose
centre (x, y) is drawn uniformly. The centre of mass of an image gives the factors back
(`read_factors`), for real and for generated images alike.

    data = render_blobs(sample_factors(4096, generator))              # (N, 1, 16, 16)
    run = train_blob_gan(data, hp_weight=0.1, generator=generator)    # HessianRun: G, history
    S = factor_sensitivity(run.G, z)                                  # (2 factors, z_dim)
    factor_gap(S)                                                     # (2,): 1 = one coordinate per factor

The authors' protocol (wpeebles/hessian_penalty: train.py, training/loss.py), kept here: k = 2
Rademacher vectors per code, epsilon = 0.1, the max over the batch and the output elements,
lambda = 0.1 from the first step (their from-scratch runs set warmup_kimg 0), Adam with betas
(0, 0.99). Deviations, for a CPU and 16x16 images: an MLP generator and discriminator instead of
ProGAN; the non-saturating loss with R1 instead of WGAN-GP; the penalty on G's output image (as
their PyTorch `hessian_penalty(G, z)` is called) rather than on ProGAN's intermediate
activations 1-10 of their TensorFlow runs; z_dim = 4 for 2 factors (they use 12 for CLEVR).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from gentut.interpret.hessian import hessian_penalty
from gentut.losses import d_logistic_loss, g_nonsaturating_loss, r1_penalty
from gentut.recipes import random_batch, run_steps
from gentut.runtime import seeded_from

__all__ = ["SIZE", "FACTORS", "sample_factors", "render_blobs", "read_factors", "BlobGenerator",
           "BlobDiscriminator", "HessianRun", "train_blob_gan", "factor_sensitivity", "factor_gap", "blob_error",
           "HP_WEIGHTS", "N_SEEDS", "STEPS", "Z_DIM", "study_data", "run_hessian_gan_study", "coordinate_traversal"]

SIZE = 16                     # image side, pixels
FACTORS = ("x", "y")          # the blob's centre, in pixels
LOW, HIGH = 4.0, 11.0         # the centre's range: the blob stays inside the image, so its centre of mass is exact
BLOB_STD = 1.5                # the blob's width, pixels


def sample_factors(n: int, generator: torch.Generator) -> torch.Tensor:
    """n blob centres (n, 2), x and y uniform in [LOW, HIGH] pixels."""
    return LOW + (HIGH - LOW) * torch.rand(n, 2, generator=generator)


def render_blobs(factors: torch.Tensor) -> torch.Tensor:
    """Centres (B, 2) in pixels -> images (B, 1, SIZE, SIZE) in [0, 1], exp(-|p - c|^2 / (2 BLOB_STD^2))."""
    grid = torch.arange(SIZE, dtype=factors.dtype, device=factors.device)
    gx = torch.exp(-(grid - factors[:, :1]).pow(2) / (2 * BLOB_STD ** 2))      # (B, SIZE): columns
    gy = torch.exp(-(grid - factors[:, 1:]).pow(2) / (2 * BLOB_STD ** 2))      # (B, SIZE): rows
    return (gy[:, :, None] * gx[:, None, :])[:, None]                          # (B, 1, rows, columns)


def read_factors(images: torch.Tensor) -> torch.Tensor:
    """Images (B, 1, SIZE, SIZE) -> the centre of mass (B, 2) in pixels (x, y), negative pixels counted as 0."""
    mass = images[:, 0].clamp_min(0)                                           # (B, rows, columns)
    total = mass.sum((1, 2)).clamp_min(1e-8)
    grid = torch.arange(SIZE, dtype=images.dtype, device=images.device)
    x = (mass.sum(1) * grid).sum(1) / total
    y = (mass.sum(2) * grid).sum(1) / total
    return torch.stack([x, y], 1)


def blob_error(images: torch.Tensor) -> torch.Tensor:
    """How far each image (B, 1, SIZE, SIZE) is from the blob drawn at its own centre of mass: RMS (B,).

    0 for every real image; a generator's samples score how blob-like they are (a quality check
    that needs no discriminator).
    """
    return (images - render_blobs(read_factors(images))).pow(2).mean((1, 2, 3)).sqrt()


class BlobGenerator(nn.Module):
    """z (B, z_dim) -> images (B, 1, SIZE, SIZE) in [0, 1]: an MLP of `n_hidden` ReLU layers, sigmoid output."""

    def __init__(self, z_dim: int = 4, hidden: int = 128, n_hidden: int = 3):
        super().__init__()
        self.z_dim = z_dim
        sizes = [z_dim] + [hidden] * n_hidden
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.net = nn.Sequential(*layers, nn.Linear(hidden, SIZE * SIZE), nn.Sigmoid())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, 1, SIZE, SIZE)                             # (B, 1, SIZE, SIZE)


class BlobDiscriminator(nn.Module):
    """Images (B, 1, SIZE, SIZE) -> logits (B,): an MLP with LeakyReLU."""

    def __init__(self, hidden: int = 128):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


@dataclass
class HessianRun:
    """A trained blob GAN: its generator and the history (one dict of losses per step: d, g, hp)."""

    G: BlobGenerator
    history: list[dict[str, float]]


def train_blob_gan(data: torch.Tensor, *, hp_weight: float, steps: int = 3000, batch_size: int = 64,
                   z_dim: int = 4, lr: float = 1e-3, r1_gamma: float = 1.0, k: int = 2, epsilon: float = 0.1,
                   generator: torch.Generator, progress: bool = True, desc: str = "blob GAN") -> HessianRun:
    """Train G, D on real images `data` (N, 1, SIZE, SIZE); hp_weight * HP(G) is added to G's loss.

    HP is `hessian_penalty(G, z, k, epsilon, reduction="max")` on the batch's codes; with
    hp_weight = 0 it is still measured (on a detached graph) so both arms log the same curve.
    Networks are initialised from `generator`, batches and codes drawn from it: same seed, same run.
    """
    with seeded_from(generator):                  # initialise the nets from `generator`, not the global RNG
        G, D = BlobGenerator(z_dim), BlobDiscriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.0, 0.99))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.0, 0.99))

    def step_fn(step: int) -> dict[str, float]:
        real = data[random_batch(len(data), batch_size, generator, data.device)].requires_grad_(True)
        with torch.no_grad():
            fake = G(torch.randn(batch_size, z_dim, generator=generator))
        real_logits = D(real)
        d_loss = d_logistic_loss(real_logits, D(fake)) + r1_gamma / 2 * r1_penalty(real, real_logits)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()

        z = torch.randn(batch_size, z_dim, generator=generator)
        g_loss = g_nonsaturating_loss(D(G(z)))
        with torch.set_grad_enabled(hp_weight > 0):
            hp = hessian_penalty(G, z, k=k, epsilon=epsilon, reduction="max", generator=generator)
        loss = g_loss + hp_weight * hp if hp_weight > 0 else g_loss
        opt_g.zero_grad()
        loss.backward()
        opt_g.step()
        return {"d": d_loss.item(), "g": g_loss.item(), "hp": hp.item()}

    history = run_steps(step_fn, steps=steps, modules={"G": G, "D": D}, optimizers={"G": opt_g, "D": opt_d},
                        generator=generator, desc=desc, progress=progress)
    return HessianRun(G.eval().requires_grad_(False), history)


@torch.no_grad()
def factor_sensitivity(G: nn.Module, z: torch.Tensor, delta: float = 0.1) -> torch.Tensor:
    """How much each z coordinate moves each factor: mean |d factor / d z_i| over the codes, (2, z_dim).

    Central differences of the read-back centre, (read(G(z + delta e_i)) - read(G(z - delta e_i))) / (2 delta),
    in pixels per unit of z, at the codes z (B, z_dim).
    """
    columns = []
    for i in range(z.shape[1]):
        step = torch.zeros_like(z)
        step[:, i] = delta
        change = (read_factors(G(z + step)) - read_factors(G(z - step))) / (2 * delta)   # (B, 2)
        columns.append(change.abs().mean(0))
    return torch.stack(columns, 1)                                                        # (2, z_dim)


def factor_gap(sensitivity: torch.Tensor) -> torch.Tensor:
    """For each factor (row of sensitivity (F, z_dim)): (largest - second largest) / sum over coordinates.

    1: one coordinate alone moves the factor; 0: the two coordinates that move it most move it
    equally (a gradient-based cousin of the mutual information gap, Chen et al. 2018). (F,)
    """
    top = sensitivity.topk(2, dim=1).values                                               # (F, 2)
    return (top[:, 0] - top[:, 1]) / sensitivity.sum(1).clamp_min(1e-12)


# ----------------------------------------------------------------------------- notebook 06's recorded study

HP_WEIGHTS = (0.0, 0.1)       # without the penalty, and with the authors' lambda
N_SEEDS, STEPS, Z_DIM = 4, 1500, 4
N_DATA, N_EVAL = 4096, 512


def study_data() -> torch.Tensor:
    """The study's training images (N_DATA, 1, SIZE, SIZE): blobs at centres drawn with seed 100."""
    return render_blobs(sample_factors(N_DATA, torch.Generator().manual_seed(100)))


def run_hessian_gan_study(device: torch.device) -> dict[str, torch.Tensor]:
    """Blob GANs trained with and without the Hessian penalty, N_SEEDS seeds each, on the CPU.

    (`python -m gentut.recorded hessian_gan_study`; `device` is unused: these MLPs train fastest on
    the CPU.) The same seed gives both arms the same initial networks and batches. Keys, with
    W = len(HP_WEIGHTS), S = N_SEEDS: "hp_weight" (W,); "sensitivity" (W, S, 2, Z_DIM) and "gap"
    (W, S, 2) on N_EVAL held-out codes; "penalty" (W, S), the Hessian penalty of the trained G's
    output (mean over pixels and codes, k = 8); "spread" (W, S, 2): the std of each read-back factor
    over the samples divided by the data's; "blob_error" (W, S): mean RMS distance of a sample
    to a clean blob; "hp_curve" (W, S, STEPS): the penalty logged at each training step;
    "traversal" (W, Z_DIM, 7, SIZE, SIZE): seed 0's images as each coordinate moves from -2 to 2.
    """
    data = study_data()
    data_std = read_factors(data).std(0)                                        # (2,)
    z = torch.randn(N_EVAL, Z_DIM, generator=torch.Generator().manual_seed(7))
    out: dict[str, list] = {key: [] for key in ("sensitivity", "gap", "penalty", "spread", "blob_error", "hp_curve")}
    traversal = []
    for weight in HP_WEIGHTS:
        for seed in range(N_SEEDS):
            run = train_blob_gan(data, hp_weight=weight, steps=STEPS, z_dim=Z_DIM,
                                 generator=torch.Generator().manual_seed(seed), desc=f"lambda {weight}, seed {seed}")
            sensitivity = factor_sensitivity(run.G, z)
            with torch.no_grad():
                samples = run.G(z)
            out["sensitivity"].append(sensitivity)
            out["gap"].append(factor_gap(sensitivity))
            out["penalty"].append(hessian_penalty(run.G, z, k=8, reduction="mean",
                                                  generator=torch.Generator().manual_seed(1)))
            out["spread"].append(read_factors(samples).std(0) / data_std)
            out["blob_error"].append(blob_error(samples).mean())
            out["hp_curve"].append(torch.tensor([h["hp"] for h in run.history]))
            if seed == 0:
                traversal.append(coordinate_traversal(run.G))
    shape = (len(HP_WEIGHTS), N_SEEDS)
    tensors = {key: torch.stack(values).reshape(*shape, *values[0].shape) for key, values in out.items()}
    return {"hp_weight": torch.tensor(HP_WEIGHTS), **tensors, "traversal": torch.stack(traversal)}


@torch.no_grad()
def coordinate_traversal(G: nn.Module, n_steps: int = 7, extent: float = 2.0) -> torch.Tensor:
    """Images (z_dim, n_steps, SIZE, SIZE): G at z = t e_i, t from -extent to extent, one row per coordinate i."""
    t = torch.linspace(-extent, extent, n_steps)
    z = torch.eye(G.z_dim)[:, None, :] * t[None, :, None]                     # (z_dim, n_steps, z_dim)
    return G(z.reshape(-1, G.z_dim)).reshape(G.z_dim, n_steps, SIZE, SIZE)
