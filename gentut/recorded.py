"""Recorded studies: measurements too large for a notebook's 30 seconds, computed once and shipped.

    from gentut import recorded
    study = recorded.load("inversion_study")      # {key: tensor}: checksum-verified, made by today's models
    python -m gentut.recorded inversion_study     # recompute it (minutes on a laptop CPU)

A claim in a notebook needs enough samples to carry an interval: 40 inverted faces, hundreds of
edited codes. On a 2-core laptop that takes minutes, and a notebook has 30 seconds. So each such
measurement is a *study*: a function of the zoo's models that returns named tensors (per-face
or per-code scores, loss curves, timings). `python -m gentut.recorded NAME` runs it and writes
NAME.safetensors with a manifest record, like a checkpoint (gentut/manifest.py). The notebook
loads the recording, prints its tables and verdicts from it, and re-runs a small part live,
checking that the live numbers agree with the recorded ones: a recording cannot drift from the
code that made it without a notebook failing.

A recording also cannot drift from the models: its record keeps the SHA-256 of every zoo model the
study used, and `load` refuses a recording made with a model that has since been retrained
(StaleRecordingError, which names the command that re-records it).
"""

from __future__ import annotations

import argparse
import importlib
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from gentut import manifest
from gentut.checks import GentutError
from gentut.runtime import pick_device, seed_everything

__all__ = ["Study", "STUDIES", "StaleRecordingError", "record", "load", "main"]


class StaleRecordingError(manifest.CheckpointError):
    """A recording was made with a zoo model that has since been retrained; re-record it."""


@dataclass(frozen=True)
class Study:
    """A recorded measurement: `run(device)` -> {key: tensor}, using the zoo models `models`.

    run: "module:function", imported only when the study is recorded (so that loading a recording
    imports nothing of the study's own code).
    """

    name: str
    description: str
    run: str
    models: tuple[str, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.safetensors"

    @property
    def command(self) -> str:
        return f"python -m gentut.recorded {self.name}"


STUDIES: dict[str, Study] = {study.name: study for study in [
    Study("inversion_study", "notebook 07: every inversion method on 20 real and 20 generated faces",
          "gentut.invert.study:run_inversion_study", ("faces_stylegan", "faces_predictor", "faces_encoder")),
    Study("rescoring_study", "notebook 05: re-scoring 300 codes per boundary, layer-wise edits of 150 codes",
          "gentut.interpret.study:run_rescoring_study",
          ("faces_stylegan", "faces_predictor", "scenes_stylegan", "scenes_predictor")),
    Study("beyond_linear_study", "notebook 09: GANalyze's learnt direction, InfoGAN on 5 seeds with and without its loss",
          "gentut.interpret.beyond_study:run_beyond_linear_study", ("faces_stylegan", "faces_predictor")),
    Study("text_edit_study", "notebook 09b: StyleCLIP's two edits and InterFaceGAN re-scored on 64 faces; "
          "every S channel's CLIP direction", "gentut.interpret.text_study:run_text_edit_study",
          ("faces_stylegan", "faces_predictor", "tiny_clip", "scenes_stylegan")),
    Study("diffusion_study", "notebook 10: FD against DDIM steps and guidance, DDIM inversion of 20 real faces, "
          "h-space directions against W", "gentut.diffusion_study:run_diffusion_study",
          ("faces_diffusion", "faces_stylegan", "faces_predictor")),
    Study("hessian_gan_study", "notebook 06: blob GANs trained with and without the Hessian penalty, 4 seeds each",
          "gentut.interpret.hessian_gan:run_hessian_gan_study", ()),
]}


def get_study(name: str) -> Study:
    """The study `name`, or a ValueError listing the studies there are."""
    if name not in STUDIES:
        raise ValueError(f"unknown study {name!r}; the recorded studies are: {', '.join(STUDIES)}")
    return STUDIES[name]


def model_hashes(models: tuple[str, ...], models_dir: Path | str = manifest.CHECKPOINT_DIR) -> dict[str, str]:
    """name -> SHA-256 of each zoo model as recorded in models_dir's manifest ("" when absent)."""
    records = manifest.read_manifest(models_dir)
    return {name: records.get(name, {}).get("sha256", "") for name in models}


def record(name: str, out_dir: Path | str, device: str | None = None,
           models_dir: Path | str = manifest.CHECKPOINT_DIR) -> dict:
    """Run study `name` with the shipped models and write out_dir/NAME.safetensors and its manifest record.

    The record holds the seconds it took, the device, and the SHA-256 of each model used (read
    from `models_dir`'s manifest: the shipped zoo, which the study's `zoo.load` calls read).
    """
    study = get_study(name)
    module, function = study.run.split(":")
    run = getattr(importlib.import_module(module), function)
    device = pick_device(device)
    seed_everything(0)
    start = time.perf_counter()
    tensors = run(device)
    seconds = time.perf_counter() - start
    path = Path(out_dir) / study.file
    manifest.save_weights(tensors, path)
    return manifest.record_checkpoint(name, path, {"seconds": round(seconds, 1), "device": str(device),
                                                   "models": model_hashes(study.models, models_dir)})


def load(name: str, checkpoint_dir: Path | str = manifest.CHECKPOINT_DIR,
         models_dir: Path | str = manifest.CHECKPOINT_DIR) -> dict[str, torch.Tensor]:
    """The recording of study `name` as {key: tensor} on the CPU, after three checks.

    Its SHA-256 matches the manifest of `checkpoint_dir`, its tensors are finite
    (gentut.manifest's CheckpointError otherwise), and every model it used has the SHA-256 it has
    today in `models_dir`'s manifest (StaleRecordingError otherwise, naming the command to re-record).
    """
    study = get_study(name)
    path = manifest.verified_file(name, study.file, study.command, checkpoint_dir)
    recorded = manifest.read_manifest(checkpoint_dir)[name].get("models", {})
    changed = [m for m, sha in model_hashes(study.models, models_dir).items() if recorded.get(m) != sha]
    if changed:
        raise StaleRecordingError(
            f"{path} was recorded with other versions of {', '.join(changed)} than the zoo has now (they were "
            f"retrained since), so its numbers no longer describe these models. Re-record it: "
            f"{manifest.train_command(study.command, Path(checkpoint_dir))}")
    return manifest.read_weights(path, study.command)


def main(argv: list[str] | None = None) -> int:
    """Command line: record one study (into your own folder unless --out says otherwise)."""
    parser = argparse.ArgumentParser(prog="python -m gentut.recorded", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(STUDIES), help="the study to record")
    parser.add_argument("--out", type=Path, help="folder (default: your own, ~/.cache/gentut/checkpoints)")
    parser.add_argument("--replace-shipped", action="store_true",
                        help="allow --out to be the shipped gentut/checkpoints (maintainers)")
    parser.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    args = parser.parse_args(argv)
    default_out = manifest.CHECKPOINT_DIR if args.replace_shipped else manifest.user_checkpoint_dir()
    try:
        out = manifest.check_output_dir(args.out or default_out, args.replace_shipped, get_study(args.name).command)
        result = record(args.name, out, args.device)
    except GentutError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    print(f"wrote {out / get_study(args.name).file} ({result['bytes'] / 2 ** 20:.2f} MiB) in {result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
