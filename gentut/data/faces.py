"""Procedural cartoon faces whose generative factors are known exactly.

Every image is a flat-shaded cartoon head, centred on a plain background, drawn by
compositing soft shapes back to front. Each shape is a signed distance function (SDF,
negative inside) turned into anti-aliased coverage by clamping ``0.5 - sdf / pixel``, so the
edges are smooth at any resolution and a small GAN can learn them. Drawing happens in
normalized coordinates (x from -1 at the left edge to +1 at the right, y from -1 at the top to
+1 at the bottom), so 32x32 and 64x64 images show the same face.

Layers, back to front: background, shirt, ears, hair (back), neck, head, blush (with the smile), wrinkles,
eyebrows, eyes, nose, mouth, eyeglasses, hair (front). The face parts (eyes, brows, nose,
mouth, glasses, wrinkles, fringe) are placed in "frontal" coordinates ``u`` and projected onto
a head that turns about its vertical axis: ``x = R sin(asin(u / R) + angle)``. Turning
therefore shifts the features sideways and squashes those on the far side, as on a real head.

The factors (``FACE_FACTORS``, all in [0, 1]):

- ``smile``: 0 = frown (mouth corners down), 0.5 = neutral straight mouth, 1 = big smile (corners
  up); the cheeks' blush rises and glows with the smile, faint for a frown, so the factor changes
  a larger area than the mouth alone. Attribute "smiling": smile > 0.5.
- ``eyeglasses`` (binary): round dark frames over the eyes, with a bridge and temples.
  Attribute "eyeglasses".
- ``age``: 0 = young, 1 = old. The hair greys: its colour is mixed towards light grey, linearly
  between age 0.15 and 0.95, up to half way (``_MAX_GREYING``), so an old face's hair is
  salt-and-pepper that still shows its hue and hair colour stays readable at every age. Forehead
  lines, eye bags and nose-to-mouth folds fade in between age 0.25 and 0.8. Attribute "old":
  age > 0.5.
- ``yaw``: head pose, 0 = turned to the image's left, 0.5 = frontal, 1 = turned to the image's
  right (angle (yaw - 0.5) * 70 degrees). The features shift and squash, the nose and pupils
  point the way the head turns, and the ear on the side the face turns away from sticks out
  further while the other hides. Attribute "facing_right": yaw > 0.5.
- ``hair_length``: 0 = a short cap on top of the head, ears uncovered; the bottom of the hair
  moves down linearly, over the ears (about 0.1 to 0.3), to the mouth's height (0.5), past the
  jaw (0.75) and onto the shoulders (1). Attribute "long_hair": hair_length > 0.5.
- ``hair_color``: position along the palette black -> brown -> red -> blond (before greying),
  ordered so that lightness rises all the way along it (a factor that is one monotone change
  of the picture is one a generator can hold on a straight line); the eyebrows are a darker shade of the hair (so they follow hair colour and age too).
- ``skin_tone``: light -> dark along a realistic palette of skin colours.
- ``background``: hue of the plain pastel background, slightly lighter at the top; 0 = red,
  through yellow, green, cyan, blue, to 1 = pink (0.85 of the colour wheel, so 0 and 1 differ).

``sample_face_factors`` draws the factors independently and uniformly, except that the
probability of eyeglasses rises with age, P(eyeglasses = 1 | age) = 0.1 + 0.7 * age, so age
and eyeglasses are correlated: corr = 0.7 * var(age) / (sd(age) * sd(eyeglasses))
= 0.0583 / (0.2887 * 0.4975) ~= 0.406 (measured: 0.405 on 200,000 samples, 0.39 to 0.41 on
5,000), the spurious correlation of the lesson on conditional manipulation. Overall
P(eyeglasses) = 0.45. Every other pair of factors has correlation ~0 (|r| < 0.01 on 200,000).

``render_faces`` clamps factor values outside [0, 1] to [0, 1] (and rounds eyeglasses).
Speed (``benchmarks/datasets_faces.py``, 2 CPU threads on an idle 2-core machine): about
9,000 faces/s at 64x64 and 25,000 faces/s at 32x32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Union

import torch

from gentut.checks import check_count, check_seed
from gentut.data.batch import Factor, LabeledImages

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FACE_FACTORS",
    "FACE_SIZE",
    "ATTRIBUTE_NAMES",
    "GLASSES_BASE_RATE",
    "GLASSES_AGE_SLOPE",
    "sample_face_factors",
    "render_faces",
    "make_faces",
    "face_attributes",
    "face_gallery",
]

FACE_SIZE = 64
GLASSES_BASE_RATE = 0.1   # P(eyeglasses = 1 | age) = GLASSES_BASE_RATE + GLASSES_AGE_SLOPE * age
GLASSES_AGE_SLOPE = 0.7

FACE_FACTORS: tuple[Factor, ...] = (
    Factor("smile", "continuous", "0 = frown, 0.5 = neutral straight mouth, 1 = big smile and rosy cheeks"),
    Factor("eyeglasses", "binary", "1 = round dark frames over the eyes", threshold=None),
    Factor("age", "continuous", "0 = young, 1 = old: grey hair, forehead lines, eye bags, folds"),
    Factor("yaw", "continuous", "head pose: 0 = turned to the image's left, 0.5 = frontal, 1 = turned right"),
    Factor("hair_length", "continuous", "0 = short cap on top, 1 = long hair past the jaw on both sides"),
    Factor("hair_color", "continuous", "palette black -> brown -> red -> blond", threshold=None),
    Factor("skin_tone", "continuous", "light -> dark along a palette of skin colours", threshold=None),
    Factor("background", "continuous", "hue of the plain background", threshold=None),
)
ATTRIBUTE_NAMES: tuple[str, ...] = ("smiling", "eyeglasses", "old", "facing_right", "long_hair")

_CHUNK_PIXELS = 2 ** 21            # make_faces renders 2**21 / size**2 images at once (512 at 64x64)
_ZOOM, _SHIFT = 1.12, 0.04         # screen = drawing coordinates * _ZOOM + (0, _SHIFT)
_MAX_ANGLE = math.radians(35.0)    # head turn at yaw = 0 or 1
_HEAD = (0.0, -0.02, 0.47, 0.58)   # head ellipse: centre x, centre y, half width, half height
_TURN_RADIUS = 0.47                # radius of the cylinder the face features are wrapped on
_EYE_X, _EYE_Y = 0.19, -0.05       # eye centres (frontal coordinates)
_MOUTH_Y = 0.32
_HAIR_PALETTE = ((0.10, 0.08, 0.07), (0.42, 0.25, 0.12), (0.74, 0.27, 0.10), (0.90, 0.75, 0.42))  # lightness rises
_SKIN_PALETTE = ((0.99, 0.87, 0.77), (0.94, 0.74, 0.60), (0.80, 0.57, 0.40), (0.58, 0.38, 0.25), (0.36, 0.23, 0.15))
_GREY_HAIR = (0.84, 0.84, 0.86)
_MAX_GREYING = 0.5                 # the oldest hair is half grey, half its own colour
_BACKGROUND_HUES = 0.85            # background factor 0..1 -> hue 0 (red) .. 0.85 (pink), no wrap
_SHIRT = (0.30, 0.36, 0.48)
_INK = (0.10, 0.05, 0.05)          # mouth line and pupils
_FRAMES = (0.06, 0.06, 0.08)       # eyeglasses


# ----------------------------------------------------------------------------- sampling


def sample_face_factors(n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Draw the factors of `n` faces: name -> float32 (n,) in [0, 1], on the CPU.

    All factors are independent and uniform on [0, 1] except `eyeglasses`, which is exactly
    0. or 1. with P(eyeglasses = 1 | age) = 0.1 + 0.7 * age (correlation with age ~0.41).
    Only `generator` is used (never the global RNG); one (n, 8) uniform draw is made, so the
    first k faces of a sample of n are the faces of a sample of k with the same seed.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    uniform = torch.rand(n, len(FACE_FACTORS), generator=generator, dtype=torch.float32)
    factors = {factor.name: uniform[:, i].contiguous() for i, factor in enumerate(FACE_FACTORS)}
    p_glasses = GLASSES_BASE_RATE + GLASSES_AGE_SLOPE * factors["age"]
    factors["eyeglasses"] = (factors["eyeglasses"] < p_glasses).float()
    return factors


def face_attributes(factors: dict[str, torch.Tensor]) -> torch.Tensor:
    """Binary attributes of the factors: float32 (n, 5), columns ``ATTRIBUTE_NAMES``.

    smiling = smile > 0.5, eyeglasses = eyeglasses > 0.5, old = age > 0.5,
    facing_right = yaw > 0.5, long_hair = hair_length > 0.5 (thresholds of FACE_FACTORS).
    Raises ValueError if a factor is missing or the shapes are wrong.
    """
    factors = _checked(factors)
    columns = [factors[f.name] > (0.5 if f.threshold is None else f.threshold)
               for f in FACE_FACTORS if f.kind == "binary" or f.threshold is not None]
    return torch.stack(columns, dim=1).float()


def _checked(factors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The factors as float32 (n,) tensors clamped to [0, 1]; ValueError naming a bad key."""
    n = None
    out = {}
    for factor in FACE_FACTORS:
        if factor.name not in factors:
            raise ValueError(f"factor {factor.name!r} is missing (need {[f.name for f in FACE_FACTORS]})")
        value = torch.as_tensor(factors[factor.name])
        if value.dim() != 1 or (n is not None and len(value) != n):
            raise ValueError(f"factor {factor.name!r} must have shape ({n if n is not None else 'n'},), "
                             f"got {tuple(value.shape)}")
        n = len(value)
        out[factor.name] = value.float().clamp(0.0, 1.0)
    return out


