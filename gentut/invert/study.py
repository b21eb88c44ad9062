"""Notebook 07's study: every inversion method on 20 real and 20 generated faces, scored face by face.

    faces = study_faces(G)                              # (40, 3, 32, 32): 20 real test faces, 20 drawn by G
    directions, boundaries = edit_directions(G, predictor)
    runs = invert_spaces(G, predictor, faces, z_starts(G, 40))      # {"z": run, "w": run, "w+": run}
    tensors = run_inversion_study(device)               # all of it, as `python -m gentut.recorded` records it
    table = study_table(recorded.load("inversion_study"))   # {"real": {method: (scores, s/image)}, ...}

Inverting 40 faces in three spaces, sweeping the domain regulariser and tuning PTI takes about
two minutes on a 2-core CPU, so notebook 07 reads these numbers from a recording
(gentut/recorded.py) and re-runs the same functions live on a few of the same faces. Every piece is
deterministic per face: the targets are fixed splits and fixed codes, each face's random start
in Z is drawn once (`z_starts`), and a batch of inversions is a batch of independent problems
(gentut.invert.optimize), so the live run of face i reproduces the recorded score of face i.
PTI is the exception: one generator is tuned for all 40 faces together, so its live run on a few
faces is a different (easier) problem.
"""

from __future__ import annotations

import time

import torch
import torch.nn as nn

from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import load_split
from gentut.interpret.edits import broadcast_ws, sample_latents
from gentut.interpret.rescoring import fit_attribute_boundaries, stack_normals, std_steps
from gentut.invert.encoder import encode_ws
from gentut.invert.indomain import invert_in_domain
from gentut.invert.optimize import InversionRun, invert
from gentut.invert.prior import Colorization, Inpainting, SuperResolution, box_mask, restore
from gentut.invert.pti import pivotal_tuning
from gentut.invert.report import score_inversion
from gentut.metrics import psnr

__all__ = ["N_FACES", "STEPS", "LEARNING_RATES", "FEATURE_WEIGHT", "LAMBDAS", "EDITS", "STRENGTH", "METHODS",
           "RESTORE_STEPS", "study_faces", "spare_faces", "z_starts", "edit_directions", "invert_spaces",
           "invert_lambdas", "restoration_tasks", "restore_faces", "run_inversion_study", "study_table"]

N_FACES = 20                                   # of each kind: real test faces, faces the generator drew
STEPS, IN_DOMAIN_STEPS, PTI_STEPS = 100, 40, 40
LEARNING_RATES = {"z": 0.05, "w": 0.1, "w+": 0.1}
FEATURE_WEIGHT = 0.02                          # lambda_F of the reconstruction loss
LAMBDAS = (0.0, 0.1, 1.0)                      # weights of the domain regulariser
EDITS, STRENGTH = ("smile", "eyeglasses", "age"), 2.0
RESTORE_STEPS = 60                             # the GAN prior's restorations: steps of W inversion
# key in the recording -> the row label the notebook prints
METHODS = {"z": "optimise Z", "w": "optimise W", "w+": "optimise W+", "encoder": "encoder",
           **{f"indomain {lam}": f"in-domain, lambda {lam}" for lam in LAMBDAS}, "pti": "PTI (W pivot + tuning)"}


def study_faces(G: nn.Module, n: int = N_FACES) -> torch.Tensor:
    """(2n, 3, S, S) on G's device: the first n faces of the test split (never trained on), then n
    faces G drew from codes no other cell uses (seed 2024: for these a perfect code exists)."""
    device = G.w_avg.device
    real = load_split("faces", "test", n=2 * N_FACES).images[:n].to(device)   # notebook 07 keeps the rest spare
    _, w_true = sample_latents(G, n, torch.Generator().manual_seed(2024))
    with torch.no_grad():
        drawn = G.synthesis(broadcast_ws(G, w_true))
    return torch.cat([real, drawn])


