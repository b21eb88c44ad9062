"""The procedural faces: factors, sampling, rendering (hand-checked pixels) and the gallery."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gentut.data.batch import LabeledImages
from gentut.data.faces import (
    ATTRIBUTE_NAMES,
    FACE_FACTORS,
    FACE_SIZE,
    face_attributes,
    face_gallery,
    make_faces,
    render_faces,
    sample_face_factors,
)

NAMES = [f.name for f in FACE_FACTORS]
BASE = dict(smile=0.5, eyeglasses=0.0, age=0.2, yaw=0.5, hair_length=0.3, hair_color=0.3,
            skin_tone=0.3, background=0.55)


def face(size: int = FACE_SIZE, **changes: float) -> torch.Tensor:
    """One face (3, size, size): BASE with `changes`."""
    factors = {k: torch.tensor([float(changes.get(k, v))]) for k, v in BASE.items()}
    return render_faces(factors, size)[0]


def rows(size: int, y0: float, y1: float) -> slice:
    """The pixel rows between heights y0 and y1 of the image (-1 = top, +1 = bottom)."""
    return slice(round((y0 + 1) * size / 2), round((y1 + 1) * size / 2))


def changed(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(S, S) bool: pixels where the two images differ at all."""
    return (a - b).abs().amax(0) > 0


def test_factor_table_and_attribute_names():
    assert NAMES == ["smile", "eyeglasses", "age", "yaw", "hair_length", "hair_color", "skin_tone", "background"]
    assert [f.kind for f in FACE_FACTORS].count("binary") == 1 and FACE_FACTORS[1].kind == "binary"
    assert ATTRIBUTE_NAMES == ("smiling", "eyeglasses", "old", "facing_right", "long_hair")
    assert FACE_SIZE == 64


@pytest.mark.parametrize("size", [64, 32])
def test_make_faces_shapes_dtypes_ranges(size):
    batch = make_faces(12, seed=1, size=size)
    assert isinstance(batch, LabeledImages) and batch.masks is None and len(batch) == 12
    assert batch.images.shape == (12, 3, size, size) and batch.images.dtype == torch.float32
    assert batch.images.min() >= 0 and batch.images.max() <= 1
    assert list(batch.factors) == NAMES
    for name, value in batch.factors.items():
        assert value.shape == (12,) and value.dtype == torch.float32, name
        assert value.min() >= 0 and value.max() <= 1, name
    assert set(batch.factors["eyeglasses"].unique().tolist()) <= {0.0, 1.0}
    # images are not blank: every face has plenty of contrast
    assert (batch.images.flatten(1).std(1) > 0.1).all()


def test_determinism_and_seeds():
    a, b, c = make_faces(6, seed=3, size=32), make_faces(6, seed=3, size=32), make_faces(6, seed=4, size=32)
    assert torch.equal(a.images, b.images)
    assert all(torch.equal(a.factors[k], b.factors[k]) for k in NAMES)
    assert not torch.equal(a.images, c.images)
    # more faces extend the set: the first 6 of 40 are the 6
    assert torch.equal(make_faces(40, seed=3, size=32).images[:6], a.images)


def test_sampling_uses_only_the_generator():
    torch.manual_seed(0)
    a = sample_face_factors(50, torch.Generator().manual_seed(9))
    torch.manual_seed(1)
    b = sample_face_factors(50, torch.Generator().manual_seed(9))
    assert all(torch.equal(a[k], b[k]) for k in NAMES)


def test_render_is_pure_and_clamps():
    factors = sample_face_factors(5, torch.Generator().manual_seed(2))
    factors["smile"][0], factors["age"][1] = 1.7, -0.4
    before = {k: v.clone() for k, v in factors.items()}
    first, second = render_faces(factors, 32), render_faces(factors, 32)
    assert torch.equal(first, second)
    assert all(torch.equal(factors[k], before[k]) for k in NAMES)            # input untouched
    clamped = {k: v.clamp(0, 1) for k, v in factors.items()}
    assert torch.equal(first, render_faces(clamped, 32))


