"""Any user image -> the (1, 3, 32, 32) tensor in [0, 1] the kit's generators draw.

    x = to_model_image("my_photo.jpg")          # a path, PIL image, numpy array, torch tensor or PNG/JPEG bytes

Accepted: any size (centre-cropped to a square, then resized with anti-aliasing); modes grey,
grey + alpha, RGB, RGBA, palette (transparent parts are laid over white); arrays (H, W),
(H, W, C) or (C, H, W) with C in {1, 3, 4}, or with a leading batch axis of 1; dtypes uint8
(0-255), uint16 (0-65535), bool, and floats in [0, 1]. Anything else -- wrong dimensions,
NaNs, floats in 0-255, a file that is not an image -- raises a ValueError (or TypeError) that
says what was expected.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

from gentut.data.procedural import MODEL_SIZE

__all__ = ["to_model_image", "image_to_array", "array_to_float", "square_resize"]

CHANNELS = (1, 2, 3, 4)          # grey, grey + alpha, RGB, RGBA


def to_model_image(image, size: int = MODEL_SIZE) -> torch.Tensor:
    """A user image (path, bytes, PIL image, numpy array or tensor) -> float32 (1, 3, size, size) in [0, 1]."""
    array = array_to_float(image_to_array(image))             # (H, W, C) float64 in [0, 1]
    return square_resize(drop_alpha(array), size)


def image_to_array(image) -> np.ndarray:
    """Read a path, bytes, PIL image, numpy array or tensor into a numpy array (H, W, C), any dtype."""
    if isinstance(image, (str, Path)):
        path = Path(image)
        if not path.is_file():
            raise FileNotFoundError(f"no image file at {path}")
        return image_to_array(open_image(path.read_bytes(), str(path)))
    if isinstance(image, (bytes, bytearray)):
        return image_to_array(open_image(bytes(image), "the given bytes"))
    if isinstance(image, Image.Image):
        if image.mode == "P":                                  # palettes may hide transparency
            image = image.convert("RGBA")
        elif image.mode not in ("L", "LA", "RGB", "RGBA", "I;16", "I", "F", "1"):
            image = image.convert("RGB")                       # CMYK, YCbCr, HSV, ...
        array = np.asarray(image)
        if image.mode == "I" and array.min() >= 0 and array.max() <= 65535:
            array = array.astype(np.uint16)                    # 16-bit PNGs often open as 32-bit "I"
        return channels_last(array)
    if isinstance(image, torch.Tensor):
        return channels_last(image.detach().cpu().numpy())
    if isinstance(image, np.ndarray):
        return channels_last(image)
    raise TypeError(f"cannot read an image from a {type(image).__name__}; pass a file path, PNG/JPEG bytes, "
                    "a PIL image, a numpy array or a torch tensor")


def open_image(data: bytes, name: str) -> Image.Image:
    """Decode image file bytes with PIL, or raise a ValueError naming `name`."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"{name} is not an image file PIL can read (PNG, JPEG, BMP, GIF, ...): {error}") from None
    return image


def channels_last(array: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, C), (C, H, W) or (1, ...) of those -> (H, W, C) with C in 1..4."""
    shape = array.shape
    if array.ndim == 4 and shape[0] == 1:
        array = array[0]
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"an image must have shape (H, W), (H, W, C) or (C, H, W) with C in {CHANNELS} "
                         f"(optionally with a leading batch axis of 1); got shape {shape}")
    if array.shape[2] not in CHANNELS and array.shape[0] in CHANNELS:
        array = array.transpose(1, 2, 0)                       # channels first -> last
    if array.shape[2] not in CHANNELS:
        raise ValueError(f"an image needs 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels; got shape {shape}")
    if min(array.shape[:2]) == 0:
        raise ValueError(f"the image is empty: shape {shape}")
    return array


def array_to_float(array: np.ndarray) -> np.ndarray:
    """Pixel values -> float64 in [0, 1]: uint8 / 255, uint16 / 65535, bool as 0/1, floats checked."""
    if array.dtype == np.bool_:
        return array.astype(np.float64)
    if array.dtype == np.uint8:
        return array / 255.0
    if array.dtype == np.uint16:
        return array / 65535.0
    if np.issubdtype(array.dtype, np.integer):
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > 255:
            raise ValueError(f"integer pixel values must lie in 0-255 (or use uint16); got {low}..{high}")
        return array / 255.0
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"pixel values must be numbers (uint8, uint16, bool or float); got dtype {array.dtype}")
    if not np.isfinite(array).all():
        raise ValueError(f"the image contains {int((~np.isfinite(array)).sum())} NaN or infinite values")
    low, high = float(array.min()), float(array.max())
    if low < 0 or high > 1:
        hint = " (it looks like 0-255: divide by 255)" if high <= 255 and low >= 0 else ""
        raise ValueError(f"float pixel values must lie in [0, 1]; got {low:.3g}..{high:.3g}{hint}")
    return array.astype(np.float64)


def drop_alpha(array: np.ndarray) -> np.ndarray:
    """(H, W, C) in [0, 1] -> RGB (H, W, 3): grey copied to 3 channels, transparency laid over white."""
    channels = array.shape[2]
    colour, alpha = (array[..., :-1], array[..., -1:]) if channels in (2, 4) else (array, None)
    if colour.shape[2] == 1:
        colour = np.repeat(colour, 3, axis=2)
    return colour if alpha is None else colour * alpha + (1 - alpha)


def square_resize(array: np.ndarray, size: int) -> torch.Tensor:
    """Centre-crop (H, W, 3) to a square and resize (anti-aliased) -> float32 (1, 3, size, size) in [0, 1]."""
    height, width = array.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = torch.from_numpy(np.ascontiguousarray(array[top:top + side, left:left + side])).float()
    square = square.permute(2, 0, 1)[None]                                       # (1, 3, side, side)
    if side != size:
        square = F.interpolate(square, size=(size, size), mode="bilinear", antialias=side > size, align_corners=False)
    return square.clamp(0, 1).contiguous()
