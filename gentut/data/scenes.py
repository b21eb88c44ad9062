"""Procedural outdoor scenes with an exact segmentation map and known scene attributes.

The scene model
---------------
Every image is a small flat-shaded outdoor scene, drawn back to front (painter's order):

1. **sky**: a vertical gradient, light blue by day, dark navy at night, greyer when cloudy;
2. **clouds**: 0-5 puffy clouds with flat bases, white by day and grey at night;
3. **ground**: grass or bare earth below the horizon line, brown when bare, green when lush;
4. **trees**: 0-4 round-crowned trees (trunk + crown) standing beside and behind the house;
5. **house**: always one house (walls, roof and door) with 2-4 windows;
6. **lamps**: 1-2 street lamps in front (post, cap and globe). When lit, the globe shines, a soft
   yellow glow surrounds it and the windows of the house glow yellow.

Lighting is a tint, not geometry: ``daylight`` (through a smoothstep, so that day scenes look like
day) blends every colour from its night version (dark, bluish) to its day version, and the glow
of a lit lamp brightens the pixels around the globe without changing their class. The masks
therefore do not depend on ``daylight`` or ``lamps_on`` at all.

Each object has an anti-aliased coverage ``alpha`` in [0, 1] made from a clamped signed distance
(in pixels) to its outline; the image is composited as ``image = lerp(image, colour, alpha)``,
and the mask takes the class of the top-most object whose alpha is at least 0.5 (a hard
decision: the pixel centre lies inside the object). Coordinates are normalized (x, y in [0, 1],
y pointing down, pixel centres at (i + 0.5) / size), so the same factors draw the same scene at
32x32 or 64x64. Rendering is vectorized over the batch; Python loops run only over object
slots (clouds, trees, windows, lamps) and chunks of images. Objects are painted in class order,
so the mask is a running maximum of labels, and each object group paints only the band of rows
it can reach (scenes are rendered in chunks of similar horizon); neither changes a pixel.

Mask classes (`SCENE_CLASSES`, mask values 0..6 in this order)::

    0 sky     1 cloud   2 ground (grass / earth)   3 tree (trunk and crown)
    4 house (walls, roof, door)   5 window   6 lamp (post, cap and globe)

Factors (`SCENE_FACTORS`, each float32 (N,) in [0, 1])::

    daylight    1 = bright day, 0 = night. Bimodal: day scenes in [0.6, 1], night in [0, 0.4]
                (50/50), so day and night are two domains (CycleGAN) while "turn up the lights"
                is still a continuous edit. Attribute "day" = daylight > 0.5.
    lamps_on    binary: street lamps lit (glow) and windows lit. P(on) = 0.85 at night, 0.15
                by day. The renderer treats values in between as a dimmer.
    cloudiness  0 = clear sky, 1 = overcast: number (round(5 c)) and size of clouds grow with
                it, the sky turns greyer. Attribute "cloudy" = cloudiness > 0.5.
    greenery    0 = bare brown earth and no trees, 1 = lush green grass and 4 trees
                (round(4 g) trees). Attribute "green" = greenery > 0.5.
    horizon     height of the ground line: 45 % (0) .. 70 % (1) of the height from the top.
    house_x     horizontal position of the house centre, left (0) .. right (1).

Layout (nuisance randomness)
----------------------------
The exact positions and shapes of clouds, trees, windows and lamps are nuisance variables beyond
the named factors. `sample_scene_factors` draws them from the same generator and returns them in
the same dict under names that start with an underscore (`LAYOUT_SHAPES`: name -> per-image
shape, all uniform in [0, 1]). **Names starting with "_" are layout, not factors.** Rendering is
a pure function of that dict, so changing only ``daylight`` / ``lamps_on`` and rendering again
(`relight`) gives the very same scene under other lighting: identical masks, paired images.
Alternatively `render_scenes(..., layout_seed=...)` draws the layout from seeds (one int for all
images, e.g. for a factor sweep with the layout fixed, or one seed per image).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Mapping, Sequence, Union

import torch
from torch import Tensor

from gentut.checks import check_count, check_seed
from gentut.data.batch import Factor, LabeledImages

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_Number = Union[float, Tensor]
_Params = dict[str, Tensor]             # factors and layout, each (m,) or (m, slots)

__all__ = [
    "SCENE_SIZE",
    "SCENE_CLASSES",
    "CLASS_COLORS",
    "SCENE_FACTORS",
    "FACTOR_NAMES",
    "LAYOUT_SHAPES",
    "ATTRIBUTE_NAMES",
    "MAX_CLOUDS",
    "MAX_TREES",
    "MAX_LAMPS",
    "sample_scene_factors",
    "render_scenes",
    "make_scenes",
    "relight",
    "scene_attributes",
    "colorize_masks",
    "scene_gallery",
]

SCENE_SIZE = 64

SCENE_CLASSES: tuple[str, ...] = ("sky", "cloud", "ground", "tree", "house", "window", "lamp")
_SKY, _CLOUD, _GROUND, _TREE, _HOUSE, _WINDOW, _LAMP = range(7)

# Colours for drawing masks (not the scene colours): one distinct colour per class.
CLASS_COLORS = torch.tensor([
    [0.53, 0.76, 0.98],   # sky: light blue
    [0.90, 0.90, 0.90],   # cloud: light grey
    [0.60, 0.45, 0.25],   # ground: brown
    [0.10, 0.50, 0.10],   # tree: green
    [0.85, 0.20, 0.20],   # house: red
    [0.15, 0.20, 0.75],   # window: blue
    [1.00, 0.85, 0.00],   # lamp: yellow
])

SCENE_FACTORS: tuple[Factor, ...] = (
    Factor("daylight", "continuous",
           "1 = bright day, 0 = night; bimodal: day in [0.6, 1], night in [0, 0.4]"),
    Factor("lamps_on", "binary",
           "street lamps glow and windows are lit; P = 0.85 at night, 0.15 by day", threshold=None),
    Factor("cloudiness", "continuous", "0 = clear sky, 1 = overcast: more and bigger clouds"),
    Factor("greenery", "continuous", "0 = bare brown earth, no trees; 1 = green grass, 4 trees"),
    Factor("horizon", "continuous", "ground line from 45 % (0) to 70 % (1) of the height",
           threshold=None),
    Factor("house_x", "continuous", "horizontal position of the house, left (0) to right (1)",
           threshold=None),
)
FACTOR_NAMES: tuple[str, ...] = tuple(f.name for f in SCENE_FACTORS)
ATTRIBUTE_NAMES: tuple[str, ...] = ("day", "lamps_on", "cloudy", "green")

MAX_CLOUDS, MAX_TREES, MAX_LAMPS = 5, 4, 2

# Layout variables: name -> shape per image (tensor shape (N, *shape)), uniform in [0, 1].
LAYOUT_SHAPES: dict[str, tuple[int, ...]] = {
    "_cloud_x": (MAX_CLOUDS,),      # horizontal centre
    "_cloud_y": (MAX_CLOUDS,),      # height within the sky band
    "_cloud_size": (MAX_CLOUDS,),   # radius jitter
    "_cloud_shape": (MAX_CLOUDS,),  # width and where the top puff sits
    "_tree_x": (MAX_TREES,),        # position in the free space beside the house
    "_tree_depth": (MAX_TREES,),    # 0 = far (small, higher) .. 1 = near (bigger, lower)
    "_tree_shape": (MAX_TREES,),    # where the second puff of the crown sits
    "_house_size": (),              # house width 0.30 .. 0.40 of the image
    "_house_color": (),             # wall / roof palette
    "_windows": (),                 # 2, 3 or 4 windows
    "_lamps": (),                   # one lamp (< 0.6) or two
    "_lamp_x": (MAX_LAMPS,),        # position in the free space beside the house
}

_CHUNK = 256            # images rendered at a time (keeps intermediates small)
_OFF = 1.0e4            # subtracted from a field to switch an object slot off


# ----------------------------------------------------------------------------- sampling

def sample_scene_factors(n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Draw the factors and the layout of `n` scenes from `generator`.

    Returns name -> float32 tensor on the generator's device: each factor of `SCENE_FACTORS`
    with shape (n,) in [0, 1] (``lamps_on`` exactly 0. or 1.), and each layout variable of
    `LAYOUT_SHAPES` (names starting with "_") with shape (n, *LAYOUT_SHAPES[name]).
    """
    device = generator.device

    def uniform(*shape: int) -> torch.Tensor:
        return torch.rand((n, *shape), generator=generator, device=device)

    is_day = uniform() < 0.5
    daylight = torch.where(is_day, 0.6 + 0.4 * uniform(), 0.4 * uniform())
    lamps_on = (uniform() < torch.where(is_day, 0.15, 0.85)).float()
    factors = {
        "daylight": daylight,
        "lamps_on": lamps_on,
        "cloudiness": uniform(),
        "greenery": uniform(),
        "horizon": uniform(),
        "house_x": uniform(),
    }
    for name, shape in LAYOUT_SHAPES.items():
        factors[name] = uniform(*shape)
    return factors


