"""The zoo: registry, loading with checksums, clear errors, and the training CLI's real loop."""

import dataclasses
import json

import pytest
import torch

from gentut import zoo
from gentut.data.procedural import dataset_factors
from gentut.run_state import TrainingStateError
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


@pytest.mark.parametrize("name", ["faces_predictor", "scenes_segmenter", "faces_vae", "faces_stylegan",
                                  "faces_discovery", "tiny_clip", "faces_diffusion"])
def test_training_cli_real_loop_dry_run(name, tmp_path):
    record = train_entry(name, steps=2, device="cpu", out_dir=tmp_path, state_dir=tmp_path / "state",
                         n_train=32, n_val=32, progress=False)
    assert record["steps"] == 2 and (tmp_path / f"{name}.safetensors").exists()
    assert zoo.load(name, device="cpu", checkpoint_dir=tmp_path) is not None
    assert (tmp_path / "state" / f"{name}.state.pt").exists()


def interrupt_at(monkeypatch, step, loss="kl_to_standard_normal"):
    """Make a recipe stop as Ctrl-C would, during training step `step` (0-based): the recipe's `loss`
    (called once per step: the VAE's KL term by default, the GAN's d_logistic_loss) raises on call step + 1."""
    import gentut.recipes
    calls, original = [], getattr(gentut.recipes, loss)

    def until_interrupted(*args):
        calls.append(1)
        if len(calls) > step:
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(gentut.recipes, loss, until_interrupted)


def test_resume_continues_where_it_stopped_and_a_new_run_does_not_erase_it(tmp_path, monkeypatch):
    """Interrupted at step 3 of 5, refused without --resume, resumed: equals 5 steps in one go."""
    common = dict(device="cpu", n_train=32, n_val=16, progress=False, save_every=1)
    state = tmp_path / "state" / "faces_vae.state.pt"
    with monkeypatch.context() as patch:
        interrupt_at(patch, 3)
        with pytest.raises(KeyboardInterrupt):
            train_entry("faces_vae", steps=5, out_dir=tmp_path / "a", state_dir=state.parent, **common)
    saved = state.read_bytes()
    with pytest.raises(TrainingStateError, match=r"interrupted run \(step 3 of 5\).*--resume.*--restart"):
        train_entry("faces_vae", steps=5, out_dir=tmp_path / "a", state_dir=state.parent, **common)
    assert state.read_bytes() == saved                                      # nothing lost
    resumed = train_entry("faces_vae", resume=True, out_dir=tmp_path / "a", state_dir=state.parent, **common)
    straight = train_entry("faces_vae", steps=5, out_dir=tmp_path / "b", state_dir=tmp_path / "state_b", **common)
    assert resumed["steps"] == 5 and resumed["sha256"] == straight["sha256"]


def test_a_tie_penalised_gan_resumes_to_the_same_weights(tmp_path, monkeypatch):
    """faces_stylegan (its recipe has train_gan's tie penalty), interrupted at step 4 of 6 and resumed,
    equals 6 steps in one go (the memory of earlier readings travels in the saved state), and
    differs from the same run without the penalty."""
    import gentut.recipes
    common = dict(steps=6, device="cpu", n_train=32, n_val=16, progress=False, save_every=1)
    entry = zoo.get_entry("faces_stylegan")
    assert entry.train["tie_weight"] > 0 and entry.train["tie_predictor"] == "faces_predictor"
    with monkeypatch.context() as patch:
        patch.setitem(zoo.REGISTRY, "faces_stylegan", dataclasses.replace(
            entry, train={k: v for k, v in entry.train.items() if not k.startswith("tie_")}))
        plain = train_entry("faces_stylegan", out_dir=tmp_path / "plain", state_dir=tmp_path / "s0", **common)
    with monkeypatch.context() as patch:
        interrupt_at(patch, 4, loss="d_logistic_loss")
        with pytest.raises(KeyboardInterrupt):
            train_entry("faces_stylegan", out_dir=tmp_path / "a", state_dir=tmp_path / "s1", **common)
    resumed = train_entry("faces_stylegan", resume=True, out_dir=tmp_path / "a", state_dir=tmp_path / "s1",
                          **{**common, "steps": None})
    straight = train_entry("faces_stylegan", out_dir=tmp_path / "b", state_dir=tmp_path / "s2", **common)
    assert resumed["sha256"] == straight["sha256"] != plain["sha256"]
    with pytest.raises(ValueError, match="tie_weight > 0 needs a style generator"):
        gentut.recipes.train_gan(zoo.build("faces_dcgan"), None, None, steps=1, tie_weight=1.0,
                                 generator=torch.Generator())