@pytest.mark.parametrize("size", [64, 32])
def test_eyeglasses_change_only_the_eye_band_and_frames_are_dark(size):
    plain, glasses = face(size), face(size, eyeglasses=1)
    diff = changed(plain, glasses)
    band = rows(size, -0.27, 0.22)
    assert diff[band].sum() >= (40 if size == 64 else 15)
    outside = diff.clone()
    outside[band] = False
    assert not outside.any()
    # hand-checked: the bottom of both rings, under the eyes, is dark with glasses, skin without
    r, left, right = (36, 25, 38) if size == 64 else (18, 12, 19)
    for col in (left, right):
        assert glasses[:, r, col].max() < 0.25
        assert plain[:, r, col].min() > 0.4


@pytest.mark.parametrize("size", [64, 32])
def test_smile_changes_only_the_mouth_and_cheeks(size):
    frown, neutral, smile = face(size, smile=0), face(size, smile=0.5), face(size, smile=1)
    diff = changed(frown, smile)
    band = rows(size, 0.0, 0.68)
    assert diff[band].sum() >= (60 if size == 64 else 15)
    outside = diff.clone()
    outside[band] = False
    assert not outside.any()
    # the cheeks glow with the smile: redder than the skin around them, more so than for a frown
    cheek = (rows(size, 0.08, 0.2), slice(round(size * 0.28), round(size * 0.36)))
    redness = lambda img: (img[0][cheek] - img[1][cheek]).mean().item()
    assert redness(smile) > redness(neutral) + 0.02 > redness(frown) + 0.04
    # ink-weighted height of the mouth line, column by column: the frown's middle is higher
    # than its corners, the smile's lower, the neutral mouth is straight
    mouth = rows(size, 0.18, 0.68)

    def height(img: torch.Tensor, lo: float, hi: float) -> float:
        ink = (0.45 - img[:, mouth].amax(0)).clamp(min=0)                   # (h, S)
        offset = (torch.arange(size) - (size - 1) / 2).abs() / size
        ink = ink[:, (offset >= lo) & (offset < hi)]
        return ((ink * torch.arange(ink.shape[0])[:, None]).sum() / ink.sum()).item()

    middle, corners = (0, 0.04), (0.07, 0.13)
    assert height(frown, *middle) < height(frown, *corners) - 0.1 * size / 8
    assert height(smile, *middle) > height(smile, *corners) + 0.1 * size / 8
    assert abs(height(neutral, *middle) - height(neutral, *corners)) < 0.03 * size / 8


def test_background_changes_only_background_pixels():
    red, pink = face(64, background=0.0), face(64, background=1.0)
    diff = changed(red, pink)
    for r, c in [(0, 0), (0, 63), (63 - 8, 0), (40, 63)]:
        assert diff[r, c]
    assert not diff[rows(64, -0.45, 0.35), 22:42].any()                        # the face itself
    assert red[0, 2, 2] > red[2, 2, 2] + 0.1 and pink[2, 2, 2] > pink[1, 2, 2] + 0.1


def test_yaw_moves_the_pupils_and_mirrors_the_face():
    left, right = face(64, yaw=0.0), face(64, yaw=1.0)
    eye_rows = rows(64, -0.1, 0.05)
    for img, side in ((left, -1), (right, 1)):
        _, cols = (img[:, eye_rows].amax(0) < 0.2).nonzero(as_tuple=True)   # pupils
        assert len(cols) >= 4
        assert side * (cols.float().mean() - 31.5) > 5
    # turning left is the mirror image of turning right (up to the hair's highlight)
    assert (right.flip(-1) - left).abs().amax(0).lt(0.05).float().mean() > 0.97


def test_age_greys_the_hair_and_draws_lines():
    young, old = face(64, age=0.0, hair_color=0.0), face(64, age=1.0, hair_color=0.0)
    top = (slice(None), slice(9, 12), slice(26, 38))                           # hair on top of the head
    assert young[top].max() < 0.15 and old[top].min() > 0.3 and old[top].mean() > 0.35
    assert (old[top][0] - old[top][2]).abs().max() < 0.05                     # black greys to neutral
    forehead = rows(64, -0.45, -0.25)
    assert changed(young, old)[forehead, 24:40].sum() >= 10                  # forehead lines


