"""The recorded study behind notebook 09b: text-driven edits measured on the kit's ground truth.

    python -m gentut.recorded text_edit_study --out gentut/checkpoints --replace-shipped

For one sentence per face factor ("a face, smiling", ...) and the same 64 faces, three edits are
re-scored by the attribute predictor, as notebook 05 re-scores InterFaceGAN:

* StyleCLIP's latent optimisation (W+, 60 steps, the authors' loss and schedule);
* StyleCLIP's global direction in S at every threshold beta of BETAS and strength alpha of
  ALPHAS (the notebook picks one pair per sentence on the first N_TUNE faces, judges it on the rest);
* InterFaceGAN's normal in W at 2 std (supervised by the predictor's labels: the reference).

It also records what the notebook's text box needs and cannot compute in its 30 seconds: the
CLIP direction of every S channel (styleclip.channel_clip_directions) for the faces and the
scenes generators, and the channels' spread.
"""

from __future__ import annotations

import torch

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.interpret.edits import broadcast_ws, render_ws, sample_latents
from gentut.interpret.rescoring import fit_attribute_boundaries, stack_normals, std_steps
from gentut.interpret.styleclip import (apply_global_direction, channel_clip_directions, clip_similarity,
                                        global_direction, optimise_text_edit, text_direction)
from gentut.interpret.stylespace import StyleLayout, render_styles, style_codes

__all__ = ["PROMPTS", "NEUTRAL", "BETAS", "ALPHAS", "N_FACES", "N_TUNE", "N_SHOWN", "style_spread", "study_faces",
           "run_text_edit_study"]

NEUTRAL = {"faces": "a face", "scenes": "a scene"}
# one sentence per face factor, each naming the top of its factor's range, so that every face can
# only rise (pink is the background's top hue, blond the top of the hair palette)
PROMPTS = ("a face, smiling", "a face, with glasses", "a face, old", "a face, facing right", "a face, long hair",
           "a face, blond hair", "a face, dark skin", "a face, pink background")
BETAS = (0.7, 0.8, 0.9)               # global directions: thresholds (share of the best channel's relevance)
ALPHAS = (1.0, 2.0, 3.0, 4.0, 6.0)    # and strengths (the best channel's move, in stds)
N_FACES = 64                   # the faces every method edits: the first N_TUNE choose (beta, alpha), the rest judge
N_TUNE = 32
N_SHOWN = 3                    # judging faces whose optimised codes are kept, for the notebook's picture
N_CHANNEL_FACES = 32           # other faces, which each S channel's CLIP direction is averaged over
N_STD = 2000                   # codes for the channels' spread
SEED = 9015                    # codes drawn for this study only


def style_spread(G: torch.nn.Module, n: int, generator: torch.Generator) -> torch.Tensor:
    """The spread of every S channel over n sampled codes: (C,)."""
    with torch.no_grad():
        _, w = sample_latents(G, n, generator)
        return style_codes(G, broadcast_ws(G, w)).std(0)