# ----------------------------------------------------------------------------- geometry


def _cover(sdf: torch.Tensor, pixel: float) -> torch.Tensor:
    """Anti-aliased coverage in [0, 1] of the shape whose signed distance is `sdf`."""
    return (0.5 - sdf / pixel).clamp_(0.0, 1.0)


_Num = Union[torch.Tensor, float]   # a number, or a tensor that broadcasts against the pixels


def _ellipse(x: torch.Tensor, y: torch.Tensor, cx: _Num, cy: _Num, rx: _Num, ry: _Num) -> torch.Tensor:
    """Approximate signed distance to an axis-aligned ellipse (exact near its boundary)."""
    px, py = (x - cx) / rx, (y - cy) / ry
    k0 = torch.sqrt(px * px + py * py)
    k1 = torch.sqrt((px / rx) ** 2 + (py / ry) ** 2).clamp_(min=1e-6)
    return k0 * (k0 - 1.0) / k1


def _circle(x: torch.Tensor, y: torch.Tensor, cx: _Num, cy: _Num, r: _Num) -> torch.Tensor:
    """Signed distance to a disc."""
    return torch.sqrt((x - cx) ** 2 + (y - cy) ** 2) - r


def _box(x: torch.Tensor, y: torch.Tensor, cx: _Num, cy: _Num, hx: _Num, hy: _Num, r: _Num) -> torch.Tensor:
    """Signed distance to a box of half sizes (hx, hy) with corners rounded by r."""
    qx = (x - cx).abs() - (hx - r)
    qy = (y - cy).abs() - (hy - r)
    outside = torch.sqrt(qx.clamp(min=0) ** 2 + qy.clamp(min=0) ** 2)
    return outside + torch.maximum(qx, qy).clamp(max=0) - r


