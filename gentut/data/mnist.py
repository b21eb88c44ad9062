"""Opt-in MNIST / Fashion-MNIST loader for the original IDX files.

Nothing is downloaded unless you ask for it::

    from gentut.data.mnist import load_mnist
    images, labels = load_mnist(download=True)      # (60000, 1, 28, 28) float32, (60000,) int64

Files live in ``<root>/<kind>/`` where ``root`` defaults to ``$GENTUT_DATA`` or
``~/.cache/gentut/data``. Without internet, copy the four ``*-ubyte.gz`` files
there by hand; every error message says exactly which file and where.

The file table, the downloader and the loader all take their inputs as
parameters (with :data:`MNIST_FILES` as the default table), so they can be
tested with tiny local files and ``file://`` URLs.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import http.client
import os
import secrets
import shutil
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import torch

__all__ = [
    "DatasetUnavailableError",
    "RemoteFile",
    "MNIST_FILES",
    "DEFAULT_TIMEOUT",
    "default_data_root",
    "read_idx",
    "write_idx",
    "file_checksum",
    "download_file",
    "fetch_file",
    "load_mnist",
]

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for a mirror to answer before trying the next one."""


class DatasetUnavailableError(RuntimeError):
    """A data file is missing, could not be downloaded, or is corrupt.

    The message always says which file, where it was looked for, and how to fix it.
    """


@dataclass(frozen=True)
class RemoteFile:
    """One downloadable file: its name on disk, checksum and mirror URLs.

    ``checksum`` is ``"<algorithm>:<hex digest>"`` with algorithm ``md5`` or ``sha256``.
    ``urls`` are tried in order.
    """

    name: str
    checksum: str
    urls: tuple[str, ...]


# ---------------------------------------------------------------------------
# File table (names and MD5s as listed by torchvision's MNIST / FashionMNIST).
# ---------------------------------------------------------------------------

_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
_FASHION_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)


def _remote(name: str, md5: str, mirrors: Sequence[str]) -> RemoteFile:
    return RemoteFile(name, f"md5:{md5}", tuple(m + name for m in mirrors))


MNIST_FILES: dict[str, dict[str, RemoteFile]] = {
    "mnist": {
        "train-images": _remote("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873", _MNIST_MIRRORS),
        "train-labels": _remote("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432", _MNIST_MIRRORS),
        "test-images": _remote("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3", _MNIST_MIRRORS),
        "test-labels": _remote("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c", _MNIST_MIRRORS),
    },
    "fashion-mnist": {
        "train-images": _remote("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", _FASHION_MIRRORS),
        "train-labels": _remote("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe", _FASHION_MIRRORS),
        "test-images": _remote("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79", _FASHION_MIRRORS),
        "test-labels": _remote("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310", _FASHION_MIRRORS),
    },
}
"""kind -> role (``"train-images"``, ``"train-labels"``, ``"test-images"``, ``"test-labels"``) -> file."""


