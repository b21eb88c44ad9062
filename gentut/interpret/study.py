"""Notebook 05's study: InterFaceGAN's re-scoring and HiGAN's layer-wise edits on hundreds of codes.

    tensors = run_rescoring_study(device)     # what `python -m gentut.recorded rescoring_study` records
    study = recorded.load("rescoring_study")  # study["changes/W"]: (8 edits, 300 codes, 8 factors)

Re-scoring 300 codes along 8 normals in two spaces, and 150 codes along every normal on every
layer range of two generators, renders about 20,000 images: half a minute of a laptop CPU's time
and most of notebook 05's. So the notebook reads them from a recording (gentut/recorded.py) and
re-runs the first codes live. The study repeats, in the notebook's order, the notebook's own
calls on one random generator seeded 0 (`setup(seed=0)` there): the same codes, the same
boundaries, so the live changes of code c are the recorded changes of code c.
"""

from __future__ import annotations

import torch

from gentut.data.faces import FACE_FACTORS
from gentut.data.scenes import SCENE_FACTORS
from gentut.interpret.edits import direction_changes, sample_latents
from gentut.interpret.rescoring import (fit_boundaries, layer_range_changes, layer_ranges, score_samples,
                                        side_effect_projected, stack_normals, std_steps, z_direction_changes)

__all__ = ["N_SAMPLES", "RATIO", "STRENGTH", "N_EDIT", "N_SCENE_SAMPLES", "LAYER_STRENGTH", "N_LAYER", "N_DRAWS",
           "N_LARGE", "rescoring_ranges", "draw_effects", "run_rescoring_study"]

N_SAMPLES, RATIO = 2000, 0.1            # codes scored to fit the boundaries; share kept at each end
STRENGTH, N_EDIT = 2.0, 300             # re-scoring: standard deviations moved; fresh codes moved
N_SCENE_SAMPLES = 1500                  # scene codes scored to fit the scenes' boundaries
LAYER_STRENGTH, N_LAYER = 1.0, 150      # layer-wise edits: strength; codes
N_DRAWS = 5                             # fits of the face boundaries, each on its own 2,000 scored samples
N_LARGE = 25000                         # ... and N_DRAWS more fits, each on 25,000 (the paper: 500,000)


def rescoring_ranges(num_ws: int) -> dict[str, range]:
    """HiGAN's early / middle / late layer ranges, and all layers together (the notebook's columns)."""
    return {**layer_ranges(num_ws), f"all 0-{num_ws - 1}": range(num_ws)}


@torch.no_grad()
def draw_effects(G, predictor, samples, w_edit: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Fit W boundaries on one draw of scored samples and re-score w_edit along them.

    Returns the mean changes (8 edits, 8 factors) of the plain normals and of the normals with
    each one's largest side effect projected out (`side_effect_projected`).
    """
    boundaries = fit_boundaries(samples.w, samples.scores, [f.name for f in FACE_FACTORS], ratio=RATIO)
    normals = stack_normals(boundaries)
    steps = std_steps(normals, samples.w)
    plain = direction_changes(G, predictor, w_edit, steps, STRENGTH).mean(1).cpu()
    projected = side_effect_projected(steps, normals, plain)
    return plain, direction_changes(G, predictor, w_edit, projected, STRENGTH).mean(1).cpu()


@torch.no_grad()
def run_rescoring_study(device: torch.device) -> dict[str, torch.Tensor]:
    """The study with the zoo's models on `device`; what gentut.recorded records.

    Keys: "changes/W", "changes/Z" (8, N_EDIT, 8): entry [i, c, j] the change of face factor j when
    code c moves STRENGTH std along boundary i; "layers/faces" (8, 4, N_LAYER, 8) and
    "layers/scenes" (6, 4, N_LAYER, 6): the same per layer range (early, middle, late, all) at
    LAYER_STRENGTH; "draws/plain" and "draws/projected" (N_DRAWS, 8, 8): the mean changes in W
    (`draw_effects`) for N_DRAWS fits of the boundaries, draw 0 on the notebook's samples;
    "large/plain" and "large/projected" (N_DRAWS, 8, 8): the same for N_DRAWS fits on N_LARGE samples each.
    """
    from gentut import zoo
    generator = torch.Generator().manual_seed(0)
    G, predictor = zoo.load("faces_stylegan", device=device), zoo.load("faces_predictor", device=device)
    names = [f.name for f in FACE_FACTORS]
    samples = score_samples(G, predictor, N_SAMPLES, generator)
    boundaries = {"W": fit_boundaries(samples.w, samples.scores, names, ratio=RATIO),
                  "Z": fit_boundaries(samples.z, samples.scores, names, ratio=RATIO)}
    z_edit, w_edit = sample_latents(G, N_EDIT, generator)
    steps = {space: std_steps(stack_normals(b), samples.w if space == "W" else samples.z)
             for space, b in boundaries.items()}
    tensors = {"changes/W": direction_changes(G, predictor, w_edit, steps["W"], STRENGTH).cpu(),
               "changes/Z": z_direction_changes(G, predictor, z_edit, steps["Z"], STRENGTH).cpu()}

    scene_G, scene_predictor = zoo.load("scenes_stylegan", device=device), zoo.load("scenes_predictor", device=device)
    scenes = score_samples(scene_G, scene_predictor, N_SCENE_SAMPLES, generator)
    scene_boundaries = fit_boundaries(scenes.w, scenes.scores, [f.name for f in SCENE_FACTORS], ratio=RATIO)
    scene_steps = std_steps(stack_normals(scene_boundaries), scenes.w)
    _, scene_codes = sample_latents(scene_G, N_LAYER, generator)
    ranges = rescoring_ranges(G.num_ws)
    tensors["layers/scenes"] = layer_range_changes(scene_G, scene_predictor, scene_codes, scene_steps, LAYER_STRENGTH,
                                                   ranges)
    tensors["layers/faces"] = layer_range_changes(G, predictor, w_edit[:N_LAYER], steps["W"], LAYER_STRENGTH, ranges)

    # how much the verdicts depend on the draw of samples the boundaries are fitted on: draw 0 is the
    # notebook's; draws 1.. score fresh samples (their own seeds, so the codes above stay as they were)
    draws = [draw_effects(G, predictor, samples, w_edit)]
    for draw in range(1, N_DRAWS):
        fresh = score_samples(G, predictor, N_SAMPLES, torch.Generator().manual_seed(1000 + draw))
        draws.append(draw_effects(G, predictor, fresh, w_edit))
    tensors["draws/plain"] = torch.stack([plain for plain, _ in draws])               # (N_DRAWS, 8, 8)
    tensors["draws/projected"] = torch.stack([projected for _, projected in draws])   # (N_DRAWS, 8, 8)
    large = [draw_effects(G, predictor, score_samples(G, predictor, N_LARGE, torch.Generator().manual_seed(2000 + d)),
                          w_edit) for d in range(N_DRAWS)]
    tensors["large/plain"] = torch.stack([plain for plain, _ in large])               # (N_DRAWS, 8, 8)
    tensors["large/projected"] = torch.stack([projected for _, projected in large])   # (N_DRAWS, 8, 8)
    return tensors