def _arc(x: torch.Tensor, y: torch.Tensor, cx: _Num, cy: _Num, half_width: _Num, bend: _Num,
         thickness: float) -> torch.Tensor:
    """Signed distance to a stroke along the parabola y = cy + bend * ((x - cx) / half_width)^2.

    The stroke spans |x - cx| <= half_width with round ends; bend > 0 bends the ends down
    (image y points down). Distances are corrected for the slope, which is accurate for the
    gentle curves drawn here.
    """
    dx = x - cx
    t = torch.clamp(dx, -half_width, half_width)
    k = bend / half_width ** 2
    slope = 2.0 * k * t
    dy = (y - cy - k * t * t) / torch.sqrt(1.0 + slope * slope)
    return torch.sqrt((dx - t) ** 2 + dy * dy) - 0.5 * thickness


def _segment(x: torch.Tensor, y: torch.Tensor, ax: _Num, ay: _Num, bx: _Num, by: _Num,
             thickness: float) -> torch.Tensor:
    """Signed distance to a straight stroke from (ax, ay) to (bx, by) with round ends."""
    px, py, vx, vy = x - ax, y - ay, bx - ax, by - ay
    h = ((px * vx + py * vy) / (vx * vx + vy * vy)).clamp(0.0, 1.0)
    return torch.sqrt((px - h * vx) ** 2 + (py - h * vy) ** 2) - 0.5 * thickness