def default_data_root() -> Path:
    """Return the data cache directory: ``$GENTUT_DATA`` if set, else ``~/.cache/gentut/data``."""
    env = os.environ.get("GENTUT_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "gentut" / "data"


# ---------------------------------------------------------------------------
# IDX format: magic (0, 0, dtype code, ndim), ndim big-endian uint32 sizes, payload.
# ---------------------------------------------------------------------------

_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    """Return the file's bytes, gunzipped if the file is gzip-compressed."""
    data = path.read_bytes()
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: broken gzip stream ({error})") from error


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Parse an IDX file (raw or gzip-compressed) into a numpy array.

    Supports the standard dtype codes 0x08 (uint8), 0x09 (int8), 0x0B (int16),
    0x0C (int32), 0x0D (float32) and 0x0E (float64), stored big-endian.

    Returns:
        An array of the shape given in the header, in native byte order
        (e.g. ``(N, 28, 28)`` uint8 for MNIST images, ``(N,)`` uint8 for labels).

    Raises:
        ValueError: bad magic number, unknown dtype code, truncated header, or a
            payload whose size does not match the header.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path}: not an IDX file (only {len(data)} bytes, need a 4-byte magic number)")
    zero, code, ndim = int.from_bytes(data[:2], "big"), data[2], data[3]
    if zero != 0:
        raise ValueError(f"{path}: bad IDX magic number {data[:4].hex()} (must start with 0000)")
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{path}: IDX header says 0 dimensions")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise ValueError(f"{path}: truncated IDX header ({len(data)} bytes, need {header_size} for {ndim} dims)")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    actual = len(data) - header_size
    if actual != expected:
        raise ValueError(
            f"{path}: IDX payload is {actual} bytes but the header (shape {shape}, {dtype.name}) "
            f"needs {expected}; the file is truncated or corrupt"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # copies: writable, native order


def _idx_code(dtype: np.dtype) -> int:
    for code, idx_dtype in _IDX_DTYPES.items():
        if dtype.kind == idx_dtype.kind and dtype.itemsize == idx_dtype.itemsize:
            return code
    raise ValueError(f"dtype {dtype} has no IDX code; cast to uint8, int8, int16, int32, float32 or float64")


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write ``array`` (1 to 255 dims, uint8/int8/int16/int32/float32/float64) as an IDX file.

    The file is gzip-compressed when ``path`` ends in ``.gz`` (deterministic bytes,
    no timestamp). Returns the path written.
    """
    path, array = Path(path), np.asarray(array)
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX needs 1 to 255 dimensions, got {array.ndim}")
    code = _idx_code(array.dtype)
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    data = header + array.astype(_IDX_DTYPES[code]).tobytes()
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------
# Checksums, download and the on-disk cache.
# ---------------------------------------------------------------------------

_ALGORITHMS = ("md5", "sha256")


def _split_checksum(checksum: str) -> tuple[str, str]:
    algorithm, _, digest = checksum.partition(":")
    if algorithm not in _ALGORITHMS or not digest:
        raise ValueError(f"checksum {checksum!r} must look like 'md5:<hex>' or 'sha256:<hex>'")
    return algorithm, digest.lower()


def file_checksum(path: str | os.PathLike, algorithm: str = "md5") -> str:
    """Return the checksum of a file as ``"<algorithm>:<hex digest>"`` (md5 or sha256)."""
    if algorithm not in _ALGORITHMS:
        raise ValueError(f"unknown checksum algorithm {algorithm!r}; use one of {_ALGORITHMS}")
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"{algorithm}:{digest.hexdigest()}"


def _checksum_matches(path: Path, checksum: str) -> tuple[bool, str]:
    algorithm, digest = _split_checksum(checksum)
    actual = file_checksum(path, algorithm)
    return actual == f"{algorithm}:{digest}", actual


def _manual_fix(urls: Sequence[str], directory: Path) -> str:
    listed = "\n".join(f"       {url}" for url in urls)
    return f"download it by hand from one of\n{listed}\n     and copy it into {directory}/"


def _download_once(url: str, dest: Path, timeout: float) -> Path:
    """Fetch ``url`` into a fresh temporary file next to ``dest``; return the temp path."""
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "xb") as f:
            shutil.copyfileobj(response, f)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def download_file(
    urls: Sequence[str], dest: str | os.PathLike, checksum: str, timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """Download the first mirror in ``urls`` that works and matches ``checksum`` to ``dest``.

    Each URL is fetched into a temporary file in ``dest``'s directory that is renamed
    to ``dest`` only once complete and verified, so an interrupted or corrupt download
    never appears under the final name. Returns ``dest``.

    Raises:
        DatasetUnavailableError: every mirror failed (network error or bad checksum).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    corrupt = False
    for url in urls:
        print(f"Downloading {url} -> {dest}")
        try:
            tmp = _download_once(url, dest, timeout)
        except (OSError, http.client.HTTPException, ValueError) as error:
            failures.append(f"  {url}: {error}")
            continue
        ok, actual = _checksum_matches(tmp, checksum)
        if ok:
            os.replace(tmp, dest)
            return dest
        tmp.unlink()  # our own temporary file, never a user file
        corrupt = True
        failures.append(f"  {url}: corrupt download, expected {checksum}, got {actual}")
    tried = "\n".join(failures) or "  (no urls given)"
    if corrupt:
        headline = f"could not download a good copy of {dest.name}: the file is corrupt"
    else:
        headline = f"could not download {dest.name} (are you offline?)"
    raise DatasetUnavailableError(
        f"{headline}. Tried:\n{tried}\nNothing was saved as {dest}. To fix: check your connection and retry, or\n"
        f"     {_manual_fix(urls, dest.parent)}"
    )


def _missing_error(spec: RemoteFile, path: Path) -> DatasetUnavailableError:
    return DatasetUnavailableError(
        f"data file {spec.name} is missing: looked for {path}\n"
        f"Nothing is downloaded unless you ask. Two ways out:\n"
        f"  1. pass download=True (needs internet), or\n"
        f"  2. {_manual_fix(spec.urls, path.parent)}\n"
        f"(Set the GENTUT_DATA environment variable or pass root= to look elsewhere.)"
    )


def fetch_file(
    spec: RemoteFile, directory: str | os.PathLike, download: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """Return the path of ``spec`` in ``directory``, checksum-verified, downloading it if asked.

    A file already on disk is never re-downloaded, only re-verified (cheap at MNIST size).
    A corrupt file on disk is left in place (never deleted) and reported.

    Raises:
        DatasetUnavailableError: missing with ``download=False``, download failed, or corrupt.
    """
    path = Path(directory) / spec.name
    if not path.exists():
        if not download:
            raise _missing_error(spec, path)
        return download_file(spec.urls, path, spec.checksum, timeout)
    ok, actual = _checksum_matches(path, spec.checksum)
    if not ok:
        raise DatasetUnavailableError(
            f"data file {path} is corrupt: expected checksum {spec.checksum}, got {actual}.\n"
            f"It was left untouched; delete it and retry (download=True, or copy a good copy by hand)."
        )
    return path


# ---------------------------------------------------------------------------
# The loader.
# ---------------------------------------------------------------------------


def _to_tensors(images: np.ndarray, labels: np.ndarray, where: Path) -> tuple[torch.Tensor, torch.Tensor]:
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"{where}: expected uint8 images of shape (N, H, W), got {images.dtype} {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{where}: {len(images)} images but labels of shape {labels.shape}")
    x = torch.from_numpy(images).unsqueeze(1).to(torch.float32).div_(255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def load_mnist(
    root: str | os.PathLike | None = None,
    train: bool = True,
    download: bool = False,
    kind: str = "mnist",
    *,
    files: Mapping[str, Mapping[str, RemoteFile]] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Load MNIST or Fashion-MNIST from ``<root>/<kind>/`` (opt-in download).

    Args:
        root: data directory; defaults to :func:`default_data_root`.
        train: the 60k training split if True, else the 10k test split.
        download: fetch missing files from the mirrors (needs internet).
        kind: ``"mnist"`` or ``"fashion-mnist"`` (the keys of ``files``).
        files: file table, defaults to :data:`MNIST_FILES`.
        timeout: seconds per mirror before giving up on it.

    Returns:
        ``(images, labels)``: images float32 of shape ``(N, 1, 28, 28)`` in ``[0, 1]``,
        labels int64 of shape ``(N,)``.

    Raises:
        ValueError: unknown ``kind`` or malformed files.
        DatasetUnavailableError: a file is missing, cannot be downloaded, or is corrupt.
    """
    table = MNIST_FILES if files is None else files
    if kind not in table:
        raise ValueError(f"unknown kind {kind!r}; valid kinds: {', '.join(sorted(table))}")
    directory = Path(root).expanduser() if root is not None else default_data_root()
    directory = directory / kind
    split = "train" if train else "test"
    image_path = fetch_file(table[kind][f"{split}-images"], directory, download, timeout)
    label_path = fetch_file(table[kind][f"{split}-labels"], directory, download, timeout)
    return _to_tensors(read_idx(image_path), read_idx(label_path), directory)