def study_faces(G: torch.nn.Module) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The study's draws, in its order: (S spread (C,), the faces' codes w (N_FACES, w_dim), the
    channel-direction faces' codes (N_CHANNEL_FACES, w_dim)). The notebook calls this to re-run
    part of the study on the same faces."""
    generator = torch.Generator().manual_seed(SEED)
    std = style_spread(G, N_STD, generator)
    with torch.no_grad():
        _, w = sample_latents(G, N_FACES, generator)
        _, w_channels = sample_latents(G, N_CHANNEL_FACES, generator)
    return std, w, w_channels


@torch.no_grad()
def run_text_edit_study(device: torch.device) -> dict[str, torch.Tensor]:
    """Record the study: {key: tensor}, see the module docstring and notebook 09b for the keys."""
    G, predictor = zoo.load("faces_stylegan", device=device), zoo.load("faces_predictor", device=device)
    clip = zoo.load("tiny_clip", device=device)
    layout = StyleLayout.of(G)
    std, w, w_channels = study_faces(G)
    ws = broadcast_ws(G, w)
    styles = style_codes(G, ws)
    images = render_ws(G, ws)
    before = predictor.predict(images)
    out: dict[str, torch.Tensor] = {"faces_std": std.cpu(), "alphas": torch.tensor(ALPHAS), "betas": torch.tensor(BETAS)}
    channel_directions = channel_clip_directions(G, clip, layout, style_codes(G, broadcast_ws(G, w_channels)), std)
    out["faces_channel_directions"] = channel_directions.cpu()

    # InterFaceGAN in W at 2 std: the supervised reference
    names = [f.name for f in FACE_FACTORS]
    boundaries = fit_attribute_boundaries(G, predictor, names, generator=torch.Generator().manual_seed(SEED + 1))
    _, w_pool = sample_latents(G, N_STD, torch.Generator().manual_seed(SEED + 2))
    steps = std_steps(stack_normals(boundaries).to(device), w_pool)
    out["interfacegan_steps"] = steps.cpu()                                                    # (factors, w_dim)
    out["interfacegan_changes"] = torch.stack([predictor.predict(render_ws(G, broadcast_ws(G, w + 2 * step)))
                                               - before for step in steps]).cpu()             # (factors, n, factors)

    optimised, optimised_gain, curves, global_changes, global_gain, kept, shown = [], [], [], [], [], [], []
    for text in PROMPTS:
        target = clip.encode_text(text)[0]
        start = clip_similarity(clip, images, target)
        ws_edit, history = optimise_text_edit(G, clip, ws, text)
        after = render_ws(G, ws_edit)
        optimised.append(predictor.predict(after) - before)
        shown.append(ws_edit[N_TUNE:N_TUNE + N_SHOWN])
        optimised_gain.append(clip_similarity(clip, after, target) - start)
        curves.append(torch.tensor(history["clip"]))
        delta_t = text_direction(clip, text, NEUTRAL["faces"])
        changes, gains, counts = [], [], []
        for beta in BETAS:
            direction = global_direction(channel_directions, delta_t, beta)
            counts.append(int((direction != 0).sum()))
            edited = [render_styles(G, layout, apply_global_direction(styles, direction, std, alpha)) for alpha in ALPHAS]
            changes.append(torch.stack([predictor.predict(x) - before for x in edited]))
            gains.append(torch.stack([clip_similarity(clip, x, target) - start for x in edited]))
        global_changes.append(torch.stack(changes))
        global_gain.append(torch.stack(gains))
        kept.append(counts)
    out["optimised_changes"] = torch.stack(optimised).cpu()      # (prompts, n, factors)
    out["optimised_clip_gain"] = torch.stack(optimised_gain).cpu()   # (prompts, n): cosine with the text, after - before
    out["optimised_ws_shown"] = torch.stack(shown).cpu()        # (prompts, N_SHOWN, num_ws, w_dim): judging faces
    out["optimised_curves"] = torch.stack(curves)                # (prompts, steps): mean D_CLIP per step
    out["global_changes"] = torch.stack(global_changes).cpu()    # (prompts, betas, alphas, n, factors)
    out["global_clip_gain"] = torch.stack(global_gain).cpu()     # (prompts, betas, alphas, n)
    out["global_channels"] = torch.tensor(kept)                  # (prompts, betas): S channels each direction moves

    # the scenes generator's channel directions, for the text box on scenes
    scenes_G = zoo.load("scenes_stylegan", device=device)
    scenes_std, _, w_scenes = study_faces(scenes_G)
    out["scenes_std"] = scenes_std.cpu()
    out["scenes_channel_directions"] = channel_clip_directions(
        scenes_G, clip, StyleLayout.of(scenes_G), style_codes(scenes_G, broadcast_ws(scenes_G, w_scenes)), scenes_std).cpu()
    return out