def _turn(x: torch.Tensor, face: "_Face") -> torch.Tensor:
    """Frontal coordinate u of the pixels at screen x on the turned head: (n, 1, 1, w).

    A point at u on the frontal face (a cylinder of radius R) appears at
    x = R sin(asin(u / R) + angle); this is the inverse map.
    """
    s = (x / _TURN_RADIUS).clamp(-0.999, 0.999)
    return _TURN_RADIUS * torch.sin(torch.asin(s) - face.angle)


def _mix(palette: tuple[tuple[float, float, float], ...], t: torch.Tensor) -> torch.Tensor:
    """Piecewise-linear colour along `palette` (k RGB stops) at t in [0, 1]: (n,) -> (n, 3, 1, 1)."""
    stops = torch.tensor(palette, dtype=torch.float32, device=t.device)
    pos = t * (len(palette) - 1)
    i = pos.floor().clamp(max=len(palette) - 2).long()
    w = (pos - i).unsqueeze(1)
    return torch.lerp(stops[i], stops[i + 1], w).view(-1, 3, 1, 1)


def _hue(h: torch.Tensor, saturation: float, value: float) -> torch.Tensor:
    """HSV -> RGB for hues h (n,) in [0, 1] (hue 1 = hue 0): (n, 3, 1, 1)."""
    k = (torch.tensor([5.0, 3.0, 1.0], device=h.device) + h.unsqueeze(1) * 6.0) % 6.0
    ramp = torch.minimum(k, 4.0 - k).clamp(0.0, 1.0)
    return (value - value * saturation * ramp).view(-1, 3, 1, 1)


def _rgb(colour: tuple[float, float, float], device: torch.device) -> torch.Tensor:
    """A fixed colour as a (1, 3, 1, 1) tensor."""
    return torch.tensor(colour, dtype=torch.float32, device=device).view(1, 3, 1, 1)


