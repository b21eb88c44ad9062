"""Any user image -> the (1, 3, 32, 32) tensor in [0, 1] the kit's generators draw.

    x = to_model_image("my_photo.jpg")          # a path, PIL image, numpy array, torch tensor or PNG/JPEG bytes

Accepted: any size (centre-cropped to a square, then resized with anti-aliasing); modes grey,
grey + alpha, RGB, RGBA, palette, CMYK, 16-bit (transparent parts are laid over white); files
are turned upright by their EXIF orientation, as photo viewers show them. Arrays and tensors:
(H, W), (H, W, C) with C in 1-4, or (C, H, W) with C in {1, 3, 4}, optionally with a leading
batch axis of 1; a shape that reads both ways, such as (3, 32, 4), is refused rather than
guessed. dtypes: uint8 (0-255), uint16 (0-65535), bool, floats in [0, 1] (float16 and bfloat16
tensors are converted to float32 first).

Refused with an error that says what to do: wrong dimensions, NaNs, floats in 0-255, complex
or object arrays, a file that is not an image, an image over PIL's decompression-bomb limit
(2 x Image.MAX_IMAGE_PIXELS, about 179 million pixels) -- and an integer image holding only 0
and 1, which is a mask, not a picture (as 0-255 it would come out black): pass it as bool or float.

Memory stays bounded: a JPEG is decoded at 1/2, 1/4 or 1/8 scale (`Image.draft`) and every
image is box-reduced to a few times the target size (`Image.reduce`, or block means for
arrays) before any float copy is made. A 10000 x 10000 JPEG loads in under 10 MB above the
imports, in 0.1 s (full-size float64 took 3.4 GB and 14 s); other formats cost their decoded
8-bit size (a 10000 x 10000 grey PNG: 96 MB).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, UnidentifiedImageError

from gentut.checks import InputError, InputTypeError, range_message
from gentut.data.procedural import MODEL_SIZE

__all__ = ["to_model_image", "image_to_array", "array_to_float", "square_resize"]

CHANNELS = (1, 2, 3, 4)          # grey, grey + alpha, RGB, RGBA (channels last)
CHANNELS_FIRST = (1, 3, 4)       # a leading 2 is more likely two images than grey + alpha
REDUCE_TO = 4                    # big images are box-reduced to at least REDUCE_TO x size before resizing
ORIENTATION = 0x0112             # the EXIF tag photo viewers turn images by
PIL_MODES = ("L", "LA", "RGB", "RGBA", "I", "F")       # what Image.reduce and the code below take


def to_model_image(image, size: int = MODEL_SIZE) -> torch.Tensor:
    """A user image (path, bytes, PIL image, numpy array or tensor) -> float32 (1, 3, size, size) in [0, 1]."""
    array = image_to_array(image, size * REDUCE_TO)           # (H, W, C), any accepted dtype, checked
    scale = pixel_scale(array)
    array = reduce_array(crop_square(array), size * REDUCE_TO) / scale     # float64, side <= 2 * REDUCE_TO * size
    return square_resize(drop_alpha(array), size)


def image_to_array(image, min_side: int | None = None) -> np.ndarray:
    """Read a path, bytes, PIL image, numpy array or tensor into a numpy array (H, W, C), any dtype.

    Files and PIL images are turned upright (EXIF) and, given `min_side`, decoded and reduced
    to a shorter side of at least min_side (at most twice that) to bound memory.
    """
    if isinstance(image, (str, Path)):
        path = Path(image)
        if not path.is_file():
            raise FileNotFoundError(f"no image file at {path}")
        return pil_to_array(open_image(path, str(path), min_side), min_side)
    if isinstance(image, (bytes, bytearray)):
        return pil_to_array(open_image(io.BytesIO(bytes(image)), "the given bytes", min_side), min_side)
    if isinstance(image, Image.Image):
        return pil_to_array(image, min_side)
    if isinstance(image, torch.Tensor):
        return channels_last(tensor_to_numpy(image))
    if isinstance(image, np.ndarray):
        return channels_last(image)
    raise TypeError(f"cannot read an image from a {type(image).__name__}; pass a file path, PNG/JPEG bytes, "
                    "a PIL image, a numpy array or a torch tensor")


def open_image(source, name: str, min_side: int | None = None) -> Image.Image:
    """Decode an image file (path or file object) with PIL, a JPEG at the smallest scale whose
    shorter side is still >= min_side; a ValueError naming `name` if it is not an image or too big."""
    try:
        with warnings.catch_warnings():
            # Between Image.MAX_IMAGE_PIXELS and twice that PIL only warns: such images load here
            # in bounded memory (draft + reduce). Above twice that it raises, handled below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source)
            if min_side is not None and image.format == "JPEG":
                image.draft(None, (min_side, min_side))       # DCT scaling 1/2, 1/4, 1/8 while decoding
            image.load()
    except Image.DecompressionBombError as error:
        raise InputError(f"{name} is too large to open safely ({error}). PIL refuses images over twice "
                         "Image.MAX_IMAGE_PIXELS as possible decompression bombs; shrink it first (any image "
                         "editor), or, if you trust the file, raise PIL.Image.MAX_IMAGE_PIXELS") from None
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"{name} is not an image file PIL can read (PNG, JPEG, BMP, GIF, ...): {error}") from None
    return image


def pil_to_array(image: Image.Image, min_side: int | None = None) -> np.ndarray:
    """A PIL image, upright (EXIF orientation), reduced to a shorter side >= min_side -> (H, W, C) array."""
    if image.getexif().get(ORIENTATION, 1) != 1:
        image = ImageOps.exif_transpose(image)                 # e.g. a phone photo taken in portrait
    if image.mode == "P":                                      # palettes may hide transparency
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode.startswith("I;16"):
        image = image.convert("I")
    elif image.mode not in PIL_MODES:
        image = image.convert("RGB")                           # CMYK, YCbCr, HSV, ...
    factor = min(image.size) // min_side if min_side else 1
    if factor >= 2:                                            # box filter over the centred square, no copy first
        image = image.reduce(factor, box=centred_square_box(image.size, factor))
    array = np.asarray(image)
    if image.mode == "I" and array.min() >= 0 and array.max() <= 65535:
        array = array.astype(np.uint16)                        # 16-bit PNGs open as 32-bit "I"
    return array[:, :, None] if array.ndim == 2 else array


def centred_square_box(size: tuple[int, int], factor: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the centred square of an image of `size` (width, height),
    trimmed evenly to a multiple of `factor`: the region `crop_square` + `reduce_array` would use."""
    width, height = size
    side = min(width, height) // factor * factor
    left, top = (width - side) // 2, (height - side) // 2
    return left, top, left + side, top + side


