"""gentut.invert.images: every kind of user image becomes (1, 3, 32, 32) in [0, 1], or a clear error."""

import io

import numpy as np
import pytest
import torch
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
