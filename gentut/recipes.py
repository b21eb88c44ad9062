"""How each zoo model is trained: one recipe per kind of model, all on one resumable loop.

    run_steps(step_fn, steps=..., modules=..., optimizers=..., generator=...)

calls `step_fn(step) -> {loss name: value}` `steps` times with a progress bar, stops on a
non-finite loss, and (given `state_path`) saves everything needed to resume -- weights,
optimizer moments, the random generator and the loss history -- every `save_every` steps
(gentut/run_state.py: what is saved, and how a resumed state is checked).
Batches are drawn with the passed generator, so a run is repeatable from its seed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.data.batch import LabeledImages
from gentut.data.degrade import degrade
from gentut.interpret.edits import broadcast_ws
from gentut.interpret.rescoring import tie_penalty
from gentut.losses import (d_logistic_loss, discretized_logistic_nll, g_nonsaturating_loss, kl_to_standard_normal,
                           path_lengths, quantize_8bit, r1_penalty)
from gentut.progress import tqdm
from gentut.run_state import TrainingStateError, read_state, restore_state, save_state
from gentut.training import TrainingDiverged
from gentut.translation import CycleGANWeights, cyclegan_step, one_hot_labels, pix2pix_step

__all__ = ["run_steps", "train_supervised", "train_predictor", "train_segmenter", "train_vae", "ReadingMemory", "train_gan",
           "train_pix2pix", "train_cyclegan", "train_encoder", "train_diffusion"]


def run_steps(step_fn: Callable[[int], dict[str, float]], *, steps: int, modules: dict[str, nn.Module],
              optimizers: dict[str, torch.optim.Optimizer], generator: torch.Generator,
              schedulers: dict[str, torch.optim.lr_scheduler.LRScheduler] | None = None,
              state_path: Path | None = None, state_meta: dict | None = None, save_every: int = 250,
              desc: str = "training", progress: bool = True) -> list[dict[str, float]]:
    """Run `step_fn` for steps [start, steps), resuming from `state_path` if it exists.

    state_meta: a description of the run (model, config, data) saved with the state; a state
    saved with another description is refused (gentut.run_state.TrainingStateError), as is one
    that is unreadable or already past `steps`. Returns the history: one dict of losses per step
    (including the resumed ones).
    """
    start, history, schedulers = 0, [], schedulers or {}
    if state_path is not None and state_path.exists():
        state = read_state(state_path, state_meta)
        start, history = restore_state(state, state_path, modules, optimizers, schedulers, generator)
        if start > steps:
            raise TrainingStateError(f"{state_path} is at step {start}, past the {steps} steps asked for; resume "
                                     f"with steps={state.get('steps', start)}, or start over (--restart).")
    for module in modules.values():
        module.train()
    bar = tqdm(range(start, steps), initial=start, total=steps, desc=desc, disable=not progress)
    for step in bar:
        losses = step_fn(step)
        if not all(torch.isfinite(torch.tensor(v)) for v in losses.values()):
            raise TrainingDiverged(
                f"{desc}: a loss became non-finite at step {step} ({losses}). "
                + (f"The last good state (every {save_every} steps) is in {state_path}; " if state_path else "")
                + "lower the learning rate and train again (with --resume to continue).")
        history.append(losses)
        if step % 25 == 0:
            bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()})
        if state_path is not None and ((step + 1) % save_every == 0 or step + 1 == steps):
            save_state(state_path, step=step + 1, steps=steps, meta=state_meta, history=history, generator=generator,
                       modules=modules, optimizers=optimizers, schedulers=schedulers)
    for module in modules.values():
        module.eval()
    return history


def random_batch(n: int, batch_size: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """Indices of a random batch (batch_size,) drawn with `generator`, on `device`."""
    return torch.randint(n, (batch_size,), generator=generator).to(device)


def train_supervised(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor,
                     loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], *, steps: int,
                     batch_size: int = 64, lr: float = 2e-3, degrade_inputs: bool = False,
                     generator: torch.Generator, **run_args):
    """Minimise loss_fn(model(inputs[batch]), targets[batch]) with Adam and a one-cycle schedule.

    degrade_inputs: blur and add noise to each batch at random (gentut.data.degrade), so that a
    predictor or segmenter trained on crisp renders also reads a generator's softer samples.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps)

    def step_fn(step):
        idx = random_batch(len(inputs), batch_size, generator, inputs.device)
        x = degrade(inputs[idx], generator) if degrade_inputs else inputs[idx]
        loss = loss_fn(model(x), targets[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        return {"loss": loss.item()}

    return run_steps(step_fn, steps=steps, modules={"model": model}, optimizers={"model": optimizer},
                     schedulers={"model": schedule}, generator=generator, **run_args)


def train_predictor(model: nn.Module, data: LabeledImages, factor_names: list[str], **train_args):
    """Fit factor estimates: BCE between sigmoid(model(x)) (B, K) and the factor values in [0, 1]."""
    return train_supervised(model, data.images, data.factor_matrix(factor_names),
                            F.binary_cross_entropy_with_logits, **train_args)


def train_segmenter(model: nn.Module, data: LabeledImages, **train_args):
    """Fit per-pixel classes: cross-entropy between model(x) (B, K, S, S) and the masks (B, S, S)."""
    return train_supervised(model, data.images, data.masks, F.cross_entropy, **train_args)


def train_vae(model: nn.Module, data: LabeledImages, *, steps: int, batch_size: int = 64, lr: float = 1e-3,
              beta: float = 1.0, generator: torch.Generator, **run_args):
    """Minimise -ELBO = -log p(x | z) + beta * KL in nats per image, on the 8-bit images
    (`quantize_8bit`) under the ConvVAE's discretized logistic p(x | z)."""
    device = data.images.device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def step_fn(step):
        x = quantize_8bit(data.images[random_batch(len(data), batch_size, generator, device)])
        mean, log_scale, mu, logvar = model(x, generator)
        rec = discretized_logistic_nll(x, mean, log_scale).mean()
        kl = kl_to_standard_normal(mu, logvar).mean()
        loss = rec + beta * kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"rec": rec.item(), "kl": kl.item()}

    return run_steps(step_fn, steps=steps, modules={"model": model}, optimizers={"model": optimizer},
                     generator=generator, **run_args)


class ReadingMemory(nn.Module):
    """The last `batches` batches of predictor readings, newest first, for train_gan's tie penalty.

    Buffers, not a list, so that a saved training state carries them and a resumed run is the
    same run as an uninterrupted one.
    """

    def __init__(self, batches: int, batch_size: int, n_factors: int):
        super().__init__()
        self.register_buffer("readings", torch.zeros(batches * batch_size, n_factors))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    def pool(self, readings: torch.Tensor) -> torch.Tensor:
        """readings (B, K), with gradients -> (B + remembered, K): them, then the remembered
        ones; then remember them (detached) in place of the oldest."""
        pooled = torch.cat([readings, self.readings[:int(self.count)]])
        self.readings.copy_(torch.cat([readings.detach(), self.readings])[:len(self.readings)])
        self.count.fill_(min(int(self.count) + len(readings), len(self.readings)))
        return pooled


def train_gan(G: nn.Module, D: nn.Module, data: LabeledImages, *, steps: int, batch_size: int = 32,
              lr: float = 2e-3, betas: tuple[float, float] = (0.0, 0.99), r1_gamma: float = 1.0,
              r1_every: int = 4, ema_beta: float = 0.998, mapping_lr_mult: float = 0.01,
              style_mixing: float = 0.0, pl_weight: float = 0.0, pl_every: int = 4,
              tie_weight: float = 0.0, tie_predictor: nn.Module | None = None,
              tie_reference: torch.Tensor | None = None, tie_every: int = 2, tie_batch: int = 32,
              tie_memory: int = 7, generator: torch.Generator, **run_args) -> tuple[nn.Module, list[dict[str, float]]]:
    """Non-saturating GAN with lazy R1 on the discriminator and an EMA copy of the generator.

    Returns (G_ema, history). G_ema, the running average of G's weights, draws cleaner images
    than G itself and is what the zoo ships. For a StyleGenerator: its mapping network learns at
    `mapping_lr_mult` times the rate (StyleGAN's 0.01 is set for 25M images; over the few hundred
    thousand images of a CPU run it leaves the mapping nearly at its random start, and faces_stylegan
    uses 0.3); a share `style_mixing` of the fakes mix two codes
    (`StyleGenerator.sample_ws`); `pl_weight` > 0 adds StyleGAN2's path length penalty every
    `pl_every` steps on half a batch; at the end `w_avg` is set to the mean w of 10,000 codes.

    `tie_weight` > 0 (a StyleGenerator only) keeps the factors' correlations as in the data: every
    `tie_every` G steps, `tie_batch` fresh *unmixed* codes are drawn (mixing would decorrelate factors
    drawn at different layers by construction and hide the ties), `tie_predictor` (frozen) reads
    their images, and the G loss adds tie_every x tie_weight x `tie_penalty` of those readings, pooled
    with the last `tie_memory` such batches (detached, for a steadier estimate), against
    `tie_reference` (M, K), its readings of real images. Without it each training run of faces_stylegan
    invented its own ties between factors the data keeps apart, and InterFaceGAN's boundaries
    inherited them as side effects (issue 11; benchmarks/faces_generator_screen.py has the figures).
    faces_stylegan trains with it (tie_weight 1, faces_predictor), so the predictor that judges its
    edits in notebook 05 also shaped it; the screen judged it with a second predictor too.
    """
    if tie_weight > 0 and (tie_predictor is None or tie_reference is None or not hasattr(G, "mapping")):
        raise ValueError("tie_weight > 0 needs a style generator, tie_predictor (a frozen attribute predictor) "
                         "and tie_reference (its readings of real images, (M, K))")
    device = data.images.device
    G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    styled = hasattr(G, "mapping")
    mapping = list(G.mapping.parameters()) if styled else []
    others = [p for p in G.parameters() if all(p is not q for q in mapping)]
    groups = [{"params": others}] + ([{"params": mapping, "lr": lr * mapping_lr_mult}] if mapping else [])
    opt_g = torch.optim.Adam(groups, lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    pl_mean = torch.zeros((), device=device)
    memory = ReadingMemory(tie_memory, tie_batch, tie_reference.shape[1]).to(device) if tie_weight > 0 else None

    def fakes(n):
        if styled:
            return G.synthesis(G.sample_ws(n, generator, mixing=style_mixing))
        return G(torch.randn(n, G.z_dim, generator=generator).to(device))

    def step_fn(step):
        nonlocal pl_mean
        real = data.images[random_batch(len(data), batch_size, generator, device)]
        with torch.no_grad():
            fake = fakes(batch_size)
        d_loss = d_logistic_loss(D(real), D(fake))
        r1 = torch.zeros(())
        if step % r1_every == 0:
            real = real.detach().requires_grad_(True)
            r1 = r1_penalty(real, D(real))
            d_loss = d_loss + r1_gamma / 2 * r1 * r1_every
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()

        g_loss = g_nonsaturating_loss(D(fakes(batch_size)))
        ties = torch.zeros(())
        if memory is not None and step % tie_every == tie_every - 1:
            readings = torch.sigmoid(tie_predictor(G.synthesis(G.sample_ws(tie_batch, generator, mixing=0.0))))
            ties = tie_penalty(memory.pool(readings), tie_reference)
            g_loss = g_loss + tie_every * tie_weight * ties
        pl = torch.zeros(())
        if pl_weight > 0 and step % pl_every == 0:
            ws = G.sample_ws(max(batch_size // 2, 1), generator, mixing=style_mixing)
            lengths = path_lengths(G.synthesis(ws), ws, generator)
            pl_mean = pl_mean.lerp(lengths.mean().detach(), 0.01)
            pl = (lengths - pl_mean).pow(2).mean()
            g_loss = g_loss + pl_weight * pl_every * pl
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        update_ema(G_ema, G, ema_beta)
        losses = {"d": d_loss.item(), "g": g_loss.item(), "r1": r1.item(), "pl": pl.item()}
        return losses | ({"ties": ties.item()} if memory is not None else {})

    modules = {"G": G, "D": D, "G_ema": G_ema} | ({"tie_memory": memory} if memory is not None else {})
    history = run_steps(step_fn, steps=steps, modules=modules,
                        optimizers={"G": opt_g, "D": opt_d}, generator=generator, **run_args)
    if styled:                                        # the centre that truncation pulls towards
        with torch.no_grad():
            z = torch.randn(10000, G_ema.z_dim, generator=generator).to(device)
            G_ema.w_avg.copy_(G_ema.mapping(z).mean(0))
    return G_ema, history


def train_pix2pix(G: nn.Module, D: nn.Module, data: LabeledImages, *, steps: int, batch_size: int = 32,
                  lr: float = 2e-4, betas: tuple[float, float] = (0.5, 0.999), lambda_l1: float = 100.0,
                  lambda_gan: float = 1.0, generator: torch.Generator, **run_args) -> list[dict[str, float]]:
    """pix2pix on scenes: label map (one-hot) -> image, L1 + conditional PatchGAN (gentut.translation).

    lambda_gan = 0: "L1 only" (D is not trained); lambda_l1 = 0: "cGAN only".
    """
    device = data.images.device
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)

    def step_fn(step):
        idx = random_batch(len(data), batch_size, generator, device)
        return pix2pix_step(G, D, opt_g, opt_d, one_hot_labels(data.masks[idx]), data.images[idx],
                            lambda_l1=lambda_l1, lambda_gan=lambda_gan)

    return run_steps(step_fn, steps=steps, modules={"G": G, "D": D}, optimizers={"G": opt_g, "D": opt_d},
                     generator=generator, **run_args)


def train_cyclegan(pair: nn.Module, D_X: nn.Module, D_Y: nn.Module, domain_x: LabeledImages,
                   domain_y: LabeledImages, *, steps: int, batch_size: int = 16, lr: float = 2e-4,
                   betas: tuple[float, float] = (0.5, 0.999), lambda_cyc: float = 10.0,
                   lambda_identity: float = 5.0, generator: torch.Generator, **run_args) -> list[dict[str, float]]:
    """CycleGAN (gentut.translation): pair.G: X -> Y and pair.F: Y -> X from unpaired batches, each
    drawn independently from its own domain. lambda_cyc = lambda_identity = 0: the GAN-only ablation."""
    device = domain_x.images.device
    weights = CycleGANWeights(cycle=lambda_cyc, identity=lambda_identity)
    opt_g = torch.optim.Adam(pair.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam([*D_X.parameters(), *D_Y.parameters()], lr=lr, betas=betas)

    def step_fn(step):
        x = domain_x.images[random_batch(len(domain_x), batch_size, generator, device)]
        y = domain_y.images[random_batch(len(domain_y), batch_size, generator, device)]
        return cyclegan_step(pair, D_X, D_Y, opt_g, opt_d, x, y, weights)

    return run_steps(step_fn, steps=steps, modules={"pair": pair, "D_X": D_X, "D_Y": D_Y},
                     optimizers={"G": opt_g, "D": opt_d}, generator=generator, **run_args)


def train_encoder(E: nn.Module, G: nn.Module, *, steps: int, batch_size: int = 32, lr: float = 1e-3,
                  pixel_weight: float = 10.0, generator: torch.Generator, **run_args) -> list[dict[str, float]]:
    """An encoder E: image -> w (gentut.invert.encoder) on pairs drawn by the frozen style generator G:

        w = G.mapping(z), x = G.synthesis(w):   ||E(x) - w||^2 + pixel_weight * ||G.synthesis(E(x)) - x||^2

    (means over code dimensions and pixels; In-Domain GAN Inversion, Zhu et al. 2020, eq. 1 plus
    a reconstruction term). E.w_avg is set to G.w_avg first; G is not changed.
    """
    device = next(G.parameters()).device
    E.w_avg.copy_(G.w_avg)
    optimizer = torch.optim.Adam(E.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps)

    def step_fn(step):
        with torch.no_grad():
            w = G.mapping(torch.randn(batch_size, G.z_dim, generator=generator).to(device))   # (B, w_dim)
            x = G.synthesis(broadcast_ws(G, w))                                                 # (B, 3, S, S)
        w_hat = E(x)
        latent = (w_hat - w).pow(2).mean()
        pixel = (G.synthesis(broadcast_ws(G, w_hat)) - x).pow(2).mean()
        loss = latent + pixel_weight * pixel
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        return {"latent": latent.item(), "pixel": pixel.item()}

    return run_steps(step_fn, steps=steps, modules={"E": E}, optimizers={"E": optimizer},
                     schedulers={"E": schedule}, generator=generator, **run_args)


def train_diffusion(model: nn.Module, data: LabeledImages, factor_names: list[str], *, steps: int,
                    batch_size: int = 64, lr: float = 2e-4, p_uncond: float = 0.1, ema: float = 0.999,
                    generator: torch.Generator, **run_args) -> tuple[nn.Module, list[dict[str, float]]]:
    """A conditional denoiser (gentut.models.denoiser) with L_simple (gentut.diffusion.diffusion_loss):
    images in [-1, 1], the face factors as the condition, dropped with probability p_uncond so that
    the same network is also the unconditional model (classifier-free guidance). Adam at `lr` (DDPM's
    2e-4); returns (the exponential moving average of the weights, beta = ema, as DDPM samples with;
    the loss history)."""
    from gentut.diffusion import diffusion_loss, to_model_range
    schedule = model.schedule()
    device = data.images.device
    factors = data.factor_matrix(factor_names)
    model_ema = copy.deepcopy(model).eval().requires_grad_(False)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def step_fn(step):
        index = random_batch(len(data), batch_size, generator, device)
        loss = diffusion_loss(model, schedule, to_model_range(data.images[index]), factors[index], generator, p_uncond)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        update_ema(model_ema, model, ema)
        return {"loss": loss.item()}

    history = run_steps(step_fn, steps=steps, modules={"model": model, "model_ema": model_ema},
                        optimizers={"model": optimizer}, generator=generator, **run_args)
    return model_ema, history


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, beta: float) -> None:
    """ema <- beta * ema + (1 - beta) * model for the parameters; buffers (BatchNorm statistics) are copied."""
    for p_ema, p in zip(ema.parameters(), model.parameters()):
        p_ema.lerp_(p, 1 - beta)
    for b_ema, b in zip(ema.buffers(), model.buffers()):
        b_ema.copy_(b)
