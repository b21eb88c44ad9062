"""Train a zoo model:  python -m gentut.train NAME [--steps N] [--device cuda] [--resume | --restart] [--dry-run]

Seeds are fixed by the registry entry, so the same command on the same machine gives the same
weights. The result goes into your own folder, never into the installed package:
NAME.safetensors and a line of manifest.json (SHA-256, size, training time, device, held-out
metrics) in $GENTUT_HOME/checkpoints, by default ~/.cache/gentut/checkpoints (or --out DIR).
The notebooks keep loading the shipped model; load yours explicitly:

    zoo.load("faces_vae", retrained=True)           # or zoo.load(NAME, checkpoint_dir=DIR) after --out DIR

Maintainers refresh a shipped checkpoint (and its record in gentut/checkpoints/manifest.json) with

    python -m gentut.train NAME --out gentut/checkpoints --replace-shipped

Interrupted runs lose nothing: the state is saved every few hundred steps (atomically) under
$GENTUT_HOME/train, by default ~/.cache/gentut/train. `--resume` continues it (and stops with a
message when there is nothing to resume); a new run refuses to replace an interrupted one
unless `--restart` is given, which keeps the old state as NAME.state.previous.pt (see
gentut/run_state.py for every case). `--dry-run` runs the real loop for 3 steps on 64 images
into a temporary folder (CI). Bad arguments (--steps 0, --device gpu, a corrupt state) stop
with a message, exit code 2, before any training.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

from gentut import manifest, zoo
from gentut.checks import GentutError, check_count, positive_int_arg
from gentut.data.faces import make_faces
from gentut.data.procedural import MODEL_SIZE, dataset_factors, load_split
from gentut.diffusion import heldout_loss
from gentut.evaluate import evaluate_predictor, evaluate_segmenter, evaluate_vae
from gentut.interpret.discovery import evaluate_discovery, train_discovery
from gentut.interpret.styleflow import evaluate_flow, flow_training_codes, train_flow
from gentut.interpret.zeroshot import evaluate_clip, train_clip
from gentut.invert.encoder import evaluate_encoder
from gentut.models.dcgan import DCGANDiscriminator
from gentut.models.translation import PatchDiscriminator
from gentut.recipes import (train_cyclegan, train_diffusion, train_encoder, train_gan, train_pix2pix,
                             train_predictor, train_segmenter, train_vae)
from gentut.run_state import plan_state
from gentut.runtime import pick_device, seed_everything
from gentut.translation import day_night_domains, evaluate_cyclegan, evaluate_pix2pix

__all__ = ["train_entry", "save_checkpoint", "default_state_dir", "main"]


def default_state_dir() -> Path:
    """Where interrupted runs are saved: $GENTUT_HOME/train, by default ~/.cache/gentut/train."""
    return manifest.gentut_home() / "train"


def say(message: str) -> None:
    """Report what the CLI decided, on stderr (stdout carries the JSON record)."""
    print(f"gentut.train: {message}", file=sys.stderr)


def train_entry(name: str, *, steps: int | None = None, device: str | None = None, resume: bool = False,
                restart: bool = False, out_dir: Path | str | None = None, replace_shipped: bool = False,
                state_dir: Path | None = None, n_train: int | None = None, n_val: int | None = None,
                save_every: int = 250, progress: bool = True) -> dict:
    """Train zoo entry `name`, save NAME.safetensors into `out_dir`, record it in its manifest.json.

    out_dir: default your own folder (manifest.user_checkpoint_dir()); the shipped folder only
    with replace_shipped=True. resume / restart: what to do with a saved state (gentut.run_state).
    Every argument is checked before any training. Returns the manifest record (sha256, bytes,
    train_seconds, device, steps, metrics).
    """
    entry = zoo.get_entry(name)
    steps = None if steps is None else check_count(steps, "steps", minimum=1)
    device = pick_device(device)
    out_dir = manifest.check_output_dir(manifest.user_checkpoint_dir() if out_dir is None else out_dir, replace_shipped,
                                        entry.command)
    state_path = Path(default_state_dir() if state_dir is None else state_dir) / f"{name}.state.pt"
    meta = run_description(entry, n_train)
    steps = plan_state(state_path, meta, steps, resume=resume, restart=restart, say=say)

    generator = seed_everything(entry.seed)
    train = load_split(entry.dataset, "train", n_train).to(device)
    val = load_split(entry.dataset, "val", n_val).to(device)
    model = zoo.build(name).to(device)
    args = dict(entry.train, generator=generator, desc=name, progress=progress, state_path=state_path,
                state_meta=meta, save_every=save_every)
    if steps is not None:
        args["steps"] = steps
    start = time.perf_counter()
    model, metrics = run_recipe(entry, model, train, val, args, device)
    seconds = time.perf_counter() - start
    return save_checkpoint(name, model, out_dir, {
        "train_seconds": round(seconds, 1), "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "steps": args["steps"], "metrics": {k: round(v, 4) for k, v in metrics.items()}})


def run_description(entry: zoo.ZooEntry, n_train: int | None) -> dict:
    """What a saved state must match to be resumed: the model, its config, recipe and data (not the
    number of steps, which the state records itself)."""
    return {"name": entry.name, "architecture": entry.architecture, "config": entry.config, "recipe": entry.recipe,
            "train": {k: v for k, v in entry.train.items() if k != "steps"}, "discriminator": entry.discriminator,
            "seed": entry.seed, "n_train": n_train}


def tie_reference(predictor_name: str, device: torch.device) -> tuple[torch.nn.Module, torch.Tensor]:
    """For train_gan's tie penalty: the frozen predictor and its readings (5000, K) of 5,000 fresh faces
    (make_faces seed 11, the reference of benchmarks/faces_generator_screen.py). Loaded with the
    random stream forked, so that the run draws the same numbers as without the penalty's set-up."""
    with torch.random.fork_rng(devices=[]):
        predictor = zoo.load(predictor_name, device=device).requires_grad_(False)
    with torch.no_grad():
        return predictor, predictor.predict(make_faces(5000, seed=11, size=MODEL_SIZE).images.to(device))


