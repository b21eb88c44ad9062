"""Recorded studies (gentut/recorded.py): round trip, checksum, staleness after a retrain, the CLI,
and the shipped recordings themselves (complete, finite, made with today's models)."""

import sys
import types

import pytest
import torch

from gentut import manifest, recorded


@pytest.fixture
def tiny_study(tmp_path, monkeypatch):
    """A study "tiny" that uses one fake zoo model "model_a", recorded in tmp_path/models."""
    module = types.ModuleType("tiny_study_module")
    module.run = lambda device: {"scores": torch.arange(4.0), "curve": torch.ones(3, 2)}
    monkeypatch.setitem(sys.modules, "tiny_study_module", module)
    monkeypatch.setitem(recorded.STUDIES, "tiny", recorded.Study("tiny", "a test", "tiny_study_module:run", ("model_a",)))
    models = tmp_path / "models"
    models.mkdir()
    (models / "model_a.safetensors").write_bytes(b"weights, version 1")
    manifest.record_checkpoint("model_a", models / "model_a.safetensors", {})
    return models


def test_round_trip_keeps_tensors_and_model_hashes(tiny_study, tmp_path):
    record = recorded.record("tiny", tmp_path / "out", device="cpu", models_dir=tiny_study)
    assert record["models"] == {"model_a": manifest.read_manifest(tiny_study)["model_a"]["sha256"]}
    loaded = recorded.load("tiny", tmp_path / "out", models_dir=tiny_study)
    assert torch.equal(loaded["scores"], torch.arange(4.0)) and loaded["curve"].shape == (3, 2)


def test_a_retrained_model_makes_the_recording_stale(tiny_study, tmp_path):
    recorded.record("tiny", tmp_path / "out", device="cpu", models_dir=tiny_study)
    (tiny_study / "model_a.safetensors").write_bytes(b"weights, version 2")          # retrained
    manifest.record_checkpoint("model_a", tiny_study / "model_a.safetensors", {})
    with pytest.raises(recorded.StaleRecordingError, match="model_a.*python -m gentut.recorded tiny"):
        recorded.load("tiny", tmp_path / "out", models_dir=tiny_study)


def test_a_tampered_or_missing_recording_says_how_to_remake_it(tiny_study, tmp_path):
    recorded.record("tiny", tmp_path / "out", device="cpu", models_dir=tiny_study)
    (tmp_path / "out" / "tiny.safetensors").write_bytes(b"edited by hand")
    with pytest.raises(manifest.ChecksumError, match="python -m gentut.recorded tiny"):
        recorded.load("tiny", tmp_path / "out", models_dir=tiny_study)
    with pytest.raises(FileNotFoundError, match="python -m gentut.recorded tiny"):
        recorded.load("tiny", tmp_path / "nowhere", models_dir=tiny_study)


def test_unknown_study_lists_the_studies():
    with pytest.raises(ValueError, match="inversion_study"):
        recorded.get_study("inversion")


def test_cli_never_replaces_a_shipped_recording_unless_asked(capsys):
    with pytest.raises(SystemExit) as exit_:
        recorded.main(["inversion_study", "--out", str(manifest.CHECKPOINT_DIR)])
    assert exit_.value.code == 2 and "--replace-shipped" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(recorded.STUDIES))
def test_shipped_recordings_load_with_todays_models(name):
    tensors = recorded.load(name)          # checksum, finite, and every model unchanged since recording
    assert tensors and all(t.numel() > 0 for t in tensors.values())