def _mix32(x: torch.Tensor) -> torch.Tensor:
    """A 32-bit integer hash (xorshift-multiply) on int64 tensors holding values < 2**32."""
    mask = 0xFFFFFFFF
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & mask
    x = x ^ (x >> 15)
    x = (x * 0x2C1B3C6D) & mask
    return x ^ (x >> 16)


def _layout_from_seeds(seeds: torch.Tensor) -> dict[str, torch.Tensor]:
    """Layout variables from per-image integer seeds (n,): a counter-based hash, no RNG state."""
    seeds = _mix32(seeds.long() & 0xFFFFFFFF)[:, None]
    layout = {}
    for stream, (name, shape) in enumerate(LAYOUT_SHAPES.items()):
        slots = math.prod(shape)
        counter = _mix32(torch.arange(slots, device=seeds.device) + 1000 * (stream + 1))
        bits = _mix32(seeds ^ counter)                                   # (n, slots)
        layout[name] = ((bits >> 8).float() / float(1 << 24)).reshape(len(seeds), *shape)
    return layout


def _check_factors(factors: Mapping[str, torch.Tensor], layout_seed: int | torch.Tensor | None) -> _Params:
    """Validate `factors`, clamp them to [0, 1] and complete the layout: name -> float32 (N, ...)."""
    for name in FACTOR_NAMES:
        if name not in factors:
            raise ValueError(f"scene factors are missing {name!r} (need {', '.join(FACTOR_NAMES)})")
    daylight = torch.as_tensor(factors["daylight"], dtype=torch.float32)
    n = daylight.shape[0] if daylight.dim() else 1
    device = daylight.device

    def column(name: str, value, shape: tuple[int, ...]) -> torch.Tensor:
        value = torch.as_tensor(value, dtype=torch.float32, device=device).clamp(0, 1)
        try:
            return value.expand(n, *shape)
        except RuntimeError:
            raise ValueError(f"scene factor {name!r} has shape {tuple(value.shape)}, "
                             f"expected {(n, *shape)}") from None

    params = {name: column(name, factors[name], ()) for name in FACTOR_NAMES}
    if layout_seed is None:
        for name in LAYOUT_SHAPES:
            if name not in factors:
                raise ValueError(f"scene factors are missing the layout variable {name!r}; "
                                 "pass the dict from sample_scene_factors or a layout_seed")
        layout = {name: factors[name] for name in LAYOUT_SHAPES}
    else:
        seeds = torch.as_tensor(layout_seed, dtype=torch.long, device=device)
        layout = _layout_from_seeds(seeds.expand(n) if seeds.dim() == 0 else seeds)
    params.update({name: column(name, layout[name], shape) for name, shape in LAYOUT_SHAPES.items()})
    return params