def run_recipe(entry: zoo.ZooEntry, model: torch.nn.Module, train, val, args: dict,
               device: torch.device) -> tuple[torch.nn.Module, dict[str, float]]:
    """Train `model` with the entry's recipe on the `train` split; return (the model to save, held-out metrics)."""
    factors = dataset_factors(entry.dataset)
    if entry.recipe == "predictor":
        train_predictor(model, train, [f.name for f in factors], **args)
        return model, evaluate_predictor(model, val, factors)
    if entry.recipe == "segmenter":
        from gentut.data.scenes import SCENE_CLASSES
        train_segmenter(model, train, **args)
        return model, evaluate_segmenter(model, val, SCENE_CLASSES)
    if entry.recipe == "vae":
        train_vae(model, train, **args)
        return model, evaluate_vae(model, val, args["generator"])
    if entry.recipe == "gan":
        critic = DCGANDiscriminator(**entry.discriminator).to(device)
        if entry.train.get("tie_weight"):
            args["tie_predictor"], args["tie_reference"] = tie_reference(args["tie_predictor"], device)
        G_ema, _ = train_gan(model, critic, train, **args)
        return G_ema, {}                  # sample quality needs the predictor: benchmarks/zoo_quality.py
    if entry.recipe == "pix2pix":
        critic = PatchDiscriminator(**entry.discriminator).to(device)
        train_pix2pix(model, critic, train, **args)
        return model, evaluate_pix2pix(model, val, zoo.load("scenes_segmenter", device=device))
    if entry.recipe == "cyclegan":
        critics = [PatchDiscriminator(**entry.discriminator).to(device) for _ in range(2)]       # D_X, D_Y
        train_cyclegan(model, *critics, *day_night_domains(train), **args)
        return model, evaluate_cyclegan(model, val, zoo.load("scenes_segmenter", device=device),
                                        zoo.load("scenes_predictor", device=device))
    if entry.recipe == "encoder":
        stylegan = zoo.load(args.pop("stylegan"), device=device)      # frozen: E learns to invert it
        train_encoder(model, stylegan, **args)
        return model, evaluate_encoder(model, stylegan, val.images, args["generator"])
    if entry.recipe == "flow":                # frozen generator and predictor: the flow's data are their codes
        stylegan = zoo.load(args.pop("stylegan"), device=device)
        predictor = zoo.load(args.pop("predictor"), device=device)
        codes = flow_training_codes(stylegan, predictor, args.pop("n_codes"), args["generator"])
        held_out = flow_training_codes(stylegan, predictor, 2000, torch.Generator().manual_seed(entry.seed + 1))
        train_flow(model, codes, **args)
        return model, evaluate_flow(model, held_out)
    if entry.recipe == "discovery":           # frozen generator: the deformator's directions live in its W
        stylegan = zoo.load(args.pop("stylegan"), device=device)
        train_discovery(model, stylegan, **args)
        return model, evaluate_discovery(model, stylegan, torch.Generator().manual_seed(entry.seed + 1))
    if entry.recipe == "diffusion":           # the face factors are the condition (dropped at random)
        names = [f.name for f in factors]
        model_ema, _ = train_diffusion(model, train, names, **args)
        return model_ema, {f"held-out loss ({model_ema.prediction}-prediction)": heldout_loss(model_ema, model_ema.schedule(), val.images,
                                                              val.factor_matrix(names))}
    if entry.recipe == "clip":                # two datasets: the entry's and args["also"], as many images of each
        other = args.pop("also")
        train_clip(model, {entry.dataset: train, other: load_split(other, "train", len(train)).to(device)}, **args)
        return model, evaluate_clip(model, {entry.dataset: val, other: load_split(other, "val", len(val)).to(device)})
    raise ValueError(f"unknown recipe {entry.recipe!r} for {entry.name!r}")


