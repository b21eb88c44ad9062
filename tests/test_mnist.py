"""Tests for gentut.data.mnist: IDX I/O, the opt-in loader and the downloader, all offline."""

from __future__ import annotations

import gzip
import io
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch

from gentut.data import mnist
from gentut.data.mnist import (
    MNIST_FILES,
    DatasetUnavailableError,
    RemoteFile,
    default_data_root,
    download_file,
    file_checksum,
    load_mnist,
    read_idx,
    write_idx,
)

UNREACHABLE = "http://127.0.0.1:9/x.gz"  # discard port: connection refused


def _tiny_split(src: Path, prefix: str, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0] = 0
    images[1] = 255  # make sure both ends of the range occur
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    write_idx(src / f"{prefix}-images-idx3-ubyte.gz", images)
    write_idx(src / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return {"images": images, "labels": labels}


def _table(src: Path, algorithm: str = "md5", urls_for=None) -> dict[str, dict[str, RemoteFile]]:
    """A one-kind ('tiny') file table over the files in ``src``, checksums computed here."""
    roles = {
        "train-images": "train-images-idx3-ubyte.gz",
        "train-labels": "train-labels-idx1-ubyte.gz",
        "test-images": "t10k-images-idx3-ubyte.gz",
        "test-labels": "t10k-labels-idx1-ubyte.gz",
    }
    urls_for = urls_for or (lambda p: (p.as_uri(),))
    return {
        "tiny": {
            role: RemoteFile(name, file_checksum(src / name, algorithm), tuple(urls_for(src / name)))
            for role, name in roles.items()
        }
    }


@pytest.fixture
def tiny(tmp_path: Path):
    """Tiny MNIST-like files in tmp/src (the 'server'), an empty tmp/root, and the data."""
    src = tmp_path / "src"
    src.mkdir()
    data = {"train": _tiny_split(src, "train", 5, 0), "test": _tiny_split(src, "t10k", 3, 1)}
    return src, tmp_path / "root", data


def _install(src: Path, root: Path, kind: str = "tiny") -> Path:
    """Copy the files by hand into root/kind, as a user without internet would."""
    target = root / kind
    target.mkdir(parents=True)
    for f in src.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    return target


# --------------------------------------------------------------------------- IDX


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("shape", [(4, 28, 28), (7,)])
def test_idx_roundtrip_uint8(tmp_path, shape, suffix):
    array = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    path = write_idx(tmp_path / f"a-idx{suffix}", array)
    back = read_idx(path)
    assert back.dtype == np.uint8 and back.shape == shape
    np.testing.assert_array_equal(back, array)
    assert path.read_bytes()[:2] == (b"\x1f\x8b" if suffix else b"\x00\x00")


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
def test_idx_roundtrip_other_dtypes(tmp_path, dtype):
    array = (np.arange(24).reshape(2, 3, 4) - 10).astype(dtype)
    back = read_idx(write_idx(tmp_path / "a.gz", array))
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, array)


def test_idx_matches_the_published_format(tmp_path):
    # header: 0, 0, dtype 0x08, ndim 2, sizes as big-endian uint32; then row-major payload
    raw = bytes([0, 0, 0x08, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes(range(6))
    (tmp_path / "hand-made").write_bytes(raw)
    np.testing.assert_array_equal(read_idx(tmp_path / "hand-made"), [[0, 1, 2], [3, 4, 5]])
    write_idx(tmp_path / "ours", np.arange(6, dtype=np.uint8).reshape(2, 3))
    assert (tmp_path / "ours").read_bytes() == raw
    # int16 is stored big-endian
    write_idx(tmp_path / "i16", np.array([1, -2], dtype=np.int16))
    assert (tmp_path / "i16").read_bytes()[-4:] == b"\x00\x01\xff\xfe"


def test_idx_bad_magic(tmp_path):
    good = write_idx(tmp_path / "good", np.zeros(3, np.uint8)).read_bytes()
    (tmp_path / "bad").write_bytes(b"\x01\x02" + good[2:])
    with pytest.raises(ValueError, match="magic"):
        read_idx(tmp_path / "bad")
    (tmp_path / "code").write_bytes(good[:2] + b"\x07" + good[3:])
    with pytest.raises(ValueError, match="dtype code 0x07"):
        read_idx(tmp_path / "code")
    (tmp_path / "short").write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "short")


@pytest.mark.parametrize("compress", [False, True])
def test_idx_truncated_or_padded_payload(tmp_path, compress):
    good = write_idx(tmp_path / "good", np.zeros((2, 28, 28), np.uint8)).read_bytes()
    for name, data in [("truncated", good[:-1]), ("padded", good + b"\x00"), ("header", good[:10])]:
        path = tmp_path / (name + (".gz" if compress else ""))
        path.write_bytes(gzip.compress(data) if compress else data)
        with pytest.raises(ValueError, match="truncated|needs"):
            read_idx(path)


def test_idx_broken_gzip(tmp_path):
    data = write_idx(tmp_path / "a.gz", np.zeros(100, np.uint8)).read_bytes()
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="gzip"):
        read_idx(tmp_path / "cut.gz")


def test_write_idx_rejects_unsupported(tmp_path):
    with pytest.raises(ValueError, match="IDX code"):
        write_idx(tmp_path / "a", np.zeros(3, np.int64))
    with pytest.raises(ValueError, match="dimensions"):
        write_idx(tmp_path / "b", np.uint8(3))


# --------------------------------------------------------------------------- loader