def _ramp(t: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """0 below lo, 1 above hi, linear in between."""
    return ((t - lo) / (hi - lo)).clamp(0.0, 1.0)


# ----------------------------------------------------------------------------- canvas


@dataclass
class _Face:
    """Per-image drawing parameters, each shaped to broadcast against (n, C, h, w)."""

    angle: torch.Tensor      # (n, 1, 1, 1) head turn in radians, > 0 = facing right
    turn: torch.Tensor       # (n, 1, 1, 1) sin(angle) / sin(max angle), in [-1, 1]
    smile: torch.Tensor      # (n, 1, 1, 1) mouth curvature in [-1, 1]
    glasses: torch.Tensor    # (n, 1, 1, 1) 0 or 1
    wrinkles: torch.Tensor   # (n, 1, 1, 1) opacity of the age lines
    hair_end: torch.Tensor   # (n, 1, 1, 1) y of the bottom of the hair
    skin: torch.Tensor       # (n, 3, 1, 1)
    hair: torch.Tensor       # (n, 3, 1, 1) after greying
    background: torch.Tensor  # (n, 3, 1, 1)

    @staticmethod
    def of(f: dict[str, torch.Tensor]) -> "_Face":
        """The drawing parameters of checked factors `f` (name -> (n,) in [0, 1])."""
        col = lambda t: t.view(-1, 1, 1, 1)
        angle = (f["yaw"] - 0.5) * (2.0 * _MAX_ANGLE)
        hair = _mix(_HAIR_PALETTE, f["hair_color"])
        grey = col(_ramp(f["age"], 0.15, 0.95) * _MAX_GREYING)
        return _Face(
            angle=col(angle),
            turn=col(torch.sin(angle) / math.sin(_MAX_ANGLE)),
            smile=col(f["smile"] * 2.0 - 1.0),
            glasses=col(f["eyeglasses"].round()),
            wrinkles=col(_ramp(f["age"], 0.25, 0.8) * 0.9),
            hair_end=col(-0.26 + 1.12 * f["hair_length"]),
            skin=_mix(_SKIN_PALETTE, f["skin_tone"]),
            hair=torch.lerp(hair, _rgb(_GREY_HAIR, hair.device), grey),
            background=_hue(_BACKGROUND_HUES * f["background"], 0.30, 0.93),
        )


_Window = tuple[slice, slice, torch.Tensor, torch.Tensor]   # rows, cols, x (1, 1, 1, w), y (1, 1, h, 1)


class _Canvas:
    """The batch of images being drawn, painted one soft shape at a time inside boxes."""

    def __init__(self, image: torch.Tensor):
        self.image = image                       # (n, 3, S, S)
        self.size = image.shape[-1]
        self.pixel = 2.0 / self.size / _ZOOM     # pixel width in drawing units

    def window(self, x0: float, x1: float, y0: float, y1: float) -> "_Window":
        """The pixels whose centres lie in the box of drawing coordinates (plus a margin).

        Returns (rows, cols, x, y): slices, and the drawing coordinates of the pixel centres,
        x (1, 1, 1, w) and y (1, 1, h, 1). Painting only inside boxes keeps the renderer fast.
        """
        s, device = self.size, self.image.device
        to_index = lambda v, shift: (v * _ZOOM + shift + 1.0) * s / 2.0 - 0.5
        c0, c1 = max(0, math.floor(to_index(x0, 0.0)) - 1), min(s, math.ceil(to_index(x1, 0.0)) + 2)
        r0, r1 = max(0, math.floor(to_index(y0, _SHIFT)) - 1), min(s, math.ceil(to_index(y1, _SHIFT)) + 2)
        screen = lambda a, b: (torch.arange(a, b, device=device, dtype=torch.float32) + 0.5) * (2.0 / s) - 1.0
        x = screen(c0, c1) / _ZOOM
        y = (screen(r0, r1) - _SHIFT) / _ZOOM
        return slice(r0, r1), slice(c0, c1), x.view(1, 1, 1, -1), y.view(1, 1, -1, 1)

    def paint(self, win: "_Window", colour: torch.Tensor, alpha: torch.Tensor) -> None:
        """Composite `colour` (n or 1, 3, 1, 1) over the window with opacity `alpha` (., 1, h, w)."""
        rows, cols = win[0], win[1]
        region = self.image[:, :, rows, cols]
        region.lerp_(colour.expand(len(region), 3, 1, 1), alpha.expand(len(region), 1, *region.shape[2:]))

    def cover(self, sdf: torch.Tensor) -> torch.Tensor:
        """Anti-aliased coverage of a shape at this canvas's resolution."""
        return _cover(sdf, self.pixel)


# ----------------------------------------------------------------------------- face parts


def _draw_background(face: _Face, out: torch.Tensor) -> _Canvas:
    """Fill `out` (n, 3, S, S) with a plain pastel background of the face's hue, lighter at the top."""
    size = out.shape[-1]
    y = (torch.arange(size, device=out.device, dtype=torch.float32) + 0.5) * (2.0 / size) - 1.0
    grade = (1.04 - 0.07 * (y + 1.0)).view(1, 1, size, 1)
    out.copy_((face.background * grade).clamp(0.0, 1.0).expand_as(out))
    return _Canvas(out)


def _draw_shirt(canvas: _Canvas, face: _Face) -> None:
    """Shoulders in a fixed slate shirt at the bottom of the image."""
    win = canvas.window(-1.0, 1.0, 0.68, 1.0)
    sdf = _ellipse(win[2], win[3], 0.0, 1.32, 0.80, 0.60)
    canvas.paint(win, _rgb(_SHIRT, face.skin.device), canvas.cover(sdf))


def _draw_hair_back(canvas: _Canvas, face: _Face) -> None:
    """The hair behind the head: a cap around the top, falling to `hair_end` on both sides."""
    win = canvas.window(-0.62, 0.62, -0.70, 0.92)
    x, y = win[2], win[3]
    cx, cy, rx, ry = _HEAD
    top = cy - 0.24                                   # the short cut ends above the ears
    cap = torch.maximum(_ellipse(x, y, cx, cy - 0.03, rx + 0.09, ry + 0.08), y - top)
    half = ((face.hair_end - top) / 2).clamp(min=0.001)
    fall = _box(x, y, 0.0, top + half, rx + 0.09, half, half.clamp(max=0.16))
    sdf = torch.minimum(cap, fall)
    canvas.paint(win, face.hair * 0.6, canvas.cover(sdf))
    canvas.paint(win, face.hair * 0.85, canvas.cover(sdf + 0.022))


def _draw_neck(canvas: _Canvas, face: _Face) -> None:
    """The neck, in shade under the chin."""
    win = canvas.window(-0.22, 0.22, 0.30, 1.0)
    sdf = _box(win[2], win[3], 0.0, 0.75, 0.15, 0.45, 0.05)
    canvas.paint(win, face.skin * 0.82, canvas.cover(sdf))


def _draw_ears(canvas: _Canvas, face: _Face) -> None:
    """Ears on both sides of the head; turning sticks one out and hides the other."""
    rx = _HEAD[2]
    for side in (-1.0, 1.0):
        win = canvas.window(*sorted((side * 0.30, side * 0.65)), -0.16, 0.08)
        x, y = win[2], win[3]
        # the ear on the side the face turns away from shows more (turn > 0: the left one)
        out = (0.065 - 0.085 * side * face.turn).clamp(min=-0.05)
        cx = side * (rx - 0.07 + out)
        sdf = _ellipse(x, y, cx, -0.04, 0.075, 0.11)
        canvas.paint(win, face.skin * 0.72, canvas.cover(sdf))
        canvas.paint(win, face.skin, canvas.cover(sdf + 0.025))
        inner = _ellipse(x, y, cx + side * 0.01, -0.04, 0.03, 0.055)
        canvas.paint(win, face.skin * 0.8, canvas.cover(inner) * 0.8)


def _draw_head(canvas: _Canvas, face: _Face) -> None:
    """The head: a slightly egg-shaped skin ellipse with a darker outline."""
    cx, cy, rx, ry = _HEAD
    win = canvas.window(-rx - 0.03, rx + 0.03, cy - ry - 0.03, cy + ry + 0.03)
    x, y = win[2], win[3]
    narrowing = 1.0 - 0.14 * ((y - cy) / ry).clamp(min=0) ** 2        # a narrower jaw
    sdf = _ellipse(x / narrowing, y, cx, cy, rx, ry)
    canvas.paint(win, face.skin * 0.70, canvas.cover(sdf))
    canvas.paint(win, face.skin, canvas.cover(sdf + 0.022))


def _draw_blush(canvas: _Canvas, face: _Face) -> None:
    """Rosy cheeks that rise and glow with the smile (faint for a frown)."""
    win = canvas.window(-0.45, 0.45, 0.0, 0.30)
    u, y = _turn(win[2], face), win[3]
    lift = 0.16 - 0.03 * face.smile.clamp(min=0)
    sdf = torch.minimum(_circle(u, y, -0.26, lift, 0.085), _circle(u, y, 0.26, lift, 0.085))
    canvas.paint(win, _rgb((0.95, 0.40, 0.42), face.skin.device), canvas.cover(sdf) * (0.30 + 0.25 * face.smile))


def _draw_wrinkles(canvas: _Canvas, face: _Face) -> None:
    """Age lines: two forehead lines, eye bags and nose-to-mouth folds, fading in with age."""
    colour, t = face.skin * 0.55, 0.030
    win = canvas.window(-0.40, 0.40, -0.40, -0.24)
    u, y = _turn(win[2], face), win[3]
    lines = torch.minimum(_arc(u, y, 0.0, -0.35, 0.17, 0.025, t), _arc(u, y, 0.0, -0.28, 0.14, 0.02, t))
    canvas.paint(win, colour, canvas.cover(lines) * face.wrinkles)
    win = canvas.window(-0.42, 0.42, 0.0, 0.30)
    u, y = _turn(win[2], face), win[3]
    lines = None
    for side in (-1.0, 1.0):
        bag = _arc(u, y, side * _EYE_X, _EYE_Y + 0.105, 0.065, -0.025, t)
        fold = _arc(y, u, 0.20, side * 0.155, 0.06, side * 0.04, t)    # a vertical arc
        both = torch.minimum(bag, fold)
        lines = both if lines is None else torch.minimum(lines, both)
    canvas.paint(win, colour, canvas.cover(lines) * face.wrinkles)


def _draw_eyebrows(canvas: _Canvas, face: _Face) -> None:
    """Arched eyebrows in a darker shade of the hair."""
    win = canvas.window(-0.40, 0.40, -0.26, -0.10)
    u, y = _turn(win[2], face), win[3]
    sdf = torch.minimum(_arc(u, y, -_EYE_X, -0.18, 0.085, 0.025, 0.045),
                        _arc(u, y, _EYE_X, -0.18, 0.085, 0.025, 0.045))
    canvas.paint(win, face.hair * 0.6, canvas.cover(sdf))


def _draw_eyes(canvas: _Canvas, face: _Face) -> None:
    """White eyes with dark pupils that look the way the head turns."""
    win = canvas.window(-0.40, 0.40, _EYE_Y - 0.10, _EYE_Y + 0.10)
    u, y = _turn(win[2], face), win[3]
    device = face.skin.device
    for side in (-1.0, 1.0):
        white = _ellipse(u, y, side * _EYE_X, _EYE_Y, 0.085, 0.07)
        canvas.paint(win, _rgb((0.98, 0.98, 0.97), device), canvas.cover(white))
        pupil = _circle(u, y, side * _EYE_X + 0.03 * face.turn, _EYE_Y + 0.005, 0.048)
        canvas.paint(win, _rgb(_INK, device), canvas.cover(torch.maximum(pupil, white)))


def _draw_nose(canvas: _Canvas, face: _Face) -> None:
    """A small nose that sticks out: it moves further than the face when the head turns."""
    win = canvas.window(-0.45, 0.45, 0.02, 0.22)
    x, y = win[2], win[3]
    tip = (_TURN_RADIUS + 0.06) * torch.sin(face.angle)
    shade = _ellipse(x, y, tip, 0.14, 0.06, 0.045)
    canvas.paint(win, face.skin * 0.80, canvas.cover(shade))
    light = _ellipse(x, y, tip - 0.012 - 0.01 * face.turn, 0.125, 0.03, 0.022)
    canvas.paint(win, face.skin * 1.05, canvas.cover(light) * 0.9)


def _draw_mouth(canvas: _Canvas, face: _Face) -> None:
    """The mouth: one thick stroke along a parabola, corners down (frown) to up (smile).

    The smile is a single continuous shape (no opening with teeth), with the cheeks' blush as its
    second, larger sign (`_draw_blush`): a small generator learns a factor drawn as one smooth
    change far better than one that switches from a closed to an open mouth half-way.
    """
    win = canvas.window(-0.46, 0.46, _MOUTH_Y - 0.20, _MOUTH_Y + 0.24)
    u, y = _turn(win[2], face), win[3]
    c = face.smile
    half = 0.21 + 0.04 * c.abs()
    centre = _MOUTH_Y + 0.06 * c                       # the middle of the mouth: lower for a smile
    lips = _arc(u, y, 0.0, centre, half, -0.17 * c, 0.075)   # ends 0.17 above the middle for a smile
    canvas.paint(win, _rgb(_INK, face.skin.device), canvas.cover(lips))


def _draw_glasses(canvas: _Canvas, face: _Face) -> None:
    """Round dark frames over the eyes, a bridge and temples to the sides of the head."""
    win = canvas.window(-0.50, 0.50, _EYE_Y - 0.20, _EYE_Y + 0.20)
    u, y = _turn(win[2], face), win[3]
    device = face.skin.device
    r, t = 0.135, 0.075
    rings = lenses = None
    for side in (-1.0, 1.0):
        ring = _circle(u, y, side * _EYE_X, _EYE_Y, r)
        temple = _segment(u, y, side * (_EYE_X + r), _EYE_Y - 0.02, side * 0.46, _EYE_Y - 0.05, t * 0.8)
        frame = torch.minimum(ring.abs() - 0.5 * t, temple)
        rings = frame if rings is None else torch.minimum(rings, frame)
        lenses = ring if lenses is None else torch.minimum(lenses, ring)
    bridge = _arc(u, y, 0.0, _EYE_Y - 0.02, _EYE_X - r + 0.01, 0.02, t * 0.8)
    rings = torch.minimum(rings, bridge)
    canvas.paint(win, _rgb((0.85, 0.92, 1.0), device), canvas.cover(lenses) * (0.18 * face.glasses))
    canvas.paint(win, _rgb(_FRAMES, device), canvas.cover(rings) * face.glasses)


def _draw_hair_front(canvas: _Canvas, face: _Face) -> None:
    """The fringe: hair over the top of the head, lower at the temples, turning with the head."""
    cx, cy, rx, ry = _HEAD
    win = canvas.window(-rx - 0.05, rx + 0.05, cy - ry - 0.05, 0.0)
    x, y = win[2], win[3]
    u = _turn(x, face)
    head = _ellipse(x, y, cx, cy - 0.012, rx + 0.012, ry + 0.012)
    edge = -0.40 + 0.035 * torch.cos(u * 16.0) + 0.27 * _ramp(u.abs(), 0.22, 0.46) ** 2
    fringe = torch.maximum(head, y - edge)
    canvas.paint(win, face.hair * 0.7, canvas.cover(fringe))
    canvas.paint(win, face.hair, canvas.cover(fringe + 0.02))
    shine = _arc(x, y, -0.12 + 0.3 * torch.sin(face.angle), -0.52, 0.12, 0.05, 0.035)
    canvas.paint(win, _rgb((1.0, 1.0, 1.0), face.skin.device), canvas.cover(torch.maximum(shine, fringe)) * 0.18)


_PARTS: tuple[Callable[[_Canvas, _Face], None], ...] = (     # back to front, after the background
    _draw_shirt, _draw_ears, _draw_hair_back, _draw_neck, _draw_head, _draw_blush, _draw_wrinkles,
    _draw_eyebrows, _draw_eyes, _draw_nose, _draw_mouth, _draw_glasses, _draw_hair_front)


# ----------------------------------------------------------------------------- public


def render_faces(factors: dict[str, torch.Tensor], size: int = FACE_SIZE) -> torch.Tensor:
    """Draw one face per row of factors: float32 (n, 3, size, size) in [0, 1].

    factors: name -> (n,) tensor for every name in FACE_FACTORS (extra keys are ignored);
        values outside [0, 1] are clamped to [0, 1]; eyeglasses is rounded to 0 or 1.
    Pure and deterministic (same factors -> same pixels), vectorized over the batch, on the
    device of the factors. Raises ValueError naming a missing or badly shaped factor.
    """
    if size < 8:
        raise ValueError(f"size must be >= 8, got {size}")
    f = _checked(factors)
    out = torch.empty(len(f["smile"]), 3, size, size, device=f["smile"].device)
    return _render_into(out, f)


def _render_into(out: torch.Tensor, f: dict[str, torch.Tensor]) -> torch.Tensor:
    """Draw the faces of the checked factors `f` into `out` (n, 3, S, S); return `out`."""
    face = _Face.of(f)
    canvas = _draw_background(face, out)
    for part in _PARTS:
        part(canvas, face)
    return out.clamp_(0.0, 1.0)


def make_faces(n: int, seed: int = 0, size: int = FACE_SIZE, device: torch.device | str | None = None) -> LabeledImages:
    """`n` faces drawn from ``sample_face_factors`` with ``torch.Generator().manual_seed(seed)``.

    Returns LabeledImages with images float32 (n, 3, size, size) in [0, 1], factors
    name -> float32 (n,) (keys in FACE_FACTORS order) and masks None, all on `device`
    (default CPU). Rendered in chunks (512 images at 64x64, 2048 at 32x32) to bound memory.
    n: an int >= 0; seed: an int in [0, 2**32 - 1]; size: an int >= 8 (else a clear error).
    """
    n, seed, size = check_count(n, "n"), check_seed(seed), check_count(size, "size", minimum=8)
    factors = sample_face_factors(n, torch.Generator().manual_seed(seed))
    factors = {k: v.to(device) for k, v in factors.items()} if device is not None else factors
    images = torch.empty(n, 3, size, size, device=device)
    chunk = max(1, _CHUNK_PIXELS // (size * size))
    with torch.no_grad():
        for start in range(0, n, chunk):
            _render_into(images[start:start + chunk], _checked({k: v[start:start + chunk] for k, v in factors.items()}))
    return LabeledImages(images, factors, None)


def face_gallery(batch: LabeledImages, n: int = 16, ncols: int = 8) -> "Figure":
    """A matplotlib Figure of the first `n` faces of `batch`, each captioned with its factors.

    Captions read e.g. "smile .8 glasses / age .3 yaw .6 hair .9" (two lines); dpi 72.
    """
    import matplotlib.pyplot as plt

    n = min(n, len(batch))
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.25 * ncols, 1.55 * nrows), dpi=72, squeeze=False)
    images = batch.images[:n].detach().float().cpu().clamp(0, 1).permute(0, 2, 3, 1).numpy()
    f = {k: v[:n].detach().float().cpu() for k, v in batch.factors.items()}
    short = lambda v: "1" if round(v, 1) >= 1 else f"{v:.1f}".lstrip("0")
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], interpolation="nearest")
        caption = f"smile {short(f['smile'][i].item())}"
        if "eyeglasses" in f and f["eyeglasses"][i] > 0.5:
            caption += " glasses"
        caption += (f"\nage {short(f['age'][i].item())} yaw {short(f['yaw'][i].item())}"
                    f" hair {short(f['hair_length'][i].item())}")
        ax.text(0.5, -0.03, caption, transform=ax.transAxes, ha="center", va="top", fontsize=7,
                linespacing=1.1)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.3 / nrows, wspace=0.08, hspace=0.45)
    return fig
