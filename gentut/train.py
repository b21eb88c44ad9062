"""Train a zoo model:  python -m gentut.train NAME [--steps N] [--device cuda] [--resume] [--dry-run]

Seeds are fixed by the registry entry, so the same command on the same machine gives the same
weights. The run saves its state every few hundred steps under ~/.cache/gentut/train/, and
`--resume` continues an interrupted run. When it finishes it writes NAME.safetensors and updates
manifest.json (SHA-256, size, training time, device, held-out metrics) in the checkpoint folder.
`--dry-run` runs the real loop for a few steps on a few images into a temporary folder (CI).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import save_file

from gentut import zoo
from gentut.data.procedural import dataset_factors, load_split
from gentut.evaluate import evaluate_predictor, evaluate_segmenter, evaluate_vae
from gentut.invert.encoder import evaluate_encoder
from gentut.models.dcgan import DCGANDiscriminator
from gentut.models.translation import PatchDiscriminator
from gentut.recipes import (train_cyclegan, train_encoder, train_gan, train_pix2pix, train_predictor,
                             train_segmenter, train_vae)
from gentut.runtime import pick_device, seed_everything
from gentut.translation import day_night_domains, evaluate_cyclegan, evaluate_pix2pix

__all__ = ["train_entry", "main"]

STATE_DIR = Path.home() / ".cache" / "gentut" / "train"


def train_entry(name: str, *, steps: int | None = None, device: str | None = None, resume: bool = False,
                out_dir: Path = zoo.CHECKPOINT_DIR, state_dir: Path = STATE_DIR, n_train: int | None = None,
                n_val: int | None = None, progress: bool = True) -> dict:
    """Train zoo entry `name`, save NAME.safetensors into `out_dir`, record it in its manifest.json.

    Returns the manifest record (sha256, bytes, train_seconds, device, steps, metrics).
    """
    entry = zoo.get_entry(name)
    device = pick_device(device)
    generator = seed_everything(entry.seed)
    train = load_split(entry.dataset, "train", n_train).to(device)
    val = load_split(entry.dataset, "val", n_val).to(device)
    factors = dataset_factors(entry.dataset)
    model = zoo.build(name).to(device)
    args = dict(entry.train, generator=generator, desc=name, progress=progress)
    if steps is not None:
        args["steps"] = steps
    state_path = state_dir / f"{name}.state.pt"
    if not resume:
        state_path.unlink(missing_ok=True)
    args["state_path"] = state_path

    start = time.perf_counter()
    if entry.recipe == "predictor":
        train_predictor(model, train, [f.name for f in factors], **args)
        metrics = evaluate_predictor(model, val, factors)
    elif entry.recipe == "segmenter":
        from gentut.data.scenes import SCENE_CLASSES
        train_segmenter(model, train, **args)
        metrics = evaluate_segmenter(model, val, SCENE_CLASSES)
    elif entry.recipe == "vae":
        train_vae(model, train, **args)
        metrics = evaluate_vae(model, val, generator)
    elif entry.recipe == "gan":
        critic = DCGANDiscriminator(**entry.discriminator).to(device)
        model, _ = train_gan(model, critic, train, **args)
        metrics = {}                  # sample quality needs the predictor: benchmarks/zoo_quality.py
    elif entry.recipe == "pix2pix":
        critic = PatchDiscriminator(**entry.discriminator).to(device)
        train_pix2pix(model, critic, train, **args)
        metrics = evaluate_pix2pix(model, val, zoo.load("scenes_segmenter", device=device))
    elif entry.recipe == "cyclegan":
        critics = [PatchDiscriminator(**entry.discriminator).to(device) for _ in range(2)]       # D_X, D_Y
        train_cyclegan(model, *critics, *day_night_domains(train), **args)
        metrics = evaluate_cyclegan(model, val, zoo.load("scenes_segmenter", device=device),
                                    zoo.load("scenes_predictor", device=device))
    elif entry.recipe == "encoder":
        stylegan = zoo.load(args.pop("stylegan"), device=device)      # frozen: E learns to invert it
        train_encoder(model, stylegan, **args)
        metrics = evaluate_encoder(model, stylegan, val.images, generator)
    else:
        raise ValueError(f"unknown recipe {entry.recipe!r} for {name!r}")
    seconds = time.perf_counter() - start
    return save_checkpoint(name, model, out_dir, {
        "train_seconds": round(seconds, 1), "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "steps": args["steps"], "metrics": {k: round(v, 4) for k, v in metrics.items()}})


def save_checkpoint(name: str, model: torch.nn.Module, out_dir: Path, record: dict) -> dict:
    """Write the weights as safetensors and add their SHA-256 and size to out_dir/manifest.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / zoo.get_entry(name).file
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, path)
    return zoo.record_checkpoint(name, path, record)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gentut.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(zoo.REGISTRY), help="the zoo entry to train")
    parser.add_argument("--steps", type=int, help="override the number of training steps")
    parser.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    parser.add_argument("--resume", action="store_true", help="continue the last interrupted run")
    parser.add_argument("--out", type=Path, default=zoo.CHECKPOINT_DIR, help="checkpoint folder")
    parser.add_argument("--dry-run", action="store_true", help="3 steps on 64 images into a temporary folder")
    args = parser.parse_args(argv)
    if args.dry_run:
        out = Path(tempfile.mkdtemp(prefix="gentut-dry-run-"))
        record = train_entry(args.name, steps=3, device=args.device, out_dir=out, state_dir=out / "state",
                             n_train=64, n_val=64)
    else:
        record = train_entry(args.name, steps=args.steps, device=args.device, resume=args.resume, out_dir=args.out)
    print(json.dumps({args.name: record}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