# ----------------------------------------------------------------------------- geometry

def _col(values: Sequence[float], device: torch.device) -> torch.Tensor:
    """An RGB colour as a float32 (3,) tensor."""
    return torch.tensor(values, dtype=torch.float32, device=device)


def _smoothstep(lo: float, hi: float, t: torch.Tensor) -> torch.Tensor:
    t = ((t - lo) / (hi - lo)).clamp(0, 1)
    return t * t * (3 - 2 * t)


def _shade(day_rgb: torch.Tensor, light: torch.Tensor) -> torch.Tensor:
    """Colour (m, 3) of an unlit surface of day colour (3,) or (m, 3) under `light` (m,):
    unchanged by day, darker and bluer at night."""
    night_tint = torch.tensor([0.36, 0.42, 0.62], device=light.device)
    return day_rgb * (night_tint + (1 - night_tint) * light[:, None])


def _v(t: torch.Tensor) -> torch.Tensor:
    """(m,) -> (m, 1, 1), to broadcast against (m, S, S) maps."""
    return t[:, None, None]


def _box(x: Tensor, y: Tensor, cx: Tensor, cy: Tensor, hw: _Number, hh: _Number, size: int,
         on: Tensor | None = None) -> Tensor:
    """Anti-aliased coverage (m, H, S) of axis-aligned boxes centred (cx, cy), half sizes hw, hh.

    x: (1, 1, S) and y: (1, H, 1) pixel centres; cx, cy, hw, hh, on: (m, 1, 1), on 0/1 (0 = no box).
    """
    cover_x = (hw - (x - cx).abs()) * size + 0.5                                  # (m, 1, S)
    if on is not None:
        cover_x = cover_x - _OFF * (1 - on)
    cover_y = ((hh - (y - cy).abs()) * size + 0.5).clamp_(0, 1)                  # (m, H, 1)
    return torch.minimum(cover_x.clamp_(0, 1), cover_y)


def _disc_field(x: Tensor, y: Tensor, cx: Tensor, cy: Tensor, r: _Number, size: int,
                half_width: Tensor | None = None, on: Tensor | None = None) -> Tensor:
    """Unclamped coverage field (m, H, S) of discs of radius r (or horizontal stadiums).

    The value is the inside distance in pixels + 0.5, approximated without a square root by
    (r^2 - d^2) / (2 r), which is exact on the outline; clamp it to [0, 1] for the coverage.
    half_width > 0 stretches the disc into a stadium (a horizontal segment of that half width,
    thickened by r). All parameters (m, 1, 1); on 0/1 switches a disc off.
    """
    dx = (x - cx).abs()
    if half_width is not None:
        dx = (dx - half_width).clamp_(min=0)
    k = size / (2 * r)
    field_x = 0.5 + (r * r - dx * dx) * k                                         # (m, 1, S)
    if on is not None:
        field_x = field_x - _OFF * (1 - on)
    return field_x - ((y - cy) ** 2) * k                                          # (m, H, S)


