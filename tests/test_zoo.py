"""The zoo: registry, loading with checksums, clear errors, and the training CLI's real loop."""

import json

import pytest
import torch

from gentut import zoo
from gentut.data.procedural import dataset_factors
from gentut.train import save_checkpoint, train_entry


def test_registry_configs_match_their_datasets():
    for entry in zoo.REGISTRY.values():
        model = zoo.build(entry.name)
        if entry.architecture == "AttributePredictor":
            assert entry.config["n_outputs"] == len(dataset_factors(entry.dataset))
        assert entry.command == f"python -m gentut.train {entry.name}"
        assert sum(p.numel() for p in model.parameters()) > 0


def test_unknown_name_lists_the_zoo_and_suggests():
    with pytest.raises(ValueError, match="faces_stylegan") as error:
        zoo.load("faces_stylegn")
    assert "Did you mean" in str(error.value)


def test_save_then_load_roundtrip_and_checksum_failure(tmp_path):
    model = zoo.build("faces_dcgan")
    record = save_checkpoint("faces_dcgan", model, tmp_path, {"train_seconds": 1.0})
    assert json.loads((tmp_path / "manifest.json").read_text())["faces_dcgan"]["sha256"] == record["sha256"]
    loaded = zoo.load("faces_dcgan", device="cpu", checkpoint_dir=tmp_path)
    z = torch.randn(2, 64)
    assert torch.equal(loaded(z), model.eval()(z))
    assert not any(p.requires_grad for p in loaded.parameters())
    path = tmp_path / "faces_dcgan.safetensors"
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")           # one corrupted byte
    with pytest.raises(zoo.ChecksumError, match="python -m gentut.train faces_dcgan"):
        zoo.load("faces_dcgan", checkpoint_dir=tmp_path)


def test_missing_checkpoint_says_how_to_train(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m gentut.train faces_vae"):
        zoo.load("faces_vae", checkpoint_dir=tmp_path)


def test_wrong_architecture_in_file_is_a_clear_error(tmp_path):
    save_checkpoint("faces_dcgan", zoo.build("faces_vae"), tmp_path, {})   # a VAE saved under a GAN's name
    with pytest.raises(RuntimeError, match="does not match the DCGANGenerator"):
        zoo.load("faces_dcgan", checkpoint_dir=tmp_path)


@pytest.mark.parametrize("name", ["faces_predictor", "scenes_segmenter", "faces_vae", "faces_stylegan"])
def test_training_cli_real_loop_dry_run(name, tmp_path):
    record = train_entry(name, steps=2, device="cpu", out_dir=tmp_path, state_dir=tmp_path / "state",
                         n_train=32, n_val=32, progress=False)
    assert record["steps"] == 2 and (tmp_path / f"{name}.safetensors").exists()
    assert zoo.load(name, device="cpu", checkpoint_dir=tmp_path) is not None
    assert (tmp_path / "state" / f"{name}.state.pt").exists()


def test_resume_continues_where_it_stopped(tmp_path):
    """3 steps, then 2 more with --resume, equals 5 steps in one go."""
    common = dict(device="cpu", state_dir=tmp_path / "state", n_train=32, n_val=16, progress=False)
    train_entry("faces_vae", steps=3, out_dir=tmp_path / "a", **common)
    resumed = train_entry("faces_vae", steps=5, resume=True, out_dir=tmp_path / "a", **common)
    straight = train_entry("faces_vae", steps=5, out_dir=tmp_path / "b",
                           **{**common, "state_dir": tmp_path / "state_b"})
    assert resumed["sha256"] == straight["sha256"]


def test_committed_checkpoints_match_the_manifest_and_size_budget():
    manifest = zoo.read_manifest()
    assert set(zoo.REGISTRY) | {"gan2d_lab"} == set(manifest)      # every model, and the recorded GAN Lab
    for name, record in manifest.items():
        path = zoo.CHECKPOINT_DIR / f"{name}.safetensors"
        assert zoo.sha256_of(path) == record["sha256"], f"{name}: retrain or restore"
    assert sum(r["bytes"] for r in manifest.values()) <= 50 * 2 ** 20


def test_cli_dry_run_and_unknown_name(capsys):
    from gentut.train import main
    assert main(["faces_vae", "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["faces_vae"]["steps"] == 3
    with pytest.raises(SystemExit):
        main(["faces_gan"])
    assert "invalid choice" in capsys.readouterr().err