def tensor_to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A tensor's values as a numpy array; float16 / bfloat16 become float32 (NumPy has no bfloat16)."""
    tensor = tensor.detach().cpu()
    if tensor.is_complex():
        raise InputTypeError(f"pixel values must be real numbers; got a {tensor.dtype} tensor")
    if tensor.dtype in (torch.float16, torch.bfloat16):
        tensor = tensor.float()                                # explicit: every half value is exact in float32
    return tensor.numpy()


def channels_last(array: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, C), (C, H, W) or (1, ...) of those -> (H, W, C) with C in 1..4.

    A 3-D shape that reads both ways -- channels first and channels last, such as (3, 32, 4) --
    is refused, as is a leading axis of 2 (two images? grey + alpha goes last: (H, W, 2)).
    """
    shape = array.shape
    if array.ndim == 4 and shape[0] == 1:
        array = array[0]
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"an image must have shape (H, W), (H, W, C) or (C, H, W) with C in {CHANNELS} for "
                         f"(H, W, C) and {CHANNELS_FIRST} for (C, H, W), optionally with a leading batch axis of 1; "
                         f"got shape {shape}")
    last, first = array.shape[2] in CHANNELS, array.shape[0] in CHANNELS_FIRST
    if last and first:
        c, h, w = array.shape
        raise InputError(f"an image of shape {shape} is ambiguous: channels first ({c} channels of {h} x {w}) or "
                         f"channels last ({c} x {h} pixels of {w} channels). Pass it unambiguously: "
                         f"Image.fromarray(array) for (H, W, C), Image.fromarray(array.transpose(1, 2, 0)) for (C, H, W)")
    if first:
        array = array.transpose(1, 2, 0)                       # channels first -> last
    elif not last:
        hint = (" A leading 2 is refused: two images? Pass one at a time; grey + alpha goes last, (H, W, 2)."
                if array.shape[0] == 2 else "")
        raise ValueError(f"an image needs 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels, last "
                         f"(H, W, C), or first (C, H, W) with C in {CHANNELS_FIRST}; got shape {shape}.{hint}")
    if min(array.shape[:2]) == 0:
        raise ValueError(f"the image is empty: shape {shape}")
    return array


def pixel_scale(array: np.ndarray) -> float:
    """What pixel values are divided by to lie in [0, 1] -- 255 (uint8 and other integers in 0-255),
    65535 (uint16), 1 (bool, floats) -- after checking them; no copy of the image is made."""
    if array.dtype == np.bool_:
        return 1.0
    if np.issubdtype(array.dtype, np.integer):
        low, high = int(array.min()), int(array.max())
        if high == 1 and low >= 0:
            raise InputError(f"this {array.dtype} image holds only 0 and 1: a mask, not a picture (as 0-255 it would "
                             "be black). Pass a mask as bool (mask.astype(bool)) or float (mask.astype(np.float32)), "
                             "where 1 is white; a picture this dark as floats in [0, 1] (array / 255)")
        if array.dtype == np.uint16:
            return 65535.0
        if low < 0 or high > 255:
            raise ValueError(f"integer pixel values must lie in 0-255 (or use uint16); got {low}..{high}")
        return 255.0
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"pixel values must be numbers (uint8, uint16, bool or float); got dtype {array.dtype}")
    low, high = float(np.min(array)), float(np.max(array))       # NaN propagates through both
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"the image contains {int((~np.isfinite(array)).sum())} NaN or infinite values")
    if low < 0 or high > 1:
        raise ValueError(range_message("float pixel values", low, high))
    return 1.0


def array_to_float(array: np.ndarray) -> np.ndarray:
    """Pixel values -> float64 in [0, 1]: uint8 / 255, uint16 / 65535, bool as 0/1, floats checked."""
    return array / pixel_scale(array)


def crop_square(array: np.ndarray) -> np.ndarray:
    """The centred square of (H, W, C): a view, no copy."""
    height, width = array.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return array[top:top + side, left:left + side]


def reduce_array(array: np.ndarray, min_side: int) -> np.ndarray:
    """Box-reduce (S, S, C) by the largest integer factor that keeps S >= min_side: float64 block means
    (S // f, S // f, C). Only the reduced image is ever float: the means accumulate block by block."""
    factor = array.shape[0] // min_side
    if factor < 2:
        return array.astype(np.float64)
    side = array.shape[0] // factor
    start = (array.shape[0] - side * factor) // 2                  # drop the remainder evenly on both sides
    kept = array[start:start + side * factor, start:start + side * factor]
    blocks = kept.reshape(side, factor, side, factor, array.shape[2])
    return blocks.mean(axis=(1, 3), dtype=np.float64)


def drop_alpha(array: np.ndarray) -> np.ndarray:
    """(H, W, C) in [0, 1] -> RGB (H, W, 3): grey copied to 3 channels, transparency laid over white."""
    channels = array.shape[2]
    colour, alpha = (array[..., :-1], array[..., -1:]) if channels in (2, 4) else (array, None)
    if colour.shape[2] == 1:
        colour = np.repeat(colour, 3, axis=2)
    return colour if alpha is None else colour * alpha + (1 - alpha)


def square_resize(array: np.ndarray, size: int) -> torch.Tensor:
    """Centre-crop (H, W, 3) to a square and resize (anti-aliased) -> float32 (1, 3, size, size) in [0, 1]."""
    square = torch.from_numpy(np.ascontiguousarray(crop_square(array))).float()
    side = square.shape[0]
    square = square.permute(2, 0, 1)[None]                                       # (1, 3, side, side)
    if side != size:
        square = F.interpolate(square, size=(size, size), mode="bilinear", antialias=side > size, align_corners=False)
    return square.clamp(0, 1).contiguous()