def _union(fields: Tensor | None, field: Tensor) -> Tensor:
    """Pointwise maximum of two coverage fields (the first is overwritten), None = empty."""
    return field if fields is None else torch.maximum(fields, field, out=fields)


def _beside_house(u: Tensor, left: Tensor, right: Tensor, lo: float, hi: float) -> Tensor:
    """Map u in [0, 1] onto the free intervals [lo, left] and [right, hi] beside the house."""
    span_left = (left - lo).clamp(min=0)
    span_right = (hi - right).clamp(min=0)
    v = u * (span_left + span_right)
    return torch.where(v < span_left, lo + v, right + (v - span_left))


class _Canvas:
    """Images (m, 3, H, S) and masks (m, H, S) uint8 (or a band of their rows), painted back to
    front. Objects are painted in class order (sky, cloud, ground, tree, house, window, lamp),
    so the top-most object at a pixel is simply the largest label whose coverage is >= 0.5."""

    def __init__(self, image: torch.Tensor, mask: torch.Tensor, y: torch.Tensor, size: int):
        self.image, self.mask, self.size = image, mask, size
        self.y = y                                                               # (1, H, 1)
        self.x = (torch.arange(size, device=y.device, dtype=torch.float32) + 0.5).view(1, 1, size) / size

    def rows(self, top: torch.Tensor, bottom: torch.Tensor) -> "_Canvas | None":
        """The band of rows that holds everything between heights top and bottom ((m,), in
        normalized units, +1 pixel for anti-aliasing), as a view; None if empty. Pixels outside
        the band are left exactly as they are, so the band only saves work."""
        r0 = max(math.floor(float(top.min()) * self.size) - 1, 0)
        r1 = min(math.ceil(float(bottom.max()) * self.size) + 1, self.size)
        if r1 <= r0:
            return None
        return _Canvas(self.image[:, :, r0:r1], self.mask[:, r0:r1], self.y[:, r0:r1], self.size)

    def paint(self, alpha: torch.Tensor, rgb: torch.Tensor) -> None:
        """Blend colour rgb (m, 3) over the image with coverage alpha (m, H, S)."""
        self.image.lerp_(rgb[:, :, None, None], alpha[:, None])

    def label(self, alpha: torch.Tensor, label: int) -> None:
        """Mark the pixels with coverage alpha >= 0.5 as class `label` (painted in class order)."""
        hits = alpha.ge(0.5).view(torch.uint8).mul_(label)
        torch.maximum(self.mask, hits, out=self.mask)


# ----------------------------------------------------------------------------- objects

def _sky_and_ground(p: _Params, light: Tensor, horizon: Tensor, size: int) -> _Canvas:
    """The first canvas: a sky gradient over the horizon, the ground below it (full rows)."""
    device = light.device
    m = light.shape[0]
    y = ((torch.arange(size, device=device, dtype=torch.float32) + 0.5) / size).view(1, size, 1)
    overcast = (0.55 * p["cloudiness"])[:, None]
    top = torch.lerp(_col([0.30, 0.55, 0.92], device), _col([0.55, 0.62, 0.72], device), overcast)
    low = torch.lerp(_col([0.68, 0.84, 0.98], device), _col([0.76, 0.80, 0.86], device), overcast)
    top = torch.lerp(_col([0.02, 0.03, 0.11], device), top, light[:, None])           # (m, 3)
    low = torch.lerp(_col([0.09, 0.11, 0.27], device), low, light[:, None])
    t_sky = (y / _v(horizon)).clamp(0, 1)                                              # (m, S, 1)
    sky = top[:, :, None, None] + t_sky[:, None] * (low - top)[:, :, None, None]       # (m,3,S,1)

    bare, grass = _col([0.62, 0.50, 0.33], device), _col([0.52, 0.74, 0.28], device)
    ground_rgb = _shade(torch.lerp(bare, grass, p["greenery"][:, None]), light)        # (m, 3)
    depth = ((y - _v(horizon)) / (1 - _v(horizon))).clamp(0, 1)                        # (m, S, 1)
    ground = ground_rgb[:, :, None, None] * (0.86 + 0.14 * depth)[:, None]             # (m,3,S,1)
    ground_alpha = ((y - _v(horizon)) * size + 0.5).clamp(0, 1)                        # (m, S, 1)

    rows = torch.lerp(sky, ground, ground_alpha[:, None])
    image = rows.expand(m, 3, size, size).contiguous()
    mask = (ground_alpha >= 0.5).to(torch.uint8).mul_(_GROUND).expand(m, size, size).contiguous()
    return _Canvas(image, mask, y, size)


