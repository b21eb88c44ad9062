"""Checkpoint files and their manifest: where they live, how they are written, how they are verified.

    path = verified_file("faces_vae", "faces_vae.safetensors", "python -m gentut.train faces_vae")
    weights = read_weights(path, command)          # readable, every float finite
    save_weights(tensors, out / "x.safetensors"); record_checkpoint("x", out / "x.safetensors", {...})

Two folders, one format. The *shipped* checkpoints (`CHECKPOINT_DIR`, inside the package) are
what `zoo.load(name)` and so every notebook reads. The user's own folder,
`user_checkpoint_dir()` (`$GENTUT_HOME/checkpoints`, by default `~/.cache/gentut/checkpoints`),
is where the training CLIs write and `zoo.load(name, retrained=True)` reads; writing into a
shipped folder needs `--replace-shipped` (`check_output_dir`).

Each folder has a `manifest.json`: name -> {sha256, bytes, training time, metrics, ...}. It is
rewritten atomically (temporary file + os.replace) under a lock file (fcntl.flock), so
concurrent trainings keep every record and readers never see half a file; weights are written
atomically too. Every fault of a manifest or checkpoint -- missing, unreadable, unrecorded,
re-hashed but broken, non-finite weights -- is one CheckpointError (or CheckpointNotFoundError)
whose message names the file and the fix.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from gentut.checks import GentutError, InputError

try:
    import fcntl                   # POSIX file locks; missing on Windows (see manifest_lock)
except ImportError:                # pragma: no cover
    fcntl = None

__all__ = ["CHECKPOINT_DIR", "MANIFEST", "CheckpointError", "ChecksumError",
           "CheckpointNotFoundError", "gentut_home", "user_checkpoint_dir", "is_shipped_dir", "check_output_dir",
           "train_command", "sha256_of", "read_manifest", "record_checkpoint", "save_weights", "verified_file",
           "read_weights"]

CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoints"
MANIFEST = "manifest.json"


class CheckpointError(GentutError, RuntimeError):
    """A checkpoint or manifest is unusable (unreadable, unrecorded, non-finite); the message names file and fix."""


class ChecksumError(CheckpointError):
    """A checkpoint file's SHA-256 differs from the one recorded in the manifest."""


class CheckpointNotFoundError(GentutError, FileNotFoundError):
    """No checkpoint file where one was asked for; the message gives the command that trains it."""


def gentut_home() -> Path:
    """The user's gentut folder: ``$GENTUT_HOME`` if set, else ``~/.cache/gentut``."""
    env = os.environ.get("GENTUT_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "gentut"


def user_checkpoint_dir() -> Path:
    """Where the training CLI writes by default and `load(name, retrained=True)` reads: gentut_home()/checkpoints."""
    return gentut_home() / "checkpoints"


def is_shipped_dir(directory: Path | str) -> bool:
    """Whether `directory` holds shipped checkpoints: this package's `checkpoints/` or a gentut source tree's."""
    directory = Path(directory).expanduser().resolve()
    package = directory.parent
    return directory == CHECKPOINT_DIR or (directory.name == "checkpoints" and (package / "zoo.py").is_file()
                                           and (package / "__init__.py").is_file())


def check_output_dir(out_dir: Path | str, replace_shipped: bool = False,
                     command: str = "python -m gentut.train NAME") -> Path:
    """`out_dir` as a Path, after refusing to write into the shipped checkpoints unless `replace_shipped`.

    The notebooks load the shipped models; a student's retrain must not replace them silently.
    `replace_shipped` for any other folder is refused too (it would say something untrue).
    `command`: the CLI that asks, for the message.
    """
    out_dir = Path(out_dir).expanduser()
    shipped = is_shipped_dir(out_dir)
    if shipped and not replace_shipped:
        raise InputError(f"{out_dir} holds the checkpoints shipped with gentut, which every notebook loads; "
                         f"training does not replace them unless asked. Leave out --out to train into your own "
                         f"folder ({user_checkpoint_dir()}). Maintainers refreshing the shipped zoo: "
                         f"{command} --out gentut/checkpoints --replace-shipped")
    if replace_shipped and not shipped:
        raise InputError(f"--replace-shipped is only for the shipped checkpoint folder ({CHECKPOINT_DIR} or a "
                         f"source tree's gentut/checkpoints); {out_dir} is not one. Drop --replace-shipped.")
    return out_dir


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def train_command(command: str, directory: Path | str) -> str:
    """`command` (e.g. "python -m gentut.train faces_vae") with the options that make it write into `directory`."""
    directory = Path(directory).expanduser()
    if is_shipped_dir(directory):
        return f"{command} --out {directory} --replace-shipped"
    return command if directory.resolve() == user_checkpoint_dir().resolve() else f"{command} --out {directory}"


def fix_hint(directory: Path | str, command: str) -> str:
    """How to repair a broken file of `directory`: restore a shipped one, or retrain into the folder."""
    if is_shipped_dir(directory):
        return (f"Restore the shipped files (git checkout -- {directory}, or reinstall gentut), "
                f"or retrain: {train_command(command, directory)}")
    return f"Retrain it: {train_command(command, directory)}"


def read_manifest(checkpoint_dir: Path | str = CHECKPOINT_DIR) -> dict:
    """name -> {sha256, bytes, train_seconds, device, metrics, ...} for every trained checkpoint.

    A missing manifest is empty ({}); one that is not a JSON object of records raises CheckpointError.
    """
    path = Path(checkpoint_dir) / MANIFEST
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} is not valid JSON ({error}): it was cut short or edited by hand. "
                              f"{manifest_hint(path)}") from None
    if not isinstance(manifest, dict) or not all(isinstance(r, dict) for r in manifest.values()):
        raise CheckpointError(f"{path} must be a JSON object name -> record (sha256, bytes, ...); it is not. "
                              f"{manifest_hint(path)}")
    return manifest


