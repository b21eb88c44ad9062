"""gentut.invert.images: every kind of user image becomes (1, 3, 32, 32) in [0, 1], or a clear error."""

import io
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from gentut.invert.images import to_model_image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return buffer.getvalue()


def red_square(size=64) -> np.ndarray:
    array = np.zeros((size, size, 3), np.uint8)
    array[..., 0] = 255
    return array


@pytest.mark.parametrize("make", [
    lambda: red_square(),                                            # numpy uint8 (H, W, 3)
    lambda: red_square().transpose(2, 0, 1).astype(np.float32) / 255,  # float (C, H, W)
    lambda: torch.from_numpy(red_square()).permute(2, 0, 1)[None].float() / 255,   # tensor (1, 3, H, W)
    lambda: Image.fromarray(red_square()),                           # PIL RGB
    lambda: png_bytes(Image.fromarray(red_square())),                # file bytes
    lambda: (red_square().astype(np.uint16) * 257),                  # 16-bit
])
def test_every_container_gives_the_same_red_image(make):
    x = to_model_image(make())
    assert x.shape == (1, 3, 32, 32) and x.dtype == torch.float32
    assert torch.allclose(x[0, 0], torch.ones(32, 32)) and x[0, 1:].abs().max() < 1e-6


def test_path_grey_and_rgba(tmp_path):
    grey = np.full((40, 40), 128, np.uint8)
    path = tmp_path / "grey.png"
    Image.fromarray(grey).save(path)
    x = to_model_image(path)
    assert torch.allclose(x, torch.full((1, 3, 32, 32), 128 / 255), atol=1e-6)      # grey -> 3 equal channels
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 2] = 255                                   # blue ...
    rgba[:, :16, 3] = 255                                # ... opaque on the left, transparent on the right
    x = to_model_image(Image.fromarray(rgba, "RGBA"))
    assert torch.allclose(x[0, :, :, :16], torch.tensor([0.0, 0, 1])[:, None, None].expand(3, 32, 16))
    assert torch.allclose(x[0, :, :, 16:], torch.ones(3, 32, 16))                    # transparent -> white


def test_non_square_is_centre_cropped_and_resized():
    array = np.zeros((60, 100), np.uint8)
    array[:, :20] = 255                                  # a white band that the centre crop removes
    array[:, 80:] = 255
    x = to_model_image(array)
    assert x.shape == (1, 3, 32, 32) and x.max() == 0
    small = to_model_image(np.ones((8, 8, 3), np.float32))           # upsampled, still all ones
    assert torch.allclose(small, torch.ones(1, 3, 32, 32))


@pytest.mark.parametrize("bad, message", [
    (np.zeros(10), "shape"),
    (np.zeros((2, 3, 8, 8)), "shape"),
    (np.zeros((8, 8, 5)), "channels"),
    (np.zeros((0, 8, 3)), "empty"),
    (np.full((8, 8, 3), np.nan), "NaN"),
    (np.full((8, 8, 3), 200.0), "divide by 255"),
    (np.full((8, 8), -3), "0-255"),
    (b"not an image at all", "not an image file"),
])
def test_bad_input_says_what_is_wrong(bad, message):
    with pytest.raises(ValueError, match=message):
        to_model_image(bad)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(FileNotFoundError, match="no image file"):
        to_model_image(tmp_path / "nothing.png")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="not an image file"):
        to_model_image(tmp_path / "notes.txt")
    with pytest.raises(TypeError, match="file path"):
        to_model_image([[0, 1], [1, 0]])


# ----------------------------------------------------------------------------- issue 14

def jpeg_bytes(array: np.ndarray, **save_args) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="jpeg", quality=95, **save_args)
    return buffer.getvalue()


def test_exif_orientation_is_applied():
    landscape = np.zeros((40, 60, 3), np.uint8)
    landscape[:, :30] = 255                                   # white on the left as stored ...
    exif = Image.Exif()
    exif[0x0112] = 6                                          # ... shown rotated 90 degrees clockwise: white on top
    x = to_model_image(jpeg_bytes(landscape, exif=exif))
    assert x[0, :, :12].mean() > 0.95 and x[0, :, 20:].mean() < 0.05