def _clouds(canvas: _Canvas, p: _Params, light: Tensor, horizon: Tensor) -> None:
    """round(5 * cloudiness) clouds, each a stadium with a puff on top and a flat base; they
    grow with cloudiness and always float at least 0.15 above the horizon."""
    device = light.device
    cloudiness = p["cloudiness"]
    on = (torch.arange(MAX_CLOUDS, device=device) < torch.floor(cloudiness * MAX_CLOUDS + 0.5)[:, None]).float()
    shape = p["_cloud_shape"]
    r = (0.035 + 0.04 * cloudiness[:, None]) * (0.8 + 0.4 * p["_cloud_size"])          # (m, K)
    half_width = r * (0.7 + 1.1 * shape)
    cx = -0.05 + 1.1 * p["_cloud_x"]
    cy = 0.07 + r + (horizon[:, None] - 0.22 - 2 * r).clamp(min=0) * p["_cloud_y"]
    top = torch.where(on > 0, cy - 1.65 * r, 1.0).amin(1)
    bottom = torch.where(on > 0, cy + 0.55 * r, 0.0).amax(1)
    band = canvas.rows(top, bottom)
    if band is None:
        return
    x, y, size = band.x, band.y, band.size
    clouds = None
    for k in range(MAX_CLOUDS):
        if not bool(on[:, k].any()):
            continue
        o, rk, cxk, cyk = _v(on[:, k]), _v(r[:, k]), _v(cx[:, k]), _v(cy[:, k])
        body = _disc_field(x, y, cxk, cyk, rk, size, half_width=_v(half_width[:, k]), on=o)
        puff_x = cxk + (_v(shape[:, k]) - 0.5) * _v(half_width[:, k])
        puff = _disc_field(x, y, puff_x, cyk - 0.55 * rk, 1.1 * rk, size, on=o)
        flat_base = (cyk + 0.55 * rk - y) * size + 0.5
        clouds = _union(clouds, torch.minimum(torch.maximum(body, puff, out=body), flat_base, out=body))
    clouds.clamp_(0, 1)
    day = torch.lerp(_col([0.98, 0.98, 0.99], device), _col([0.80, 0.82, 0.86], device), cloudiness[:, None])
    band.paint(clouds, torch.lerp(_col([0.30, 0.32, 0.40], device), day, light[:, None]))
    band.label(clouds, _CLOUD)


def _trees(canvas: _Canvas, p: _Params, light: Tensor, horizon: Tensor, house: _Params) -> None:
    """round(4 * greenery) trees beside (and partly behind) the house: a trunk and a crown of
    two discs; nearer trees (larger _tree_depth) stand lower and are bigger."""
    device = light.device
    on = (torch.arange(MAX_TREES, device=device) < torch.floor(p["greenery"] * MAX_TREES + 0.5)[:, None]).float()
    depth, shape = p["_tree_depth"], p["_tree_shape"]
    scale = 0.8 + 0.45 * depth                                                         # (m, K)
    cx = _beside_house(p["_tree_x"], house["left"][:, None] + 0.04, house["right"][:, None] - 0.04,
                       0.03, 0.97)
    base = horizon[:, None] + 0.015 + 0.06 * depth
    r, trunk_h = 0.08 * scale, 0.06 * scale
    cy = base - trunk_h - 0.8 * r
    band = canvas.rows(torch.where(on > 0, cy - 1.2 * r, 1.0).amin(1),
                       torch.where(on > 0, base, 0.0).amax(1))
    if band is None:
        return
    x, y, size = band.x, band.y, band.size
    trunks = crowns = None
    for k in range(MAX_TREES):
        if not bool(on[:, k].any()):
            continue
        o, cxk, rk, hk, bk, cyk = (_v(t[:, k]) for t in (on, cx, r, trunk_h, base, cy))
        trunks = _union(trunks, _box(x, y, cxk, bk - hk / 2 - 0.01, 0.014 * _v(scale[:, k]),
                                     hk / 2 + 0.01, size, on=o))
        crown = _disc_field(x, y, cxk, cyk, rk, size, on=o)
        puff = _disc_field(x, y, cxk + (_v(shape[:, k]) - 0.5) * 0.9 * rk, cyk - 0.5 * rk, 0.68 * rk,
                           size, on=o)
        crowns = _union(crowns, torch.maximum(crown, puff, out=crown))
    crowns.clamp_(0, 1)
    band.paint(trunks, _shade(_col([0.40, 0.26, 0.14], device), light))
    band.paint(crowns, _shade(_col([0.10, 0.42, 0.17], device), light))
    band.label(torch.maximum(trunks, crowns, out=trunks), _TREE)


def _house_geometry(p: _Params, horizon: Tensor) -> _Params:
    """House centre, width, edges and heights (each (m,)) from house_x, horizon and _house_size."""
    width = 0.30 + 0.10 * p["_house_size"]
    cx = 0.22 + 0.56 * p["house_x"]
    base = horizon + 0.10
    wall_h = 0.75 * width
    return {"cx": cx, "width": width, "base": base, "top": base - wall_h, "wall_h": wall_h,
            "roof_h": 0.42 * width, "left": cx - width / 2, "right": cx + width / 2}


