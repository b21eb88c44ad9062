"""The model zoo: every pretrained model the notebooks use, made by the kit's own training script.

    from gentut import zoo
    G = zoo.load("faces_stylegan")            # ready, in eval mode, on CUDA when present
    zoo.describe()                            # a table: name, what it is, size, how to retrain
    mine = zoo.load("faces_vae", retrained=True)   # your own retrain (python -m gentut.train faces_vae)

Each entry names an architecture and its configuration, the dataset it learnt, and the one
command that retrains it (`python -m gentut.train NAME`). The weights ship inside the package
as safetensors files (loading them runs no code); `checkpoints/manifest.json` records each
file's SHA-256, checked on every load, with its training time and held-out metrics.

`load(name)` always reads the shipped model, so a notebook never silently picks up a retrain;
the training CLI writes into your own folder (`user_checkpoint_dir()`, `~/.cache/gentut/checkpoints`
by default) and `load(name, retrained=True)` reads from there. How files are written and
verified: gentut/manifest.py.

Why 32x32: the procedural datasets render at 64x64 too, but a 2-core laptop CPU trains a 64x64
GAN about 4x slower, and the interpretation notebooks (inversion runs hundreds of generator
passes, dissection thousands) must finish in well under a minute on such a CPU.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn as nn

from gentut.checks import InputError
from gentut.manifest import (CHECKPOINT_DIR, CheckpointError, CheckpointNotFoundError, ChecksumError, fix_hint,
                             read_manifest, read_weights, record_checkpoint, sha256_of, user_checkpoint_dir,
                             verified_file)
from gentut.models.clip import TinyCLIP
from gentut.interpret.discovery import DiscoveryModel
from gentut.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gentut.models.denoiser import Denoiser
from gentut.models.encoder import LatentEncoder
from gentut.models.flow import ConditionalFlow
from gentut.models.predictors import AttributePredictor, Segmenter
from gentut.models.stylegan import StyleGenerator
from gentut.models.translation import CycleGANPair, PatchDiscriminator, UNetGenerator
from gentut.models.vae import ConvVAE
from gentut.runtime import pick_device

# CHECKPOINT_DIR, the errors, read_manifest, record_checkpoint, verified_file, sha256_of and
# user_checkpoint_dir live in gentut.manifest; they stay importable from here as before.
__all__ = ["ZooEntry", "REGISTRY", "CHECKPOINT_DIR", "CheckpointError", "ChecksumError", "CheckpointNotFoundError",
           "get_entry", "build", "load", "user_checkpoint_dir", "sha256_of", "read_manifest", "record_checkpoint",
           "verified_file", "describe"]

ARCHITECTURES = {cls.__name__: cls for cls in
                 (AttributePredictor, Segmenter, ConvVAE, DCGANGenerator, DCGANDiscriminator, StyleGenerator,
                  UNetGenerator, PatchDiscriminator, CycleGANPair, LatentEncoder, ConditionalFlow, TinyCLIP,
                  DiscoveryModel, Denoiser)}


@dataclass(frozen=True)
class ZooEntry:
    """One model of the zoo: architecture + config, dataset, and how it is trained.

    recipe: "predictor", "segmenter", "vae", "gan", "pix2pix", "cyclegan", "encoder" (see gentut/recipes.py) or
    "flow" (gentut/interpret/styleflow.py), "clip" (gentut/interpret/zeroshot.py) or "discovery"
    (gentut/interpret/discovery.py);
    train: the recipe's arguments (steps, batch size, learning rate, ...); discriminator: the critic's
    config (GANs; a PatchGAN's for pix2pix and CycleGAN).
    """

    name: str
    description: str
    dataset: str
    architecture: str
    config: dict
    recipe: str
    train: dict
    discriminator: dict = field(default_factory=dict)
    seed: int = 0

    @property
    def file(self) -> str:
        return f"{self.name}.safetensors"

    @property
    def command(self) -> str:
        return f"python -m gentut.train {self.name}"


_ENTRIES = [
    ZooEntry("faces_predictor", "attribute predictor: reads the 8 face factors from an image",
             "faces", "AttributePredictor", dict(n_outputs=8, width=16), "predictor",
             dict(steps=3000, batch_size=64, lr=3e-3, degrade_inputs=True)),
    # The scenes' predictor and segmenter train on crisp renders: notebooks 04 and 08 measure with
    # them. Trained on blurred and noisy renders too (as faces_predictor is, for notebook 05's
    # re-scoring), they read blurry translations more kindly and 08's FCN-score ranking changes
    # (cGAN then beats L1 per pixel, as in the paper): worth its own lesson, not yet written.
    ZooEntry("scenes_predictor", "attribute predictor: reads the 6 scene factors from an image",
             "scenes", "AttributePredictor", dict(n_outputs=6, width=16), "predictor",
             dict(steps=3000, batch_size=64, lr=3e-3)),
    ZooEntry("scenes_segmenter", "segmenter: a class for every pixel of a scene (7 classes)",
             "scenes", "Segmenter", dict(n_classes=7, width=16), "segmenter",
             dict(steps=3000, batch_size=32, lr=3e-3)),
    ZooEntry("faces_vae", "convolutional VAE of the faces, 32-d code",
             "faces", "ConvVAE", dict(z_dim=32, image_size=32, width=32, max_channels=128), "vae",
             dict(steps=4000, batch_size=64, lr=1e-3)),
    ZooEntry("faces_dcgan", "DCGAN generator of the faces, 64-d z",
             "faces", "DCGANGenerator", dict(z_dim=64, image_size=32, width=16, max_channels=128), "gan",
             dict(steps=6000, batch_size=32, lr=5e-4, betas=(0.5, 0.999)), dict(image_size=32, width=16, max_channels=128)),
    # faces_stylegan: style mixing, a discriminator twice as wide, 12,000 steps, a mapping network that
    # learns at 0.3 of the synthesis rate (at StyleGAN's 1/100, set for 25M images, it stayed a random
    # MLP over these 384k images, and no smile direction moved the smile; tests/test_zoo.py guards
    # this), and the tie penalty (gentut/recipes.py: train_gan): fresh fakes keep the data's
    # correlations between the factors faces_predictor reads. Without it every training run invented
    # its own ties (smile with hair, age with hair colour), and some face edit failed re-scoring in W.
    # Seed 1 meets notebook 05's bar; seed 0 of this recipe does not (benchmarks/faces_generator_screen.py)
    ZooEntry("faces_stylegan", "style-based generator of the faces: Z, W, W+ (7 layers)",
             "faces", "StyleGenerator", dict(z_dim=64, w_dim=64, image_size=32, width=16, max_channels=128), "gan",
             dict(steps=12000, batch_size=32, lr=2e-3, style_mixing=0.9, mapping_lr_mult=0.3,
                  tie_weight=1.0, tie_predictor="faces_predictor"),
             dict(image_size=32, width=32, max_channels=128), seed=1),
    ZooEntry("scenes_stylegan", "style-based generator of the scenes: Z, W, W+ (7 layers)",
             "scenes", "StyleGenerator", dict(z_dim=64, w_dim=64, image_size=32, width=16, max_channels=128), "gan",
             dict(steps=6000, batch_size=32, lr=2e-3), dict(image_size=32, width=16, max_channels=128)),
    # notebook 08: image-to-image translation (pix2pix: label map -> scene; CycleGAN: day <-> night)
    *[ZooEntry(f"scenes_pix2pix{suffix}", f"pix2pix U-Net: scene label map (one-hot) -> scene, {what}",
               "scenes", "UNetGenerator", dict(in_channels=7, width=16, depth=4, max_channels=64), "pix2pix",
               dict(steps=4000, batch_size=16, lr=1e-3, lambda_l1=l1, lambda_gan=gan),
               dict(in_channels=10, width=32, n_layers=1))
      for suffix, what, l1, gan in [("", "L1 + cGAN (lambda_L1 = 100)", 100.0, 1.0),
                                    ("_l1", "L1 only", 100.0, 0.0), ("_cgan", "cGAN only", 0.0, 1.0)]],
    *[ZooEntry(f"scenes_cyclegan{suffix}", f"CycleGAN day (lamps off) <-> night (lamps lit): G and F, {what}",
               "scenes", "CycleGANPair", dict(channels=3, width=16, depth=4, max_channels=64), "cyclegan",
               dict(steps=3000, batch_size=8, lr=1e-3, lambda_cyc=cyc, lambda_identity=cyc / 2),
               dict(in_channels=3, width=32, n_layers=1))
      for suffix, what, cyc in [("", "cycle loss lambda = 10 + identity 5", 10.0),
                                ("_nocycle", "GAN loss only (no cycle, no identity)", 0.0)]],
    # notebook 07: inversion -- an encoder image -> w trained on faces_stylegan's own samples
    ZooEntry("faces_encoder", "encoder: face image -> w of faces_stylegan (for inversion)",
             "faces", "LatentEncoder", dict(w_dim=64, image_size=32, width=32), "encoder",
             dict(steps=1500, batch_size=32, lr=2e-3, pixel_weight=10.0, stylegan="faces_stylegan")),
    # notebook 09: StyleFlow in miniature -- w of faces_stylegan given the 8 factors its predictor reads
    ZooEntry("faces_styleflow", "conditional flow on W of faces_stylegan given the 8 face factors (StyleFlow)",
             "faces", "ConditionalFlow", dict(dim=64, cond_dim=8, n_layers=8, hidden=128), "flow",
             dict(steps=3000, batch_size=256, lr=1e-3, n_codes=20000, stylegan="faces_stylegan",
                  predictor="faces_predictor")),
    # notebook 09b: text-driven edits -- a tiny CLIP on faces and scenes (train: also="scenes") with
    # captions written from their factors (gentut/data/captions.py)
    ZooEntry("tiny_clip", "tiny CLIP: faces and scenes and captions written from their factors, one 64-d space",
             "faces", "TinyCLIP", dict(embed_dim=64, width=16, vocab_size=77), "clip",
             dict(steps=1500, batch_size=128, lr=2e-3, also="scenes")),
    # notebook 10: a denoising diffusion model of the faces, conditioned on the 8 factors (dropped at
    # random 10 % of the time, so that it is the unconditional model too: classifier-free guidance).
    # Width 16, v-prediction, 10,000 steps at lr 1e-3 (DDPM: 2e-4 for hundreds of thousands of steps),
    # EMA 0.999: one step of 64 images takes 0.24 s on a 2-core CPU (0.4 s with one thread), so a
    # laptop retrains it in 40 to 70 minutes. The first model (eps-prediction, 4,000 steps, EMA 0.995)
    # drew faces in saturated wrong colours: gentut/models/denoiser.py says why v fixes that
    ZooEntry("faces_diffusion", "diffusion model of the faces: a small U-Net denoiser, conditioned on the 8 factors",
             "faces", "Denoiser", dict(image_size=32, width=16, mults=(1, 2, 4), cond_dim=8, emb_dim=128,
                                       timesteps=1000, prediction="v"), "diffusion",
             dict(steps=10000, batch_size=64, lr=1e-3, p_uncond=0.1, ema=0.999)),
]
# notebook 06: Voynov & Babenko's latent discovery -- K = 8 directions in W of faces_stylegan and the
# reconstructor that names them (the authors' protocol, and where it deviates: gentut/interpret/discovery.py)
_ENTRIES.append(ZooEntry(
    "faces_discovery", "deformator (8 directions in W of faces_stylegan) + reconstructor (latent discovery)",
    "faces", "DiscoveryModel", dict(n_directions=8, w_dim=64, width=32, history_points=50), "discovery",
    dict(steps=2000, batch_size=32, lr=1e-3, deformator_lr=1e-2, max_shift_std=6.0, min_shift_std=0.5,
         shift_weight=0.25, stylegan="faces_stylegan")))
REGISTRY: dict[str, ZooEntry] = {entry.name: entry for entry in _ENTRIES}


def get_entry(name: str) -> ZooEntry:
    """The registry entry `name`, or a ValueError that lists the names (and the closest ones)."""
    if name not in REGISTRY:
        close = difflib.get_close_matches(name, REGISTRY, n=2)
        hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"unknown model {name!r}.{hint} The zoo has: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def build(name: str) -> nn.Module:
    """A freshly initialised model with the architecture and config of entry `name`."""
    entry = get_entry(name)
    return ARCHITECTURES[entry.architecture](**entry.config)


def load(name: str, device: torch.device | str | None = None, checkpoint_dir: Path | str | None = None,
         retrained: bool = False) -> nn.Module:
    """The trained model `name`, checksum-verified, in eval mode, on `device` (default: CUDA if present).

    By default the shipped model (what the notebooks use); `retrained=True` loads your own from
    `user_checkpoint_dir()`, where `python -m gentut.train NAME` writes; `checkpoint_dir` reads
    another folder (a `--out` of the CLI). Errors say what to do: an unknown name lists the zoo,
    an unknown device what there is, a missing, corrupt or diverged file how to replace it.
    """
    entry = get_entry(name)
    device = pick_device(device)
    if retrained and checkpoint_dir is not None:
        raise InputError("pass retrained=True (your folder, user_checkpoint_dir()) or checkpoint_dir=..., not both")
    directory = user_checkpoint_dir() if retrained else Path(CHECKPOINT_DIR if checkpoint_dir is None else checkpoint_dir)
    try:
        path = verified_file(name, entry.file, entry.command, directory)
    except CheckpointNotFoundError as error:
        if not retrained:
            raise
        raise CheckpointNotFoundError(f"{error} (zoo.load({name!r}) loads the shipped model)") from None
    weights = read_weights(path, entry.command)
    model = build(name)
    try:
        model.load_state_dict(weights)
    except RuntimeError as error:
        raise CheckpointError(f"{path} does not match the {entry.architecture} config of {name!r} "
                              f"({error}); {fix_hint(path.parent, entry.command)}") from None
    return model.eval().requires_grad_(False).to(device)


def describe(checkpoint_dir: Path | str = CHECKPOINT_DIR) -> str:
    """A text table of the zoo: name, description, dataset, size, training time, retrain command."""
    manifest = read_manifest(checkpoint_dir)
    width = max(len(name) for name in REGISTRY)
    lines = [f"{'name':{width}s} {'dataset':7s} {'KB':>6s} {'train min':>9s}  description"]
    for entry in REGISTRY.values():
        record = manifest.get(entry.name, {})
        size = f"{record['bytes'] / 1024:6.0f}" if "bytes" in record else "     -"
        minutes = f"{record['train_seconds'] / 60:9.1f}" if "train_seconds" in record else "        -"
        lines.append(f"{entry.name:{width}s} {entry.dataset:7s} {size} {minutes}  {entry.description}")
    return "\n".join(lines)