def test_old_hair_keeps_its_hue_and_the_palette_lightens_monotonically():
    top = (slice(None), slice(9, 12), slice(26, 38))
    red_old = face(64, age=1.0, hair_color=2 / 3)[top].mean((1, 2))            # palette stop 3 of 4: red
    assert red_old[0] - red_old[2] > 0.2                                      # still red, not grey
    colours = [face(64, hair_color=t)[top].mean((1, 2)) for t in torch.linspace(0, 1, 7).tolist()]
    lightness = torch.stack([0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] for c in colours])
    assert (lightness.diff() > 0.01).all()                                    # darker -> lighter


def test_hair_length_reaches_past_the_jaw():
    short, long = face(64, hair_length=0.0, hair_color=0.0), face(64, hair_length=1.0, hair_color=0.0)
    jaw = rows(64, 0.55, 0.75)
    for col in (16, 47):                                                        # beside the neck
        assert short[:, jaw, col].amin() > 0.5                                 # background
        assert long[:, jaw, col].amax() < 0.2                                   # black hair


def test_age_eyeglasses_correlation_and_independence():
    f = sample_face_factors(5000, torch.Generator().manual_seed(0))
    matrix = np.corrcoef(torch.stack([f[k] for k in NAMES]).numpy())
    age, glasses = NAMES.index("age"), NAMES.index("eyeglasses")
    assert 0.36 < matrix[age, glasses] < 0.45                                 # designed: ~0.41
    others = matrix.copy()
    others[age, glasses] = others[glasses, age] = 0
    np.fill_diagonal(others, 0)
    assert np.abs(others).max() < 0.06
    for k in NAMES:
        if k != "eyeglasses":
            assert abs(f[k].mean().item() - 0.5) < 0.03 and abs(f[k].std().item() - 0.2887) < 0.02, k
    assert abs(f["eyeglasses"].mean().item() - 0.45) < 0.03
    young, old = f["age"] < 0.2, f["age"] > 0.8
    assert f["eyeglasses"][old].mean() > f["eyeglasses"][young].mean() + 0.4


def test_face_attributes_follow_the_thresholds():
    f = sample_face_factors(300, torch.Generator().manual_seed(5))
    attributes = face_attributes(f)
    assert attributes.shape == (300, 5) and attributes.dtype == torch.float32
    expected = torch.stack([f["smile"] > 0.5, f["eyeglasses"] > 0.5, f["age"] > 0.5,
                            f["yaw"] > 0.5, f["hair_length"] > 0.5], dim=1).float()
    assert torch.equal(attributes, expected)
    edge = {k: torch.tensor([0.5, 0.51]) for k in NAMES}
    assert face_attributes(edge)[:, 0].tolist() == [0.0, 1.0]                  # strictly above


def test_bad_factors_raise():
    f = sample_face_factors(4, torch.Generator().manual_seed(0))
    missing = {k: v for k, v in f.items() if k != "hair_color"}
    with pytest.raises(ValueError, match="hair_color"):
        render_faces(missing)
    with pytest.raises(ValueError, match="hair_color"):
        face_attributes(missing)
    with pytest.raises(ValueError, match="age"):
        render_faces({**f, "age": f["age"][:3]})
    with pytest.raises(ValueError, match="smile"):
        render_faces({**f, "smile": f["smile"].view(2, 2)})


def test_gallery_is_a_small_captioned_figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    batch = make_faces(10, seed=0, size=32)
    fig = face_gallery(batch, n=10, ncols=5)
    try:
        assert fig.dpi == 72
        shown = [ax for ax in fig.axes if ax.images]
        assert len(shown) == 10
        captions = [t.get_text() for ax in shown for t in ax.texts]
        assert len(captions) == 10 and all("smile" in c and "age" in c and "\n" in c for c in captions)
        with_glasses = batch.factors["eyeglasses"].bool().tolist()
        assert ["glasses" in c for c in captions] == with_glasses
    finally:
        plt.close(fig)