_WALLS = ((0.93, 0.87, 0.72), (0.90, 0.68, 0.56), (0.82, 0.81, 0.78), (0.96, 0.86, 0.56))
_ROOFS = ((0.62, 0.22, 0.18), (0.36, 0.33, 0.40), (0.52, 0.32, 0.20), (0.62, 0.22, 0.18))
# Window slots: (x offset / house width, centre below the wall top / wall height).
_WINDOW_SLOTS = ((-0.27, 0.30), (0.27, 0.30), (0.0, 0.30), (-0.27, 0.70), (0.27, 0.70))


def _house(canvas: _Canvas, p: _Params, light: Tensor, house: _Params) -> _Canvas:
    """Walls, a triangular roof with eaves and a door, all of class "house" (palette from
    _house_color). Returns the band of rows the house occupies (for the windows)."""
    device = light.device
    cx, width, top, base = _v(house["cx"]), _v(house["width"]), _v(house["top"]), _v(house["base"])
    wall_h, roof_h = _v(house["wall_h"]), _v(house["roof_h"])
    band = canvas.rows(house["top"] - house["roof_h"], house["base"])
    x, y, size = band.x, band.y, band.size
    style = (p["_house_color"] * len(_WALLS)).long().clamp(max=len(_WALLS) - 1)

    walls = _box(x, y, cx, (top + base) / 2, width / 2, wall_h / 2, size)
    band.paint(walls, _shade(torch.tensor(_WALLS, device=device)[style], light))

    half_base = width / 2 + 0.035
    slope = roof_h / half_base
    inv_norm = size / torch.sqrt(1 + slope * slope)     # distance to the slanted edges, in pixels
    slant = 0.5 - (top - roof_h + slope * (x - cx).abs()) * inv_norm + y * inv_norm     # (m,H,S)
    eave = ((top + 0.012 - y) * size + 0.5).clamp_(0, 1)                                 # (m,H,1)
    roof = torch.minimum(slant.clamp_(0, 1), eave, out=slant)
    band.paint(roof, _shade(torch.tensor(_ROOFS, device=device)[style], light))

    door = _box(x, y, cx, base - 0.24 * wall_h, 0.11 * width, 0.24 * wall_h, size)
    band.paint(door, _shade(_col([0.42, 0.26, 0.16], device), light))
    band.label(torch.maximum(walls, roof, out=walls), _HOUSE)
    return band


def _windows(band: _Canvas, p: _Params, light: Tensor, house: _Params) -> None:
    """2, 3 or 4 square windows on the walls (two upper, a middle one, or two more beside the
    door): blue-grey glass, yellow light when lamps_on."""
    device = light.device
    count = 2 + (p["_windows"] * 3).floor().clamp(max=2)
    active = (None, None, (count == 3).float(), (count == 4).float(), (count == 4).float())
    cx, width, top, wall_h = _v(house["cx"]), _v(house["width"]), _v(house["top"]), _v(house["wall_h"])
    half = 0.1 * width
    x, y, size = band.x, band.y, band.size
    windows = None
    for (dx, dy), on in zip(_WINDOW_SLOTS, active):
        if on is not None and not bool(on.any()):
            continue
        window = _box(x, y, cx + dx * width, top + dy * wall_h, half, half, size,
                      on=None if on is None else _v(on))
        windows = _union(windows, window)
    glass = _shade(_col([0.30, 0.42, 0.58], device), light)
    lit = _col([1.00, 0.84, 0.32], device).expand_as(glass)
    band.paint(windows, torch.lerp(glass, lit, p["lamps_on"][:, None]))
    band.label(windows, _WINDOW)


