"""The recorded GAN Lab: both objectives of gentut.gan2d, many seeds each, trained once and shipped.

    runs = load_lab()                         # {"nonsaturating": [GANRun, ...], "wgan-gp": [...]}
    runs["wgan-gp"][3].snapshots[-1].samples  # seed 3's generator samples at the last step

Mode collapse is a matter of chance: one seed of one run proves nothing, and a fair comparison
of the GAN and WGAN-GP needs several seeds trained for longer than a notebook can wait on a
laptop CPU (WGAN-GP runs five critic steps per generator step). So `python -m gentut.gan2d_lab`
trains LAB_SEEDS seeds of each objective with LAB_SETTINGS and keeps only the snapshots — the
generator's samples for fixed codes and the discriminator's surface, every 100 steps, in float16 —
in a 2 MB safetensors file whose SHA-256 sits in the zoo's manifest. Notebook 03 scrubs and
measures these recordings and trains one short run live.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch
from safetensors.torch import load_file

from gentut import manifest
from gentut.checks import GentutError, positive_int_arg
from gentut.gan2d import GANRun, Snapshot, ring_mixture, train_2d_gan

__all__ = ["LAB_NAME", "LAB_FILE", "LAB_COMMAND", "LAB_LOSSES", "LAB_SEEDS", "LAB_SETTINGS", "lab_mixture",
           "record_run", "save_runs", "load_runs", "load_lab", "main"]

LAB_NAME = "gan2d_lab"
LAB_FILE = f"{LAB_NAME}.safetensors"
LAB_COMMAND = "python -m gentut.gan2d_lab"
LAB_LOSSES = ("nonsaturating", "wgan-gp")
LAB_SEEDS = tuple(range(8))
LAB_SETTINGS = dict(steps=3000, batch_size=128, lr=1e-3, snapshot_every=100, n_snapshot_samples=500,
                    surface_resolution=32)


def lab_mixture():
    """The mixture every recorded run learns: 8 Gaussians (std 0.05) on a circle of radius 2."""
    return ring_mixture(k=8, radius=2.0, std=0.05)


def record_run(loss: str, seed: int, settings: dict = LAB_SETTINGS, progress: bool = False) -> GANRun:
    """Train one run of the lab (objective `loss`, seed `seed`) on one CPU thread; returns it."""
    torch.set_num_threads(1)                      # runs go side by side, one per core
    return train_2d_gan(lab_mixture(), loss=loss, generator=torch.Generator().manual_seed(seed),
                        progress=progress, **settings)


def save_runs(runs: dict[str, list[GANRun]], path: Path | str) -> None:
    """Write the snapshots of runs {loss: [run per seed]} as float16 tensors to a safetensors file.

    Tensors per run: samples (n_snapshots, n, 2), surface (n_snapshots, res, res), steps (n_snapshots,).
    """
    tensors = {}
    for loss, seeds in runs.items():
        for index, run in enumerate(seeds):
            key = f"{loss}/{index}"
            tensors[f"{key}/samples"] = torch.stack([s.samples for s in run.snapshots]).half()
            tensors[f"{key}/surface"] = torch.stack([s.surface for s in run.snapshots]).half()
            tensors[f"{key}/steps"] = torch.tensor([s.step for s in run.snapshots])
    manifest.save_weights(tensors, Path(path))


def load_runs(path: Path | str) -> dict[str, list[GANRun]]:
    """Read save_runs' file back: {loss: [GANRun with snapshots only (G = D = None), ...]}."""
    return runs_from_tensors(load_file(str(path)))


def runs_from_tensors(tensors: dict[str, torch.Tensor]) -> dict[str, list[GANRun]]:
    """save_runs' tensors -> {loss: [GANRun with snapshots only, in seed order]}."""
    runs: dict[str, list[GANRun]] = {}
    for key in sorted(k.rsplit("/", 1)[0] for k in tensors if k.endswith("/steps")):
        loss, index = key.split("/")
        snapshots = [Snapshot(int(step), samples.float(), surface.float()) for step, samples, surface
                     in zip(tensors[f"{key}/steps"], tensors[f"{key}/samples"], tensors[f"{key}/surface"])]
        runs.setdefault(loss, []).append((int(index), GANRun(None, None, snapshots)))
    return {loss: [run for _, run in sorted(pairs, key=lambda pair: pair[0])] for loss, pairs in runs.items()}


def load_lab(checkpoint_dir: Path | str = manifest.CHECKPOINT_DIR) -> dict[str, list[GANRun]]:
    """The shipped recording, checksum-verified and finite: {"nonsaturating": [8 runs], "wgan-gp": [8 runs]}."""
    path = manifest.verified_file(LAB_NAME, LAB_FILE, LAB_COMMAND, checkpoint_dir)
    return runs_from_tensors(manifest.read_weights(path, LAB_COMMAND))


def main(argv: list[str] | None = None) -> int:
    """Command line: train every (loss, seed) of the lab and write the file and its manifest record.

    Writes into your own folder (gentut.manifest.user_checkpoint_dir()) unless --out says otherwise;
    the shipped recording is replaced only with --replace-shipped (maintainers:
    python -m gentut.gan2d_lab --out gentut/checkpoints --replace-shipped).
    """
    parser = argparse.ArgumentParser(prog=LAB_COMMAND, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="checkpoint folder (default: your own, ~/.cache/gentut/checkpoints)")
    parser.add_argument("--replace-shipped", action="store_true",
                        help="allow --out to be the shipped gentut/checkpoints (maintainers)")
    parser.add_argument("--jobs", type=positive_int_arg, default=2, help="runs trained side by side (one CPU core each)")
    parser.add_argument("--steps", type=positive_int_arg, default=LAB_SETTINGS["steps"], help="generator steps per run")
    args = parser.parse_args(argv)
    default_out = manifest.CHECKPOINT_DIR if args.replace_shipped else manifest.user_checkpoint_dir()
    try:
        args.out = manifest.check_output_dir(args.out or default_out, args.replace_shipped, LAB_COMMAND)
    except GentutError as error:
        parser.error(str(error))
    settings = {**LAB_SETTINGS, "steps": args.steps}
    jobs = [(loss, seed) for loss in LAB_LOSSES for seed in LAB_SEEDS]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        finished = list(pool.map(record_run, *zip(*jobs), [settings] * len(jobs)))
    runs = {loss: [run for (l, _), run in zip(jobs, finished) if l == loss] for loss in LAB_LOSSES}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / LAB_FILE
    save_runs(runs, path)
    manifest.record_checkpoint(LAB_NAME, path, {"train_seconds": round(time.perf_counter() - start, 1), "device": "cpu",
                                           "steps": settings["steps"], "seeds": len(LAB_SEEDS), "settings": settings})
    print(f"wrote {path} ({path.stat().st_size / 2 ** 20:.1f} MiB) in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