def save_checkpoint(name: str, model: torch.nn.Module, out_dir: Path, record: dict) -> dict:
    """Write the weights as safetensors (atomically) and add their SHA-256 and size to out_dir/manifest.json."""
    path = Path(out_dir) / zoo.get_entry(name).file
    manifest.save_weights(model.state_dict(), path)
    return manifest.record_checkpoint(name, path, record)


def load_hint(name: str, out_dir: Path) -> str:
    """The zoo.load call that loads what was just written into `out_dir`."""
    if manifest.is_shipped_dir(out_dir):
        return f"zoo.load({name!r})"
    if out_dir.expanduser().resolve() == manifest.user_checkpoint_dir().resolve():
        return f"zoo.load({name!r}, retrained=True)"
    return f"zoo.load({name!r}, checkpoint_dir={str(out_dir)!r})"


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring); exit code 0, or 2 with a message for bad arguments."""
    parser = argparse.ArgumentParser(prog="python -m gentut.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(zoo.REGISTRY), help="the zoo entry to train")
    parser.add_argument("--steps", type=positive_int_arg, help="override the number of training steps (>= 1)")
    parser.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    parser.add_argument("--resume", action="store_true", help="continue the interrupted run saved for NAME")
    parser.add_argument("--restart", action="store_true",
                        help="start over although a run is saved (it is kept as NAME.state.previous.pt)")
    parser.add_argument("--out", type=Path, help="checkpoint folder (default: your own, "
                        "$GENTUT_HOME/checkpoints or ~/.cache/gentut/checkpoints)")
    parser.add_argument("--replace-shipped", action="store_true",
                        help="allow --out to be the shipped gentut/checkpoints (maintainers refreshing the zoo)")
    parser.add_argument("--dry-run", action="store_true", help="3 steps on 64 images into a temporary folder")
    args = parser.parse_args(argv)
    if args.resume and args.restart:
        parser.error("choose --resume (continue the saved run) or --restart (start over), not both")
    out = args.out or (manifest.CHECKPOINT_DIR if args.replace_shipped else manifest.user_checkpoint_dir())
    try:
        if args.dry_run:
            out = Path(tempfile.mkdtemp(prefix="gentut-dry-run-"))
            record = train_entry(args.name, steps=3, device=args.device, out_dir=out, state_dir=out / "state",
                                 n_train=64, n_val=64)
        else:
            record = train_entry(args.name, steps=args.steps, device=args.device, resume=args.resume,
                                 restart=args.restart, out_dir=out, replace_shipped=args.replace_shipped)
    except GentutError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    print(json.dumps({args.name: record}, indent=2))
    say(f"wrote {out / zoo.get_entry(args.name).file}; load it with {load_hint(args.name, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
