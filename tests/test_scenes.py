"""The procedural scenes: shapes, determinism, factors that do what they say, exact relighting."""

import pytest
import torch

from gentut.data.batch import LabeledImages
from gentut.data.scenes import (ATTRIBUTE_NAMES, CLASS_COLORS, FACTOR_NAMES, LAYOUT_SHAPES, SCENE_CLASSES,
                                SCENE_FACTORS, colorize_masks, make_scenes, relight, render_scenes,
                                sample_scene_factors, scene_attributes)

SKY, CLOUD, GROUND, TREE, HOUSE, WINDOW, LAMP = range(7)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Render single-threaded: on a shared 2-core machine, every parallel op waiting for a busy
    core costs more than it saves at these sizes (the pixels do not depend on it)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def batch(one_thread) -> LabeledImages:
    return make_scenes(200, seed=0)


def with_factors(batch: LabeledImages, **values: float) -> dict[str, torch.Tensor]:
    """The batch's factors and layout with some factors set to one value for every scene."""
    factors = dict(batch.factors)
    for name, value in values.items():
        factors[name] = torch.full((len(batch),), float(value))
    return factors


def brightness(images: torch.Tensor) -> torch.Tensor:
    return images.mean(dim=1)                                            # (N, S, S)


def test_public_constants():
    assert SCENE_CLASSES == ("sky", "cloud", "ground", "tree", "house", "window", "lamp")
    assert FACTOR_NAMES == ("daylight", "lamps_on", "cloudiness", "greenery", "horizon", "house_x")
    assert [f.kind for f in SCENE_FACTORS] == ["continuous", "binary"] + ["continuous"] * 4
    assert [f.threshold for f in SCENE_FACTORS] == [0.5, None, 0.5, 0.5, None, None]
    assert CLASS_COLORS.shape == (7, 3) and len(set(map(tuple, CLASS_COLORS.tolist()))) == 7
    assert all(name.startswith("_") for name in LAYOUT_SHAPES)


@pytest.mark.parametrize("size", [64, 32])
def test_shapes_dtypes_and_ranges(size):
    batch = make_scenes(40, seed=1, size=size)
    assert batch.images.shape == (40, 3, size, size) and batch.images.dtype == torch.float32
    assert batch.masks.shape == (40, size, size) and batch.masks.dtype == torch.int64
    assert 0 <= batch.images.min() and batch.images.max() <= 1
    assert 0 <= batch.masks.min() and batch.masks.max() <= 6
    for name in FACTOR_NAMES:
        value = batch.factors[name]
        assert value.shape == (40,) and value.dtype == torch.float32
        assert ((0 <= value) & (value <= 1)).all()
    for name, shape in LAYOUT_SHAPES.items():
        assert batch.factors[name].shape == (40, *shape)
    assert set(batch.factors["lamps_on"].unique().tolist()) <= {0.0, 1.0}
    colours = colorize_masks(batch.masks)
    assert colours.shape == (40, 3, size, size) and torch.equal(colours[0, :, 0, 0], CLASS_COLORS[batch.masks[0, 0, 0]])


def test_deterministic_by_seed_and_a_pure_function_of_the_factors(batch):
    again = make_scenes(200, seed=0)
    assert torch.equal(again.images, batch.images) and torch.equal(again.masks, batch.masks)
    assert not torch.equal(make_scenes(200, seed=1).images, batch.images)
    # a subset renders to the very same pixels (no state, no dependence on the other scenes)
    subset = {name: value[17:29] for name, value in batch.factors.items()}
    images, masks = render_scenes(subset)
    assert torch.equal(images, batch.images[17:29]) and torch.equal(masks, batch.masks[17:29])


def test_every_class_appears_in_200_scenes(batch):
    assert set(batch.masks.unique().tolist()) == set(range(7))


def test_greenery_controls_the_trees(batch):
    _, bare = render_scenes(with_factors(batch, greenery=0.0))
    _, lush = render_scenes(with_factors(batch, greenery=1.0))
    assert not (bare == TREE).any()
    assert ((lush == TREE).flatten(1).sum(1) > 0).all()                   # trees in every scene


def test_cloudiness_controls_the_clouds(batch):
    _, clear = render_scenes(with_factors(batch, cloudiness=0.0))
    _, overcast = render_scenes(with_factors(batch, cloudiness=1.0))
    assert not (clear == CLOUD).any()
    assert (overcast == CLOUD).float().mean() > 3 * (batch.masks == CLOUD).float().mean() / 2