def manifest_hint(path: Path) -> str:
    """How to repair the broken manifest at `path`."""
    if is_shipped_dir(path.parent):
        return f"Restore it: git checkout -- {path} (or reinstall gentut)"
    return (f"Repair it by hand, or move it away and retrain the models it listed "
            f"({train_command('python -m gentut.train NAME', path.parent)})")


@contextmanager
def manifest_lock(directory: Path):
    """Hold an exclusive lock on directory/manifest.json.lock while the manifest is read and rewritten.

    POSIX: fcntl.flock, so concurrent trainings (processes) take turns and keep every record.
    Without fcntl (Windows) nothing is locked: each write stays atomic (never half-written JSON),
    but two writers at the same instant may drop one record (re-run the command that lost it).
    """
    if fcntl is None:                                    # pragma: no cover
        yield
        return
    with open(directory / f"{MANIFEST}.lock", "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path`; when the block succeeds, it replaces `path` in one step
    (os.replace), so readers see the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(temporary)
    try:
        yield temporary
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            temporary.chmod(0o644)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def record_checkpoint(name: str, path: Path, record: dict) -> dict:
    """Add the file at `path` (SHA-256, size, plus `record`) as entry `name` of the manifest beside it.

    Safe with several processes recording at once (a lock, then an atomic rewrite).
    """
    path = Path(path)
    record = {"sha256": sha256_of(path), "bytes": path.stat().st_size, **record}
    with manifest_lock(path.parent):
        manifest = read_manifest(path.parent)
        manifest[name] = record
        with atomic_path(path.parent / MANIFEST) as temporary:
            temporary.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n")
    return record


def save_weights(tensors: dict[str, torch.Tensor], path: Path) -> None:
    """Write `tensors` as a safetensors file, atomically: an interrupted save leaves the old file intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temporary:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(temporary))


def verified_file(name: str, file: str, command: str, checkpoint_dir: Path | str = CHECKPOINT_DIR) -> Path:
    """checkpoint_dir/file after checking its SHA-256 against the manifest record `name`.

    No file raises CheckpointNotFoundError (a FileNotFoundError) with `command`, which creates it;
    a file the manifest cannot vouch for (no manifest, no record, no sha256) CheckpointError; a
    different checksum ChecksumError. Every message names the file and how to repair it.
    """
    directory = Path(checkpoint_dir)
    path, manifest_path = directory / file, directory / MANIFEST
    manifest = read_manifest(directory)
    record = manifest.get(name)
    if not path.exists():
        recorded = f" ({manifest_path} records it, but the file is gone)" if record is not None else ""
        fix = (fix_hint(directory, command) if is_shipped_dir(directory)
               else f"Train it with: {train_command(command, directory)}")
        raise CheckpointNotFoundError(f"no trained checkpoint for {name!r} at {path}{recorded}. {fix}")
    if record is None:
        why = "is missing" if not manifest_path.exists() else f"has no record of {name!r}"
        raise CheckpointError(f"{path} is there but {manifest_path} {why}, so its SHA-256 cannot be checked. "
                              f"{fix_hint(directory, command)}")
    if not isinstance(record.get("sha256"), str):
        raise CheckpointError(f"{manifest_path}: the record of {name!r} has no 'sha256', so {path} cannot be checked. "
                              f"{fix_hint(directory, command)}")
    actual = sha256_of(path)
    if actual != record["sha256"]:
        raise ChecksumError(
            f"{path} is corrupt or was replaced: its SHA-256 is {actual}, the manifest expects {record['sha256']}. "
            f"{fix_hint(directory, command)}")
    return path


def read_weights(path: Path, command: str) -> dict[str, torch.Tensor]:
    """The tensors of a verified safetensors file, checked readable and finite (else CheckpointError)."""
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{path} is not a readable safetensors file ({error}), although its SHA-256 matches "
                              f"the manifest: it was broken when it was recorded. {fix_hint(path.parent, command)}") from None
    bad = [key for key, value in tensors.items() if value.is_floating_point() and not torch.isfinite(value).all()]
    if bad:
        raise CheckpointError(f"{path} holds NaN or infinite weights in {len(bad)} of {len(tensors)} tensors "
                              f"({', '.join(bad[:3])}{', ...' if len(bad) > 3 else ''}): the training run that wrote it "
                              f"diverged. {fix_hint(path.parent, command)} (a lower learning rate helps)")
    return tensors
