"""The recorded GAN Lab: save/load round trip, the checksum, and the shipped recording itself."""

import pytest
import torch

from gentut import zoo
from gentut.gan2d import mode_coverage
from gentut.gan2d_lab import LAB_LOSSES, LAB_SEEDS, LAB_SETTINGS, lab_mixture, load_lab, load_runs, record_run, save_runs


def test_record_save_load_round_trip(tmp_path):
    settings = {**LAB_SETTINGS, "steps": 4, "snapshot_every": 2, "n_snapshot_samples": 10, "surface_resolution": 8}
    runs = {"nonsaturating": [record_run("nonsaturating", 0, settings), record_run("nonsaturating", 1, settings)],
            "wgan-gp": [record_run("wgan-gp", 0, settings)]}
    assert torch.equal(record_run("wgan-gp", 0, settings).snapshots[-1].samples, runs["wgan-gp"][0].snapshots[-1].samples)
    save_runs(runs, tmp_path / "lab.safetensors")
    loaded = load_runs(tmp_path / "lab.safetensors")
    assert {k: len(v) for k, v in loaded.items()} == {"nonsaturating": 2, "wgan-gp": 1}
    for loss in runs:
        for original, copy in zip(runs[loss], loaded[loss]):
            assert [s.step for s in copy.snapshots] == [0, 2, 4] and copy.G is None
            for a, b in zip(original.snapshots, copy.snapshots):
                assert torch.allclose(a.samples, b.samples, atol=2e-3) and b.surface.shape == (8, 8)


def test_load_lab_checks_the_checksum(tmp_path):
    (tmp_path / "gan2d_lab.safetensors").write_bytes(b"not the recording")
    zoo.record_checkpoint("gan2d_lab", tmp_path / "gan2d_lab.safetensors", {})
    (tmp_path / "gan2d_lab.safetensors").write_bytes(b"tampered")
    with pytest.raises(zoo.ChecksumError, match="python -m gentut.gan2d_lab"):
        load_lab(tmp_path)
    with pytest.raises(FileNotFoundError, match="python -m gentut.gan2d_lab"):
        load_lab(tmp_path / "empty")


def test_shipped_recording_is_complete():
    runs = load_lab()
    assert set(runs) == set(LAB_LOSSES) and all(len(seeds) == len(LAB_SEEDS) for seeds in runs.values())
    last = [s.step for s in runs["wgan-gp"][0].snapshots][-1]
    assert last == LAB_SETTINGS["steps"]
    # every recorded generator ends near the data: most samples land on some mode
    for seeds in runs.values():
        for run in seeds:
            assert mode_coverage(run.snapshots[-1].samples, lab_mixture())["modes"] >= 1


def test_cli_never_replaces_the_shipped_recording_unless_asked(capsys):
    from gentut.gan2d_lab import main
    for argv, message in [(["--out", str(zoo.CHECKPOINT_DIR)], "--replace-shipped"),
                          (["--steps", "0"], "positive whole number")]:
        with pytest.raises(SystemExit) as exit:
            main(argv)
        assert exit.value.code == 2 and message in capsys.readouterr().err
