"""Latent walks and the GAN notebook's slider panels."""

import io

import numpy as np
import torch
from PIL import Image

from gentut.gan2d import ring_mixture, train_2d_gan
from gentut.latent import interpolate, random_walk
from gentut.models.dcgan import DCGANGenerator
from gentut.models.stylegan import StyleGenerator
from gentut.gan2d_lab import load_runs, save_runs
from gentut.widgets.gan import gan2d_lab_panel, gan2d_panel, gan2d_view, interpolation_panel, truncation_panel


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_interpolation_endpoints_and_slerp_norm():
    z1, z2 = torch.randn(64, generator=torch.Generator().manual_seed(0)), torch.randn(64, generator=torch.Generator().manual_seed(1))
    path = interpolate(z1, z2, torch.tensor([0.0, 0.5, 1.0]))
    assert torch.allclose(path[0], z1) and torch.allclose(path[2], z2) and torch.allclose(path[1], (z1 + z2) / 2)
    arc = interpolate(z1, z2, torch.linspace(0, 1, 5), spherical=True)
    assert torch.allclose(arc[0], z1, atol=1e-5) and torch.allclose(arc[-1], z2, atol=1e-5)
    assert arc[2].norm() > path[1].norm()          # slerp does not cut through the low-norm middle


def test_random_walk_steps():
    walk = random_walk(torch.zeros(3), 4, 0.1, torch.Generator().manual_seed(0))
    assert walk.shape == (5, 3) and torch.equal(walk[0], torch.zeros(3))
    assert 0 < (walk[1:] - walk[:-1]).norm(dim=1).max() < 1


def test_gan2d_panel_scrubs_snapshots():
    run = train_2d_gan(ring_mixture(), steps=20, snapshot_every=10, batch_size=32,
                       generator=torch.Generator().manual_seed(0), progress=False)
    panel = gan2d_panel(run, ring_mixture())
    last = decode(panel.image.value)
    panel.controls["step"].value = 0
    first = decode(panel.image.value)
    assert first.shape == last.shape == (256, 256, 3) and (first != last).any()
    assert (last == 0).all(-1).sum() > 0                       # black sample dots are drawn


def tiles(picture: np.ndarray, zoom: int, size: int = 32) -> list[np.ndarray]:
    """Undo the zoom and cut a one-row image grid (pad 1) back into its tiles."""
    row = picture[::zoom, ::zoom]
    return [row[1:1 + size, 1 + k * (size + 1): 1 + k * (size + 1) + size] for k in range((row.shape[1] - 1) // (size + 1))]


def test_interpolation_and_truncation_panels():
    torch.manual_seed(0)
    panel = interpolation_panel(DCGANGenerator(16, 32, 8, 32).eval())
    panel.controls["alpha"].value = 0.0
    left, middle, right = tiles(decode(panel.image.value), zoom=4)
    assert np.array_equal(middle, left) and not np.array_equal(left, right)      # alpha 0: the middle is z1
    panel.controls["alpha"].value = 1.0
    left, middle, right = tiles(decode(panel.image.value), zoom=4)
    assert np.array_equal(middle, right)                                          # alpha 1: the middle is z2
    G = StyleGenerator(16, 16, 32, 8, 32).eval()
    G.w_avg.copy_(G.mapping(torch.randn(256, 16)).mean(0))
    panel = truncation_panel(G, n=3)
    faces = tiles(decode(panel.image.value), zoom=3)
    assert not np.array_equal(faces[0], faces[1])
    panel.controls["psi"].value = 0.0
    faces = tiles(decode(panel.image.value), zoom=3)
    assert np.array_equal(faces[0], faces[1]) and np.array_equal(faces[1], faces[2])   # psi 0: the average face


def test_gan2d_lab_panel_shows_objectives_side_by_side_per_seed(tmp_path):
    ring = ring_mixture()
    runs = {loss: [train_2d_gan(ring, loss=loss, steps=10, snapshot_every=5, batch_size=16, n_snapshot_samples=50,
                                surface_resolution=16, generator=torch.Generator().manual_seed(seed), progress=False)
                   for seed in range(2)] for loss in ("nonsaturating", "wgan-gp")}
    save_runs(runs, tmp_path / "lab.safetensors")
    loaded = load_runs(tmp_path / "lab.safetensors")
    panel = gan2d_lab_panel(loaded, ring)
    picture = decode(panel.image.value)
    assert picture.shape == (200, 2 * 200 + 4, 3)
    assert np.array_equal(picture[:, :200], gan2d_view(loaded["nonsaturating"][0], ring, 2, 200))
    assert np.array_equal(picture[:, 204:], gan2d_view(loaded["wgan-gp"][0], ring, 2, 200))
    panel.controls["seed"].value = 1
    assert np.array_equal(decode(panel.image.value)[:, 204:], gan2d_view(loaded["wgan-gp"][1], ring, 2, 200))
    panel.controls["step"].value = 0
    assert np.array_equal(decode(panel.image.value)[:, :200], gan2d_view(loaded["nonsaturating"][1], ring, 0, 200))