def _lamps(canvas: _Canvas, p: _Params, light: Tensor, horizon: Tensor, house: _Params) -> None:
    """One or two street lamps in front, beside the house: post, cap and globe (class "lamp").
    When lit, the globe is bright and a soft yellow glow surrounds it (image only)."""
    device = light.device
    lamps_on = p["lamps_on"]
    on = torch.stack([torch.ones_like(lamps_on), (p["_lamps"] >= 0.6).float()], 1)     # (m, 2)
    u = p["_lamp_x"]
    u = torch.stack([u[:, 0], torch.remainder(u[:, 0] + 0.25 + 0.5 * u[:, 1], 1.0)], 1)  # apart
    lx = _beside_house(u, house["left"][:, None] - 0.05, house["right"][:, None] + 0.05, 0.05, 0.95)
    base = horizon + 0.17
    top = base - 0.25
    globe_y = top - 0.03
    glow_r = 0.15
    band = canvas.rows(globe_y - glow_r, base)
    x, y, size = band.x, band.y, band.size
    posts = globes = glows = None
    for j in range(MAX_LAMPS):
        if not bool(on[:, j].any()):
            continue
        o, lxj = _v(on[:, j]), _v(lx[:, j])
        post = _box(x, y, lxj, _v((top + base) / 2), 0.016, 0.125, size, on=o)
        cap = _box(x, y, lxj, _v(globe_y) - 0.045, 0.03, 0.012, size, on=o)
        posts = _union(posts, torch.maximum(post, cap, out=post))
        globes = _union(globes, _disc_field(x, y, lxj, _v(globe_y), 0.042, size, on=o))
        glows = _union(glows, _disc_field(x, y, lxj, _v(globe_y), glow_r, size, on=o))
    band.paint(posts, _shade(_col([0.33, 0.33, 0.38], device), light))
    # the glow: a soft disk of warm light, opacity (1 - d^2 / R^2)^2, fainter by day
    glow = (glows * (2 / (glow_r * size))).clamp_(0, 1).square_().mul_(_v(lamps_on * (0.9 - 0.4 * light)))
    band.paint(glow, _col([1.0, 0.9, 0.55], device).expand(len(light), 3))
    globes.clamp_(0, 1)
    unlit = _shade(_col([0.62, 0.64, 0.68], device), light)
    band.paint(globes, torch.lerp(unlit, _col([1.0, 0.96, 0.72], device).expand_as(unlit), lamps_on[:, None]))
    band.label(torch.maximum(posts, globes, out=posts), _LAMP)


def _render_chunk(p: _Params, size: int) -> tuple[Tensor, Tensor]:
    """Render one chunk of scenes: images (m, 3, S, S) float32, masks (m, S, S) uint8."""
    light = _smoothstep(0.1, 0.9, p["daylight"])      # day (0.6..1) bright, night (0..0.4) dark
    horizon = 0.45 + 0.25 * p["horizon"]
    house = _house_geometry(p, horizon)
    canvas = _sky_and_ground(p, light, horizon, size)
    _clouds(canvas, p, light, horizon)
    _trees(canvas, p, light, horizon, house)
    house_band = _house(canvas, p, light, house)
    _windows(house_band, p, light, house)
    _lamps(canvas, p, light, horizon, house)
    return canvas.image.clamp_(0, 1), canvas.mask


# ----------------------------------------------------------------------------- public API