def test_hand_checked_pixels():
    # no clouds, no trees, house on the right: the left edge is sky down to the horizon line,
    # ground below it, whatever the layout
    n = 50
    factors = sample_scene_factors(n, torch.Generator().manual_seed(3))
    factors.update(cloudiness=torch.zeros(n), greenery=torch.zeros(n), house_x=torch.ones(n),
                   horizon=torch.zeros(n))
    _, masks = render_scenes(factors)
    assert (masks[:, 0, 0] == SKY).all()
    assert (masks[:, :29, 0] == SKY).all() and (masks[:, 29:, 0] == GROUND).all()  # line at 45 %
    factors["horizon"] = torch.ones(n)                                               # line at 70 %
    _, masks = render_scenes(factors, size=32)
    assert (masks[:, :22, 0] == SKY).all() and (masks[:, 22:, 0] == GROUND).all()
    # whatever the scene, the bottom row is ground (nothing stands that low)
    assert (make_scenes(200, seed=4).masks[:, -1, :] == GROUND).all()


def test_relight_changes_only_the_lighting(batch):
    day = relight(batch, daylight=0.9, lamps_on=0.0)
    night = relight(batch, daylight=0.1)
    assert torch.equal(day.masks, batch.masks) and torch.equal(night.masks, batch.masks)
    assert (night.factors["daylight"] == 0.1).all()
    assert torch.equal(night.factors["lamps_on"], batch.factors["lamps_on"])
    assert torch.equal(night.factors["_tree_x"], batch.factors["_tree_x"])
    differs = (day.images - night.images).abs().flatten(1).amax(1)
    assert (differs > 0.2).all()
    assert (brightness(night.images).flatten(1).mean(1) < brightness(day.images).flatten(1).mean(1) - 0.2).all()
    # a factors dict works too, and relighting to the same values gives back the same pixels
    same = relight(batch.factors, daylight=batch.factors["daylight"])
    assert torch.equal(same.images, batch.images)


def test_lit_lamps_and_windows_are_brighter_at_night(batch):
    lit = relight(batch, daylight=0.2, lamps_on=1.0)
    dark = relight(batch, daylight=0.2, lamps_on=0.0)
    lights = (batch.masks == WINDOW) | (batch.masks == LAMP)
    on, off = brightness(lit.images), brightness(dark.images)
    for i in range(len(batch)):
        assert on[i][lights[i]].mean() > off[i][lights[i]].mean() + 0.3
    # the globes shine: lit lamp pixels include near-white ones in every scene
    assert all(on[i][batch.masks[i] == LAMP].max() > 0.85 for i in range(len(batch)))


def test_daylight_is_bimodal_and_lamps_follow_the_night():
    factors = sample_scene_factors(5000, torch.Generator().manual_seed(0))
    daylight, lamps = factors["daylight"], factors["lamps_on"]
    day = daylight > 0.5
    assert ((daylight <= 0.4) | (daylight >= 0.6)).all()
    assert 0.47 < day.float().mean() < 0.53
    assert 0.82 < lamps[~day].mean() < 0.88 and 0.12 < lamps[day].mean() < 0.18


def test_scene_attributes(batch):
    attributes = scene_attributes(batch.factors)
    assert ATTRIBUTE_NAMES == ("day", "lamps_on", "cloudy", "green")
    assert attributes.shape == (200, 4) and attributes.dtype == torch.float32
    f = batch.factors
    expected = torch.stack([f["daylight"] > 0.5, f["lamps_on"] > 0.5, f["cloudiness"] > 0.5, f["greenery"] > 0.5], 1)
    assert torch.equal(attributes, expected.float())
    assert 0.3 < attributes.mean(0).min() and attributes.mean(0).max() < 0.7


def test_missing_factors_and_layout_seeds(batch):
    factors = dict(batch.factors)
    del factors["greenery"]
    with pytest.raises(ValueError, match="greenery"):
        render_scenes(factors)
    named_only = {name: batch.factors[name][:8] for name in FACTOR_NAMES}
    with pytest.raises(ValueError, match="_cloud_x"):
        render_scenes(named_only)
    # a layout seed draws the layout instead: an int gives every scene the same layout
    sweep = {name: torch.full((8,), 0.5) for name in FACTOR_NAMES}
    sweep["house_x"] = torch.linspace(0, 1, 8)
    images, masks = render_scenes(sweep, layout_seed=7)
    assert not torch.equal(masks[0], masks[-1])                          # the house moved
    again, _ = render_scenes(sweep, layout_seed=torch.full((8,), 7))
    assert torch.equal(images, again)
    other, _ = render_scenes(sweep, layout_seed=torch.arange(8))
    assert not torch.equal(images, other)
    # out-of-range values are clamped
    clamped, _ = render_scenes({**sweep, "greenery": torch.full((8,), 2.0)}, layout_seed=7)
    assert torch.equal(clamped, render_scenes({**sweep, "greenery": torch.ones(8)}, layout_seed=7)[0])


def test_gallery(batch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gentut.data.scenes import scene_gallery

    figure = scene_gallery(batch, n=8, ncols=4)
    assert figure.dpi == 72 and len(figure.axes) == 16
    plt.close(figure)