def test_resume_without_a_state_says_so_and_stops(tmp_path):
    with pytest.raises(TrainingStateError, match="no saved state at .*nothing to resume"):
        train_entry("faces_vae", steps=2, resume=True, device="cpu", out_dir=tmp_path, state_dir=tmp_path / "state",
                    n_train=16, n_val=16, progress=False)
    assert not (tmp_path / "faces_vae.safetensors").exists()


def test_corrupt_or_foreign_states_name_the_file(tmp_path):
    common = dict(device="cpu", out_dir=tmp_path / "out", n_train=16, n_val=16, progress=False)
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    state = state_dir / "faces_vae.state.pt"
    state.write_bytes(b"cut short")
    for resume in (True, False):
        with pytest.raises(TrainingStateError, match=f"{state} is not a readable training state.*--restart"):
            train_entry("faces_vae", steps=2, resume=resume, state_dir=state_dir, **common)
    train_entry("faces_dcgan", steps=1, state_dir=state_dir, **common)
    (state_dir / "faces_dcgan.state.pt").replace(state)                     # another model's state
    with pytest.raises(TrainingStateError, match=f"{state} was saved by another run .*name: faces_dcgan, not faces_vae"):
        train_entry("faces_vae", resume=True, state_dir=state_dir, **common)
    record = train_entry("faces_vae", steps=2, restart=True, state_dir=state_dir, **common)
    assert record["steps"] == 2 and (state_dir / "faces_vae.state.previous.pt").exists()


def test_a_finished_run_resumes_to_the_same_weights_and_a_new_run_keeps_it_aside(tmp_path, capsys):
    common = dict(steps=2, device="cpu", out_dir=tmp_path, state_dir=tmp_path / "state", n_train=16, n_val=16,
                  progress=False)
    first = train_entry("faces_vae", **common)
    assert train_entry("faces_vae", resume=True, **{**common, "steps": None})["sha256"] == first["sha256"]
    assert "finished: evaluating and saving" in capsys.readouterr().err
    train_entry("faces_vae", **common)
    assert "previous state is kept as" in capsys.readouterr().err
    with pytest.raises(TrainingStateError, match="a run of 2 steps, not --steps 3"):
        train_entry("faces_vae", resume=True, **{**common, "steps": 3})


def test_steps_must_be_a_positive_integer(tmp_path, capsys):
    from gentut.train import main
    with pytest.raises(ValueError, match="steps must be >= 1; got 0"):
        train_entry("faces_vae", steps=0, out_dir=tmp_path)
    for steps in ["0", "-5", "2.5"]:
        with pytest.raises(SystemExit) as exit:
            main(["faces_vae", "--steps", steps])
        assert exit.value.code == 2 and "positive whole number" in capsys.readouterr().err