def spare_faces(device: torch.device | str, n: int = N_FACES) -> torch.Tensor:
    """(n, 3, S, S): the next n test faces after the study's real ones, for the restoration tasks."""
    return load_split("faces", "test", n=2 * N_FACES).images[N_FACES:N_FACES + n].to(device)


def restoration_tasks() -> dict:
    """The GAN prior's tasks (gentut.invert.prior) and their model-free baselines:
    {name: (task, baseline name)}: a 10 x 20 hole over the eyes, grey only, 8 x 8 pixels only."""
    return {"inpainting": (Inpainting(box_mask(32, 10, 6, 10, 20)), "mean fill"),
            "colorization": (Colorization(), "grey copy"),
            "super-resolution x4": (SuperResolution(4), "bicubic")}


def restore_faces(G: nn.Module, faces: torch.Tensor, task, progress: bool = True) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Hide part of faces (B, 3, S, S) with `task`, restore with the GAN prior (W, from w_avg) and
    with the baseline: (restored (B, 3, S, S), baseline (B, 3, S, S), seconds per image)."""
    observed = task(faces)
    run = restore(G, observed, task, space="w", steps=RESTORE_STEPS, lr=0.1, progress=progress)
    return task.paste(observed, run.images), task.baseline(observed), run.seconds_per_image


def z_starts(G: nn.Module, n: int, seed: int = 7) -> torch.Tensor:
    """n random starting codes z ~ N(0, I) (n, z_dim) for inversion in Z, one per face, fixed by `seed`."""
    return torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed)).to(G.w_avg.device)


def edit_directions(G: nn.Module, predictor: nn.Module, seed: int = 0) -> tuple[dict[int, torch.Tensor], dict]:
    """The edits of the study: InterFaceGAN normals in W for EDITS, scaled so 1 = one std of the codes.

    Returns ({factor index: direction (w_dim,)}, {name: fitted LinearBoundary} for all 8 factors).
    """
    names = [f.name for f in FACE_FACTORS]
    generator = torch.Generator().manual_seed(seed)
    boundaries = fit_attribute_boundaries(G, predictor, names, n=2000, generator=generator)
    _, w_samples = sample_latents(G, 2000, generator)
    unit_steps = std_steps(stack_normals(boundaries), w_samples)              # (8, w_dim)
    return {names.index(a): unit_steps[names.index(a)] for a in EDITS}, boundaries


def invert_spaces(G: nn.Module, predictor: nn.Module, targets: torch.Tensor, z_init: torch.Tensor,
                  steps: int = STEPS, progress: bool = True) -> dict[str, InversionRun]:
    """Image2StyleGAN in Z (from z_init (B, z_dim)), W and W+ (from w_avg): {"z", "w", "w+"} -> InversionRun."""
    common = dict(features=predictor.features, feature_weight=FEATURE_WEIGHT, steps=steps, progress=progress)
    return {space: invert(G, targets, space, lr=LEARNING_RATES[space], init=z_init if space == "z" else None, **common)
            for space in ("z", "w", "w+")}


def invert_lambdas(G: nn.Module, E: nn.Module, predictor: nn.Module, targets: torch.Tensor,
                   lambdas=LAMBDAS, steps: int = IN_DOMAIN_STEPS, progress: bool = True) -> tuple[dict, float]:
    """In-domain inversion of targets (B, ...) for every lambda at once (one batch of B * len(lambdas)).

    Returns ({lambda: ws (B, num_ws, w_dim)}, seconds per problem).
    """
    weights = torch.tensor(lambdas).repeat_interleave(len(targets)).to(targets.device)
    run = invert_in_domain(G, E, targets.repeat(len(lambdas), 1, 1, 1), domain_weight=weights, steps=steps, lr=0.05,
                           features=predictor.features, feature_weight=FEATURE_WEIGHT, progress=progress)
    return dict(zip(lambdas, run.ws.split(len(targets)))), run.seconds_per_image


def run_inversion_study(device: torch.device) -> dict[str, torch.Tensor]:
    """The whole study with the zoo's models on `device`; what gentut.recorded records.

    Keys: "{group}/{method}/{score}" (N_FACES,) for group "real" / "generated", method a key of
    METHODS, score psnr / feature / gain / drift / domain (gentut.invert.report); "seconds/{method}"
    (1,): seconds per image, code and render; "reference/{gain, drift}" (200,): the same edits on
    codes G sampled itself; "curve/{space}" (STEPS, 2 N_FACES): every face's loss at every step;
    "restore/{task}/prior" and ".../baseline" (N_FACES,): PSNR of the restored spare faces.
    """
    from gentut import zoo
    G, predictor = zoo.load("faces_stylegan", device=device), zoo.load("faces_predictor", device=device)
    E = zoo.load("faces_encoder", device=device)
    faces = study_faces(G, N_FACES)
    directions, _ = edit_directions(G, predictor)
    runs = invert_spaces(G, predictor, faces, z_starts(G, len(faces)))
    start = time.perf_counter()
    with torch.no_grad():
        encoded = encode_ws(E, G, faces)
        G.synthesis(encoded)
    encoder_seconds = (time.perf_counter() - start) / len(faces)
    indomain, indomain_seconds = invert_lambdas(G, E, predictor, faces)
    G_pti, _, pti_seconds = pivotal_tuning(G, runs["w"].ws, faces, steps=PTI_STEPS, lr=3e-3,
                                           features=predictor.features, feature_weight=FEATURE_WEIGHT)
    methods = {**{space: (G, run.ws, run.seconds_per_image) for space, run in runs.items()},
               "encoder": (G, encoded, encoder_seconds),
               **{f"indomain {lam}": (G, ws, indomain_seconds + encoder_seconds) for lam, ws in indomain.items()},
               "pti": (G_pti, runs["w"].ws, runs["w"].seconds_per_image + pti_seconds / len(faces))}
    tensors = {}
    for method, (G_m, ws, seconds) in methods.items():
        scores = score_inversion(G_m, ws, faces, predictor, E, directions, STRENGTH, reference_G=G)
        for score, values in scores.items():
            tensors[f"real/{method}/{score}"] = values[:N_FACES]
            tensors[f"generated/{method}/{score}"] = values[N_FACES:]
        tensors[f"seconds/{method}"] = torch.tensor([seconds])
    _, w_sampled = sample_latents(G, 200, torch.Generator().manual_seed(1))
    ws_sampled = broadcast_ws(G, w_sampled)
    with torch.no_grad():
        reference = score_inversion(G, ws_sampled, G.synthesis(ws_sampled), predictor, E, directions, STRENGTH)
    tensors.update({f"reference/{k}": reference[k] for k in ("gain", "drift")})
    tensors.update({f"curve/{space}": run.losses.cpu() for space, run in runs.items()})
    spare = spare_faces(device)
    for name, (task, _) in restoration_tasks().items():
        restored, baseline, seconds = restore_faces(G, spare, task)
        tensors[f"restore/{name}/prior"] = psnr(restored, spare).cpu()
        tensors[f"restore/{name}/baseline"] = psnr(baseline, spare).cpu()
        tensors[f"seconds/restore {name}"] = torch.tensor([seconds])
    return tensors


def study_table(tensors: dict[str, torch.Tensor]) -> dict[str, dict[str, tuple[dict[str, torch.Tensor], float]]]:
    """A recording (run_inversion_study's tensors) as {group: {row label: (per-face scores, s / image)}},
    the rows of gentut.invert.report.format_table, plus the row "sampled codes (reference)"."""
    table = {}
    for group in ("real", "generated"):
        rows = {"sampled codes (reference)": ({k: tensors[f"reference/{k}"] for k in ("gain", "drift")}, None)}
        for method, label in METHODS.items():
            scores = {k.rsplit("/", 1)[1]: v for k, v in tensors.items() if k.startswith(f"{group}/{method}/")}
            rows[label] = (scores, tensors[f"seconds/{method}"].item())
        table[group] = rows
    return table