def render_scenes(factors: Mapping[str, torch.Tensor], size: int = SCENE_SIZE,
                  layout_seed: int | torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw the scenes described by `factors`: a pure function (same dict -> same pixels).

    factors: name -> (N,) tensor for every factor of `SCENE_FACTORS` (values clamped to [0, 1];
        ``lamps_on`` between 0 and 1 dims the lights), plus the layout variables of
        `LAYOUT_SHAPES` (names starting with "_", shape (N, *shape)) unless `layout_seed` is given.
    layout_seed: None (the layout comes from `factors`), an int (every image gets the same layout,
        e.g. for a sweep of one factor) or an int64 tensor (N,) of per-image seeds.
    Returns images float32 (N, 3, size, size) in [0, 1] and masks int64 (N, size, size) with
    values 0..6 (`SCENE_CLASSES`), on the device of ``factors["daylight"]``.
    Raises ValueError naming a missing factor (or layout variable).
    """
    params = _check_factors(factors, layout_seed)
    n, device = params["daylight"].shape[0], params["daylight"].device
    images = torch.empty(n, 3, size, size, device=device)
    masks = torch.empty(n, size, size, dtype=torch.long, device=device)
    # Chunks of scenes with similar horizons have narrow bands of rows to paint (all heights
    # follow the horizon); the order changes no pixel, since pixels outside a band are untouched.
    order = torch.argsort(params["horizon"], stable=True)
    for start in range(0, n, _CHUNK):
        index = order[start:start + _CHUNK]
        chunk_images, chunk_masks = _render_chunk({name: value[index] for name, value in params.items()}, size)
        images.index_copy_(0, index, chunk_images)
        masks.index_copy_(0, index, chunk_masks.long())
    return images, masks


def make_scenes(n: int, seed: int = 0, size: int = SCENE_SIZE,
                device: torch.device | str | None = None) -> LabeledImages:
    """`n` random scenes: images (n, 3, size, size), their factors (and layout) and masks (n, S, S).

    Deterministic given `seed` (factors and layout are drawn on the CPU, then moved to `device`).
    n: an int >= 0; seed: an int in [0, 2**32 - 1] (else a clear error).
    """
    n, seed = check_count(n, "n"), check_seed(seed)
    factors = sample_scene_factors(n, torch.Generator().manual_seed(seed))
    if device is not None:
        factors = {name: value.to(device) for name, value in factors.items()}
    images, masks = render_scenes(factors, size)
    return LabeledImages(images, factors, masks)


def relight(batch_or_factors: LabeledImages | Mapping[str, torch.Tensor],
            daylight: float | torch.Tensor | None = None,
            lamps_on: float | torch.Tensor | None = None,
            size: int | None = None) -> LabeledImages:
    """The same scenes under other lighting: only ``daylight`` and/or ``lamps_on`` change.

    batch_or_factors: a `LabeledImages` from `make_scenes` or a factors dict with its layout.
    daylight, lamps_on: a number or an (N,) tensor; None keeps the current value.
    size: image size (default: the batch's size, or `SCENE_SIZE` for a dict).
    Returns a `LabeledImages` (N, 3, S, S) with updated factors; the layout is untouched, so the
    masks are identical and the images are paired with the originals (day <-> night pairs).
    """
    if isinstance(batch_or_factors, LabeledImages):
        factors = batch_or_factors.factors
        size = size or batch_or_factors.images.shape[-1]
    else:
        factors = batch_or_factors
        size = size or SCENE_SIZE
    if "daylight" not in factors:
        raise ValueError("scene factors are missing 'daylight'")
    new = dict(factors)
    reference = torch.as_tensor(factors["daylight"])
    for name, value in (("daylight", daylight), ("lamps_on", lamps_on)):
        if value is not None:
            value = torch.as_tensor(value, dtype=torch.float32, device=reference.device)
            new[name] = value.clamp(0, 1).expand(reference.shape).clone()
    images, masks = render_scenes(new, size)
    return LabeledImages(images, new, masks)


def scene_attributes(factors: Mapping[str, torch.Tensor] | LabeledImages) -> torch.Tensor:
    """Binary scene attributes, float32 (N, 4), columns `ATTRIBUTE_NAMES`:
    day (daylight > 0.5), lamps_on (> 0.5), cloudy (cloudiness > 0.5), green (greenery > 0.5)."""
    if isinstance(factors, LabeledImages):
        factors = factors.factors
    for name in ("daylight", "lamps_on", "cloudiness", "greenery"):
        if name not in factors:
            raise ValueError(f"scene factors are missing {name!r}")
    columns = [factors[name] > 0.5 for name in ("daylight", "lamps_on", "cloudiness", "greenery")]
    return torch.stack(columns, dim=1).float()


def colorize_masks(masks: torch.Tensor) -> torch.Tensor:
    """Masks int (N, S, S) with values 0..6 -> float32 RGB (N, 3, S, S) in [0, 1] (`CLASS_COLORS`)."""
    return CLASS_COLORS.to(masks.device)[masks.long()].permute(0, 3, 1, 2).contiguous()


def scene_gallery(batch: LabeledImages, n: int = 16, ncols: int = 8, show_masks: bool = True) -> "Figure":
    """A matplotlib Figure (dpi 72) of the first `n` scenes of `batch`: rows of images captioned
    with their attributes ("night lit / cloudy green"), each image above its colorized mask (if
    `show_masks` and the batch has masks), with a legend of the classes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    n = min(n, len(batch))
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    with_masks = show_masks and batch.masks is not None
    cell, gap, caption, legend = 1.0, 0.08, 0.32, 0.3 if with_masks else 0.0     # inches
    block = caption + cell + (gap + cell if with_masks else 0.0) + gap
    width, height = ncols * (cell + gap) + gap, nrows * block + legend
    fig = plt.figure(figsize=(width, height), dpi=72)
    attributes = scene_attributes({k: v[:n].detach().float().cpu() for k, v in batch.factors.items()})
    images = batch.images[:n].detach().float().cpu().clamp(0, 1).permute(0, 2, 3, 1).numpy()
    masks = colorize_masks(batch.masks[:n].cpu()).permute(0, 2, 3, 1).numpy() if with_masks else None

    def panel(left: float, top: float, picture) -> None:
        ax = fig.add_axes((left / width, (height - top - cell) / height, cell / width, cell / height))
        ax.imshow(picture, interpolation="nearest")
        ax.axis("off")

    for i in range(n):
        row, col = divmod(i, ncols)
        left, top = gap + col * (cell + gap), row * block + caption
        day, lamps, cloudy, green = attributes[i].tolist()
        text = (f"{'day' if day else 'night'}{' lit' if lamps else ''}\n"
                f"{'cloudy' if cloudy else 'clear'} {'green' if green else 'bare'}")
        fig.text((left + cell / 2) / width, (height - top + 0.03) / height, text, ha="center", va="bottom",
                 fontsize=7, linespacing=1.1)
        panel(left, top, images[i])
        if masks is not None:
            panel(left, top + cell + gap, masks[i])
    if masks is not None:
        handles = [Patch(color=CLASS_COLORS[c].tolist(), label=name) for c, name in enumerate(SCENE_CLASSES)]
        fig.legend(handles=handles, loc="lower center", ncol=len(SCENE_CLASSES), fontsize=7, frameon=False,
                   handlelength=1.0, columnspacing=1.0, borderaxespad=0.1)
    return fig