def test_cli_trains_into_the_users_folder_and_leaves_the_shipped_zoo_alone(tmp_path, monkeypatch, capsys):
    import gentut.train
    from gentut.data.procedural import load_split
    monkeypatch.setenv("GENTUT_HOME", str(tmp_path))
    monkeypatch.setattr(gentut.train, "load_split", lambda dataset, split, n=None: load_split(dataset, split, 32))
    shipped = (zoo.CHECKPOINT_DIR / "manifest.json").read_bytes()
    assert gentut.train.main(["faces_vae", "--steps", "2", "--device", "cpu"]) == 0
    assert "load it with zoo.load('faces_vae', retrained=True)" in capsys.readouterr().err
    assert zoo.read_manifest(tmp_path / "checkpoints")["faces_vae"]["steps"] == 2
    assert zoo.load("faces_vae", device="cpu", retrained=True) is not None
    assert (zoo.CHECKPOINT_DIR / "manifest.json").read_bytes() == shipped
    for argv, message in [(["--out", str(zoo.CHECKPOINT_DIR)], "--replace-shipped"),
                          (["--device", "gpu"], "did you mean 'cuda'"),
                          (["--resume"], "nothing to resume"),
                          (["--resume", "--restart"], "not both")]:
        with pytest.raises(SystemExit) as exit:
            gentut.train.main(["faces_dcgan", *argv])
        err = capsys.readouterr().err
        assert exit.value.code == 2 and message in err and "Traceback" not in err
    assert (zoo.CHECKPOINT_DIR / "manifest.json").read_bytes() == shipped


def test_committed_checkpoints_match_the_manifest_and_size_budget():
    manifest = zoo.read_manifest()
    from gentut.recorded import STUDIES
    assert set(zoo.REGISTRY) | {"gan2d_lab"} | set(STUDIES) == set(manifest)   # every model and every recording
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


# ----------------------------------------------------------------------------- issue 14: manifest and checkpoint faults

def saved_dcgan(directory):
    """A faces_dcgan checkpoint and its manifest record in `directory`; returns the file's path."""
    save_checkpoint("faces_dcgan", zoo.build("faces_dcgan"), directory, {})
    return directory / "faces_dcgan.safetensors"


def drop_manifest(path):
    (path.parent / "manifest.json").unlink()


def break_json(path):
    (path.parent / "manifest.json").write_text('{"faces_dcgan": {"sha2')


def drop_sha256(path):
    manifest = json.loads((path.parent / "manifest.json").read_text())
    del manifest["faces_dcgan"]["sha256"]
    (path.parent / "manifest.json").write_text(json.dumps(manifest))


def rehash_truncated(path):
    path.write_bytes(path.read_bytes()[:100])
    zoo.record_checkpoint("faces_dcgan", path, {})


def rehash_nan(path):
    G = zoo.build("faces_dcgan")
    with torch.no_grad():
        for p in G.parameters():
            p.fill_(float("nan"))
    save_checkpoint("faces_dcgan", G, path.parent, {})


@pytest.mark.parametrize("damage, message, named", [
    (drop_manifest, "is there but .*manifest.json is missing", "manifest.json"),
    (break_json, "is not valid JSON", "manifest.json"),
    (drop_sha256, "has no 'sha256'", "manifest.json"),
    (rehash_truncated, "is not a readable safetensors file", "faces_dcgan.safetensors"),
    (rehash_nan, "NaN or infinite weights", "faces_dcgan.safetensors"),
])
def test_every_manifest_or_checkpoint_fault_is_one_clear_error(tmp_path, damage, message, named):
    path = saved_dcgan(tmp_path)
    damage(path)
    with pytest.raises(zoo.CheckpointError, match=message) as error:
        zoo.load("faces_dcgan", device="cpu", checkpoint_dir=tmp_path)
    text = str(error.value)
    assert str(tmp_path / named) in text                                       # names the file ...
    assert f"python -m gentut.train" in text and f"--out {tmp_path}" in text   # ... and the fix


def record_many(directory, prefix, n):
    """Record n tiny files as separate manifest entries (one process of the concurrency test)."""
    from gentut import manifest
    for i in range(n):
        path = directory / f"{prefix}{i}.safetensors"
        path.write_bytes(f"{prefix}{i}".encode())
        manifest.record_checkpoint(f"{prefix}{i}", path, {"i": i})
    return n