@pytest.mark.parametrize("algorithm", ["md5", "sha256"])
@pytest.mark.parametrize("train", [True, False])
def test_load_from_disk(tiny, train, algorithm):
    src, root, data = tiny
    _install(src, root)
    images, labels = load_mnist(root, train=train, kind="tiny", files=_table(src, algorithm))
    expected = data["train" if train else "test"]
    n = len(expected["labels"])
    assert images.shape == (n, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (n,) and labels.dtype == torch.int64
    assert images.min() == 0.0 and images.max() == 1.0
    np.testing.assert_allclose(images[:, 0].numpy(), expected["images"] / np.float32(255), rtol=1e-6)
    assert labels.tolist() == expected["labels"].tolist()


def test_root_defaults_to_env(tiny, monkeypatch):
    src, root, _ = tiny
    _install(src, root)
    monkeypatch.setenv("GENTUT_DATA", str(root))
    assert default_data_root() == root
    images, _ = load_mnist(kind="tiny", files=_table(src))
    assert images.shape == (5, 1, 28, 28)
    monkeypatch.delenv("GENTUT_DATA")
    assert default_data_root() == Path.home() / ".cache" / "gentut" / "data"


def test_missing_file_says_what_and_how(tiny):
    src, root, _ = tiny
    with pytest.raises(DatasetUnavailableError) as info:
        load_mnist(root, kind="tiny", files=_table(src))
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert str(root / "tiny") in message
    assert "download=True" in message
    assert (src / "train-images-idx3-ubyte.gz").as_uri() in message  # the manual-download url
    assert isinstance(info.value, RuntimeError)
    assert not root.exists()  # nothing created without download=True


def test_corrupt_file_on_disk_is_reported_not_deleted(tiny):
    src, root, _ = tiny
    target = _install(src, root)
    bad = target / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(b"not the labels")
    table = _table(src)
    with pytest.raises(DatasetUnavailableError, match="corrupt") as info:
        load_mnist(root, kind="tiny", files=table)
    assert table["tiny"]["train-labels"].checksum in str(info.value)
    assert file_checksum(bad) in str(info.value)
    assert bad.read_bytes() == b"not the labels"


def test_download_file_url_then_cached(tiny):
    src, root, data = tiny
    images, labels = load_mnist(root, download=True, kind="tiny", files=_table(src))
    assert images.shape == (5, 1, 28, 28) and labels.tolist() == data["train"]["labels"].tolist()
    on_disk = sorted(p.name for p in (root / "tiny").iterdir())
    assert on_disk == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]  # no .part files
    # second call: files are on disk, so the (now unreachable) mirrors are never asked
    offline = _table(src, urls_for=lambda p: (UNREACHABLE,))
    again, _ = load_mnist(root, download=True, kind="tiny", files=offline)
    assert torch.equal(again, images)


def test_download_tries_next_mirror(tiny):
    src, root, _ = tiny
    table = _table(src, urls_for=lambda p: (UNREACHABLE, p.as_uri()))
    images, _ = load_mnist(root, download=True, kind="tiny", files=table, timeout=2)
    assert images.shape == (5, 1, 28, 28)


def test_download_unreachable_says_offline_and_leaves_nothing(tiny):
    src, root, _ = tiny
    table = _table(src, urls_for=lambda p: (UNREACHABLE, UNREACHABLE.replace(":9/", ":9/y/")))
    with pytest.raises(DatasetUnavailableError, match="offline") as info:
        load_mnist(root, download=True, kind="tiny", files=table, timeout=2)
    message = str(info.value)
    assert UNREACHABLE in message and "http://127.0.0.1:9/y/x.gz" in message
    assert "train-images-idx3-ubyte.gz" in message
    assert list((root / "tiny").iterdir()) == []


def test_download_corrupt_is_not_saved(tiny, tmp_path):
    src, root, _ = tiny
    wrong = tmp_path / "wrong.gz"
    wrong.write_bytes(b"garbage")
    dest = root / "f.gz"
    checksum = file_checksum(src / "train-images-idx3-ubyte.gz")
    with pytest.raises(DatasetUnavailableError, match="corrupt") as info:
        download_file([wrong.as_uri()], dest, checksum)
    assert checksum in str(info.value) and file_checksum(wrong) in str(info.value)
    assert list(root.iterdir()) == []


def test_interrupted_download_leaves_no_partial_file(tmp_path, monkeypatch):
    class Dropped(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 0:
                raise ConnectionResetError("connection dropped")
            return super().read(4)

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Dropped(b"x" * 100))
    with pytest.raises(DatasetUnavailableError, match="connection dropped"):
        download_file(["http://example.invalid/a.gz"], tmp_path / "a.gz", "md5:" + "0" * 32)
    assert list(tmp_path.iterdir()) == []


def test_unknown_kind():
    with pytest.raises(ValueError, match="fashion-mnist.*mnist|mnist.*fashion-mnist"):
        load_mnist(kind="kmnist")


def test_default_table_is_well_formed():
    assert set(MNIST_FILES) == {"mnist", "fashion-mnist"}
    for kind, files in MNIST_FILES.items():
        names = {role: f.name for role, f in files.items()}
        assert names == {
            "train-images": "train-images-idx3-ubyte.gz",
            "train-labels": "train-labels-idx1-ubyte.gz",
            "test-images": "t10k-images-idx3-ubyte.gz",
            "test-labels": "t10k-labels-idx1-ubyte.gz",
        }
        for f in files.values():
            algorithm, digest = mnist._split_checksum(f.checksum)
            assert algorithm == "md5" and len(digest) == 32 and int(digest, 16) >= 0
            assert f.urls and all(u.startswith("http") and u.endswith("/" + f.name) for u in f.urls)
    assert MNIST_FILES["mnist"]["train-images"].checksum == "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873"