MEASURE = """
import resource, sys
from gentut.invert.images import to_model_image
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
x = to_model_image(sys.argv[1])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert x.shape == (1, 3, 32, 32) and abs(x[0, :, :, 0].mean().item()) < 0.1 and x[0, :, :, -1].mean() > 0.9
print((after - before) / 1024)                              # ru_maxrss is in KiB on Linux
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss units differ elsewhere")
def test_a_10000_pixel_jpeg_loads_in_bounded_memory(tmp_path):
    """Before: 3.4 GB of float64 for the full image. Now: decoded at 1/8 scale, then box-reduced."""
    path = tmp_path / "huge.jpg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        Image.linear_gradient("L").rotate(90).resize((10000, 10000)).convert("RGB").save(path, quality=90)
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    growth_mb = float(out.stdout.split()[-1])
    assert growth_mb < 100, f"loading took {growth_mb:.0f} MB above the imports"


def test_decompression_bombs_are_a_clear_error_and_big_images_below_the_limit_load(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)       # PIL errors above 2000 pixels, warns above 1000
    with pytest.raises(ValueError, match="too large to open safely.*MAX_IMAGE_PIXELS"):
        to_model_image(png_bytes(Image.fromarray(red_square(64))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")                         # a warning would fail here
        assert to_model_image(png_bytes(Image.fromarray(red_square(40)))).shape == (1, 3, 32, 32)


def test_big_images_are_reduced_before_conversion_to_the_same_result():
    array = np.zeros((1000, 1500, 3), np.uint8)
    array[:, 250:750] = (255, 128, 0)                          # an orange band on the left of the centred square
    array[::7, :, 2] = 200                                     # and fine stripes the resize must average
    reference = F.interpolate(torch.from_numpy(array[:, 250:1250] / 255.0).float().permute(2, 0, 1)[None],
                              size=(32, 32), mode="bilinear", antialias=True, align_corners=False)
    for image in (array, Image.fromarray(array), png_bytes(Image.fromarray(array))):
        assert torch.allclose(to_model_image(image), reference, atol=0.01)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_precision_tensors_are_converted_explicitly(dtype):
    x = torch.rand(3, 32, 32)
    assert torch.allclose(to_model_image(x.to(dtype)), to_model_image(x.to(dtype).float()))


@pytest.mark.parametrize("bad", [np.zeros((8, 8, 3), complex), np.zeros((8, 8, 3), object),
                                 torch.zeros(3, 8, 8, dtype=torch.complex64)])
def test_complex_and_object_pixels_are_refused(bad):
    with pytest.raises(TypeError, match="pixel values must be"):
        to_model_image(bad)


@pytest.mark.parametrize("mask", [np.eye(32, dtype=np.uint8), torch.eye(32, dtype=torch.uint8),
                                  Image.fromarray(np.eye(32, dtype=np.uint8))])
def test_a_uint8_mask_of_0_and_1_is_refused_not_turned_black(mask):
    with pytest.raises(ValueError, match="holds only 0 and 1: a mask.*astype\\(bool\\)"):
        to_model_image(mask)


def test_masks_as_bool_or_float_are_white_where_1():
    mask = np.zeros((32, 32), bool)
    mask[:, 16:] = True
    for image in (mask, mask.astype(np.float32)):
        x = to_model_image(image)
        assert x[..., 16:].min() == 1 and x[..., :16].max() == 0


@pytest.mark.parametrize("shape, message", [((2, 64, 64), "leading 2"), ((3, 32, 4), "ambiguous"),
                                            ((4, 8, 3), "ambiguous"), ((1, 2, 64, 64), "leading 2")])
def test_ambiguous_layouts_are_refused(shape, message):
    with pytest.raises(ValueError, match=message):
        to_model_image(np.random.default_rng(0).random(shape))


def test_unambiguous_layouts_still_read():
    grey_alpha = np.zeros((64, 64, 2), np.uint8)
    grey_alpha[..., 1] = 255
    assert torch.equal(to_model_image(grey_alpha), torch.zeros(1, 3, 32, 32))
    for shape in [(3, 64, 64), (64, 64, 3), (4, 64, 64), (1, 64, 64), (64, 64, 1)]:
        assert to_model_image(np.ones(shape, np.float32)).shape == (1, 3, 32, 32)