def test_concurrent_writers_keep_every_record(tmp_path):
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(2) as pool:
        done = list(pool.map(record_many, [tmp_path, tmp_path], ["a", "b"], [150, 150]))
    assert done == [150, 150]
    manifest = zoo.read_manifest(tmp_path)
    assert len(manifest) == 300 and manifest["b149"]["i"] == 149
    assert not list(tmp_path.glob(".manifest.json.*"))                      # no temporary files left behind


def test_an_interrupted_save_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    from gentut import manifest
    path = saved_dcgan(tmp_path)
    before = path.read_bytes()

    def killed_midway(tensors, filename):
        open(filename, "wb").write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(manifest, "save_file", killed_midway)
    with pytest.raises(KeyboardInterrupt):
        manifest.save_weights(zoo.build("faces_dcgan").state_dict(), path)
    assert path.read_bytes() == before and len(list(tmp_path.iterdir())) == 3    # file, manifest, lock
    assert zoo.load("faces_dcgan", device="cpu", checkpoint_dir=tmp_path) is not None


def test_load_checks_the_device_before_anything_else(tmp_path):
    with pytest.raises(ValueError, match="did you mean 'cuda'"):
        zoo.load("faces_dcgan", device="gpu", checkpoint_dir=tmp_path / "nothing here")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="Available here: cpu"):
            zoo.load("faces_dcgan", device="cuda")


def test_retrained_models_load_by_name_and_never_replace_the_shipped_one(tmp_path, monkeypatch):
    monkeypatch.setenv("GENTUT_HOME", str(tmp_path))
    assert zoo.user_checkpoint_dir() == tmp_path / "checkpoints"
    with pytest.raises(FileNotFoundError, match=r"python -m gentut.train faces_dcgan.*zoo.load\('faces_dcgan'\)"):
        zoo.load("faces_dcgan", retrained=True)
    mine = zoo.build("faces_dcgan")
    save_checkpoint("faces_dcgan", mine, zoo.user_checkpoint_dir(), {})
    z = torch.randn(2, 64)
    assert torch.equal(zoo.load("faces_dcgan", device="cpu", retrained=True)(z), mine.eval()(z))
    assert not torch.equal(zoo.load("faces_dcgan", device="cpu")(z), mine(z))           # the shipped one
    with pytest.raises(ValueError, match="not both"):
        zoo.load("faces_dcgan", retrained=True, checkpoint_dir=tmp_path)


def test_writing_into_the_shipped_folder_needs_replace_shipped(tmp_path):
    from gentut import manifest
    source_tree = tmp_path / "gentut"
    (source_tree / "checkpoints").mkdir(parents=True)
    (source_tree / "zoo.py").touch()
    (source_tree / "__init__.py").touch()
    for shipped in (zoo.CHECKPOINT_DIR, source_tree / "checkpoints"):
        assert manifest.is_shipped_dir(shipped)
        with pytest.raises(ValueError, match="shipped with gentut.*--replace-shipped"):
            manifest.check_output_dir(shipped)
        assert manifest.check_output_dir(shipped, replace_shipped=True) == shipped
    with pytest.raises(ValueError, match="only for the shipped checkpoint folder"):
        manifest.check_output_dir(tmp_path / "mine", replace_shipped=True)


def test_the_shipped_style_generators_mapping_network_learnt():
    """StyleGAN's mapping rate (0.01 x the synthesis lr) is set for 25M images; over the few hundred
    thousand of a CPU run it leaves the mapping network a random MLP (an earlier faces_stylegan's
    weights moved 2-4 % from their start, one at 1/10 of the rate 17-21 %, today's at 0.3 of it
    36-38 %)."""
    from gentut.runtime import seed_everything
    seed_everything(zoo.get_entry("faces_stylegan").seed)
    start = zoo.build("faces_stylegan")                     # the same initial weights as the training run
    trained = zoo.load("faces_stylegan", device="cpu")
    for layer in range(0, len(start.mapping.net), 2):
        before, after = start.mapping.net[layer].weight, trained.mapping.net[layer].weight
        assert ((after - before).norm() / before.norm()).item() > 0.1, f"mapping layer {layer // 2} barely moved"
