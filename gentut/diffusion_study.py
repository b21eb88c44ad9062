"""Notebook 10's study: the diffusion model's quality against steps, guidance, inversion and h-space.

    tensors = run_diffusion_study(device)      # what `python -m gentut.recorded diffusion_study` records
    cond = study_conditions(seed=0)            # (N_GROUPS * PER_GROUP, 8): the conditions of one seed's samples

Sampling 512 faces at four step counts, four guidance scales and two seeds, inverting 20 real
faces and fitting and re-scoring h-space directions takes about a quarter of an hour on a 2-core
CPU, so notebook 10 reads the numbers from the recording and re-runs small parts live. Every part
is deterministic: conditions and starting noise come from fixed seeds, and DDIM itself has no
randomness.

The protocols:
* Quality: Fréchet distance to 500 test faces in the attribute predictor's features (the zoo's
  protocol, benchmarks/zoo_quality.py) on 512 samples per seed, against the style GAN's 512
  samples and 512 held-out real faces from the validation split (the floor for this sample size).
  The diffusion samples are conditioned on factors drawn from the training split (guidance 1):
  a draw from the model's p(x), as a GAN sample is.
* Guidance: the conditions come in N_GROUPS groups of PER_GROUP samples that share one condition.
  Success: per sample, the share of the five thresholded factors (smile, eyeglasses, age, yaw,
  hair length) on the side the condition asked for, as the predictor reads it. Diversity: per
  group, the mean distance between its samples' predictor features.
* Inversion: notebook 07's 20 real test faces; the condition is what the predictor reads from the
  face (no labels, as for a photograph); DDIM inversion and reconstruction with INVERT_STEPS steps.
  Edits re-generate from the inverted noise with one factor of the condition moved to the other
  side (1 if it read below 0.5, else 0); gain and drift as notebook 07 measures them
  (gentut.invert.editability.edit_scores: the edited factor's signed change towards the other
  side, the mean absolute change of the other factors).
* h-space against W: InterFaceGAN boundaries on N_HSPACE unconditional samples' bottleneck
  activations (gentut.interpret.hspace) and on as many of the style GAN's W codes, both with
  ratio 0.1; each direction re-scored at STRENGTH standard deviations on N_RESCORE new samples
  (h-space also at 10 and 30: a standard deviation along one of 4,096 directions is a small push).
"""

from __future__ import annotations

import time

import torch
import torch.nn as nn

from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import load_split
from gentut.diffusion import ddim_invert, ddim_sample, ddpm_sample
from gentut.evaluate import predictor_features, sample_images
from gentut.interpret.edits import broadcast_ws, direction_changes, render_ws, sample_latents
from gentut.interpret.hspace import hspace_sample, record_hspace
from gentut.interpret.rescoring import fit_boundaries, stack_normals, std_steps
from gentut.invert.study import EDITS, study_faces
from gentut.metrics import frechet_distance, psnr

__all__ = ["STEPS", "GUIDANCE", "SEEDS", "N_GROUPS", "PER_GROUP", "THRESHOLDED", "INVERT_STEPS", "SAMPLE_STEPS",
           "N_HSPACE", "N_RESCORE", "STRENGTH", "HSPACE_STRENGTHS", "FACTOR_NAMES", "study_conditions", "study_noise", "draw",
           "success", "group_diversity", "invert_and_edit", "hspace_noise", "seconds_per_image", "run_diffusion_study"]

STEPS = (5, 10, 25, 50)                 # DDIM steps of the quality-against-steps table
GUIDANCE = (0.0, 1.0, 2.0, 4.0)          # classifier-free guidance scales
SEEDS = (0, 1)
N_GROUPS, PER_GROUP = 64, 8              # 512 samples per seed: 64 conditions, 8 samples each
SAMPLE_STEPS = 25                        # DDIM steps of the guidance and h-space parts
INVERT_STEPS = 50
N_HSPACE, N_RESCORE, STRENGTH = 2000, 150, 3.0
HSPACE_STRENGTHS = (3.0, 10.0, 30.0)     # h-space is also re-scored further out: 4,096 dimensions, not 64
FACTOR_NAMES = [f.name for f in FACE_FACTORS]
THRESHOLDED = [i for i, f in enumerate(FACE_FACTORS) if f.kind == "binary" or f.threshold is not None]


def study_conditions(seed: int) -> torch.Tensor:
    """(N_GROUPS * PER_GROUP, 8) conditions: N_GROUPS rows of the training split's factors, each
    repeated PER_GROUP times (consecutive samples share a condition)."""
    factors = load_split("faces", "train").factor_matrix(FACTOR_NAMES)
    rows = torch.randint(len(factors), (N_GROUPS,), generator=torch.Generator().manual_seed(1000 + seed))
    return factors[rows].repeat_interleave(PER_GROUP, 0)


def study_noise(seed: int, size: int = 32) -> torch.Tensor:
    """The starting noise x_T of one seed's samples: (N_GROUPS * PER_GROUP, 3, size, size)."""
    return torch.randn(N_GROUPS * PER_GROUP, 3, size, size, generator=torch.Generator().manual_seed(2000 + seed))


def draw(model: nn.Module, steps: int, guidance: float, seed: int, batch_size: int = 256) -> torch.Tensor:
    """One seed's samples (N_GROUPS * PER_GROUP, 3, 32, 32) in [0, 1]: DDIM at `steps`, its conditions and noise."""
    cond, noise = study_conditions(seed), study_noise(seed)
    device = next(model.parameters()).device
    return torch.cat([ddim_sample(model, model.schedule(), len(c), steps=steps, cond=c.to(device), guidance=guidance,
                                  noise=x, progress=False).cpu()
                      for c, x in zip(cond.split(batch_size), noise.split(batch_size))])


def success(readings: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
    """Per sample, the share of the thresholded factors on the side the condition asked for:
    readings and cond (N, 8) in [0, 1] -> (N,)."""
    return ((readings[:, THRESHOLDED] > 0.5) == (cond[:, THRESHOLDED].to(readings) > 0.5)).float().mean(1)


def group_diversity(features: torch.Tensor, per_group: int = PER_GROUP) -> torch.Tensor:
    """Mean pairwise distance of the features (N, F) within each group of `per_group` consecutive
    samples: (N / per_group,)."""
    groups = features.reshape(-1, per_group, features.shape[1])
    distances = torch.cdist(groups, groups)                                     # (G, P, P)
    return distances.sum((1, 2)) / (per_group * (per_group - 1))


@torch.no_grad()
def invert_and_edit(model: nn.Module, predictor: nn.Module, faces: torch.Tensor,
                    steps: int = INVERT_STEPS) -> dict[str, torch.Tensor]:
    """DDIM inversion of faces (n, 3, 32, 32) under the condition the predictor reads, reconstruction,
    and one re-generation per factor in EDITS with that factor moved to the other side.

    Returns {"noise": x_T (n, 3, 32, 32), "reconstruction": (n, 3, 32, 32), "psnr": (n,), and per
    edit "edited/{name}" (n, 3, 32, 32), "gain/{name}" (n,), "drift/{name}" (n,)}, on the CPU.
    """
    schedule = model.schedule()
    cond = predictor.predict(faces)
    noise = ddim_invert(model, schedule, faces, steps=steps, cond=cond, progress=False)
    recon = ddim_sample(model, schedule, len(faces), steps=steps, cond=cond, noise=noise, progress=False)
    out = {"noise": noise.cpu(), "reconstruction": recon.cpu(), "psnr": psnr(recon, faces).cpu()}
    before = predictor.predict(recon)
    for name in EDITS:
        k = FACTOR_NAMES.index(name)
        moved = cond.clone()
        moved[:, k] = (cond[:, k] < 0.5).float()
        edited = ddim_sample(model, schedule, len(faces), steps=steps, cond=moved, noise=noise, progress=False)
        change = predictor.predict(edited) - before
        sign = torch.where(before[:, k] < 0.5, 1.0, -1.0)
        others = [j for j in range(len(FACTOR_NAMES)) if j != k]
        out[f"edited/{name}"] = edited.cpu()
        out[f"gain/{name}"] = (sign * change[:, k]).cpu()
        out[f"drift/{name}"] = change[:, others].abs().mean(1).cpu()
    return out


def hspace_noise(n: int, seed: int) -> torch.Tensor:
    """Starting noise for the h-space part: (n, 3, 32, 32), seed 3000 + seed."""
    return torch.randn(n, 3, 32, 32, generator=torch.Generator().manual_seed(3000 + seed))


def seconds_per_image(fn, n: int) -> float:
    """Seconds per image of fn(), which makes n images: the median of 3 runs, divided by n."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[1] / n


@torch.no_grad()
def run_diffusion_study(device: torch.device) -> dict[str, torch.Tensor]:
    """The whole study on `device`: what gentut.recorded records. Keys (S seeds):

    "steps" (4,), "fd/ddim" (4, S), "fd/gan" (S,), "fd/real" (S,); "seconds/ddim" (4,),
    "seconds/ddpm", "seconds/gan" (1,): per image, batch of 64, median of 3 (DDPM: one run of 8);
    "ddpm/images" (8, 3, 32, 32): that run's samples, for the first 8 conditions of seed 0;
    "guidance" (4,), "fd/guided" (4, S), "success" (4, S * 512), "diversity" (4, S * 64);
    "invert/psnr" and "invert/{gain,drift}/{edit}" (20,); "hspace/normals" (8, D), "hspace/steps"
    (8, D), "hspace/val_accuracy" and "w/val_accuracy" (8,), "w/changes" (8, N_RESCORE, 8): entry
    [i, c, j] the change of factor j of sample c along direction i at STRENGTH std; "hspace/changes"
    (len(HSPACE_STRENGTHS), 8, N_RESCORE, 8): the same at each of "hspace/strengths".
    """
    from gentut import zoo
    model = zoo.load("faces_diffusion", device=device)
    G, predictor = zoo.load("faces_stylegan", device=device), zoo.load("faces_predictor", device=device)
    test = predictor_features(predictor, load_split("faces", "test", 500).images.to(device))
    fd = lambda images: frechet_distance(predictor_features(predictor, images.to(device)), test)  # noqa: E731
    out: dict[str, torch.Tensor] = {"steps": torch.tensor(STEPS), "guidance": torch.tensor(GUIDANCE)}
    n = N_GROUPS * PER_GROUP

    samples = {(steps, g, seed): draw(model, steps, g, seed)              # each (steps, guidance, seed) once
               for steps, g in {*((s, 1.0) for s in STEPS), *((SAMPLE_STEPS, g) for g in GUIDANCE)} for seed in SEEDS}
    out["fd/ddim"] = torch.tensor([[fd(samples[(s, 1.0, seed)]) for seed in SEEDS] for s in STEPS])
    out["fd/gan"] = torch.tensor([fd(sample_images(G, n, torch.Generator().manual_seed(seed)).cpu()) for seed in SEEDS])
    val = load_split("faces", "val").images
    out["fd/real"] = torch.tensor([fd(val[seed * n:(seed + 1) * n]) for seed in SEEDS])

    fds, successes, diversities = [], [], []
    for g in GUIDANCE:
        images = [samples[(SAMPLE_STEPS, g, seed)] for seed in SEEDS]
        fds.append([fd(x) for x in images])
        successes.append(torch.cat([success(predictor.predict(x.to(device)).cpu(), study_conditions(seed))
                                    for x, seed in zip(images, SEEDS)]))
        diversities.append(torch.cat([group_diversity(predictor_features(predictor, x.to(device)).cpu())
                                      for x in images]))
    out["fd/guided"], out["success"], out["diversity"] = torch.tensor(fds), torch.stack(successes), torch.stack(diversities)

    cond = study_conditions(0)[:64].to(device)
    noise = study_noise(0)[:64]
    schedule = model.schedule()
    out["seconds/ddim"] = torch.tensor([seconds_per_image(
        lambda: ddim_sample(model, schedule, 64, steps=s, cond=cond, noise=noise, progress=False), 64) for s in STEPS])
    start = time.perf_counter()
    ddpm = ddpm_sample(model, schedule, 8, cond=cond[:8], generator=torch.Generator().manual_seed(0), progress=False)
    out["seconds/ddpm"] = torch.tensor([(time.perf_counter() - start) / 8])
    out["ddpm/images"] = ddpm.cpu()
    out["seconds/gan"] = torch.tensor([seconds_per_image(
        lambda: sample_images(G, 64, torch.Generator().manual_seed(0)), 64)])

    faces = study_faces(G)[:20]                                     # notebook 07's 20 real test faces
    inverted = invert_and_edit(model, predictor, faces)
    out["invert/psnr"] = inverted["psnr"]
    for name in EDITS:
        out[f"invert/gain/{name}"], out[f"invert/drift/{name}"] = inverted[f"gain/{name}"], inverted[f"drift/{name}"]

    record = record_hspace(model, hspace_noise(N_HSPACE, 0), steps=SAMPLE_STEPS)
    boundaries = fit_boundaries(record.h, predictor.predict(record.images.to(device)).cpu(), FACTOR_NAMES, ratio=0.1)
    normals = stack_normals(boundaries)
    steps = std_steps(normals, record.h)
    rescore = hspace_noise(N_RESCORE, 1).to(device)
    before = predictor.predict(hspace_sample(model, rescore, steps=SAMPLE_STEPS))
    out["hspace/strengths"] = torch.tensor(HSPACE_STRENGTHS)
    out["hspace/changes"] = torch.stack([torch.stack([
        predictor.predict(hspace_sample(model, rescore, strength * d.view(record.shape), steps=SAMPLE_STEPS)) - before
        for d in steps]) for strength in HSPACE_STRENGTHS]).cpu()
    out["hspace/normals"], out["hspace/steps"] = normals, steps
    out["hspace/val_accuracy"] = torch.tensor([b.val_accuracy_ for b in boundaries.values()])

    samples_w = sample_latents(G, N_HSPACE, torch.Generator().manual_seed(3000))[1]
    w_scores = predictor.predict(render_ws(G, broadcast_ws(G, samples_w))).cpu()
    w_boundaries = fit_boundaries(samples_w.cpu(), w_scores, FACTOR_NAMES, ratio=0.1)
    w_steps = std_steps(stack_normals(w_boundaries), samples_w.cpu())
    w_rescore = sample_latents(G, N_RESCORE, torch.Generator().manual_seed(3001))[1]
    out["w/changes"] = direction_changes(G, predictor, w_rescore, w_steps.to(device), STRENGTH).cpu()
    out["w/val_accuracy"] = torch.tensor([b.val_accuracy_ for b in w_boundaries.values()])
    return out

