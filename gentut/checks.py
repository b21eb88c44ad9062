"""What users pass in, checked in one place before anything runs.

    device = check_device("cuda")          # a clear error when there is no GPU, with what there is
    seed = check_seed(seed)                # an int in [0, 2**32 - 1], what NumPy and torch both accept
    n = check_count(n, "n")                # a whole number >= 0 (or >= minimum)
    check_images(targets, "targets")       # (B, C, H, W), float, finite, values in [0, 1]

Every entry point of the kit (setup, zoo.load, the training CLI, the datasets, inversion,
restoration, translation, the encoder) calls these instead of letting a bad value travel into
torch or NumPy, where it fails deep inside -- or does not fail and returns garbage. Each error
names the argument, says what was given and what is expected, and what to do about it.
`GentutError` marks them, so the command-line tools print the message without a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import numbers

import torch

__all__ = ["GentutError", "InputError", "InputTypeError", "SEED_LIMIT", "RANGE_TOLERANCE", "available_devices",
           "check_device", "check_seed", "check_count", "positive_int_arg", "check_images", "range_message"]

SEED_LIMIT = 2 ** 32          # np.random.seed takes [0, 2**32 - 1]; torch.manual_seed takes more
RANGE_TOLERANCE = 1e-3        # rounding error allowed outside [0, 1] (e.g. luma weights summing to 1.0000001)
DEVICE_ALIASES = {"gpu": "cuda", "nvidia": "cuda", "cuda0": "cuda:0", "metal": "mps", "apple": "mps"}
COLAB_GPU = "On Colab: Runtime > Change runtime type > a GPU, then run the notebook again"


class GentutError(Exception):
    """An error about what the user asked for, whose message says what to do.

    The command-line tools (python -m gentut.train, ...) print these without a traceback.
    """


class InputError(GentutError, ValueError):
    """A value of the right kind but wrong: out of range, wrong shape, NaN, no such device."""


class InputTypeError(GentutError, TypeError):
    """A value of the wrong kind: a float where a count is needed, uint8 where floats are."""


# ----------------------------------------------------------------------------- devices

def available_devices() -> list[str]:
    """The devices torch can use here, e.g. ["cpu"] or ["cpu", "cuda:0", "cuda:1"]."""
    devices = ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0)]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    return devices


def check_device(device: torch.device | str | None, name: str = "device") -> torch.device:
    """The torch.device for `device` (None: CUDA when present, else the CPU), checked to exist here.

    "gpu" and other near misses suggest the right name; "cuda" without a GPU (or "cuda:3" with
    one) says which devices there are, and how to get a GPU on Colab.
    """
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if isinstance(device, str):
        try:
            chosen = torch.device(device)
        except RuntimeError:
            raise InputError(f"{name}={device!r} is not a device name{device_hint(device)} "
                             f"Available here: {', '.join(available_devices())} (or leave {name} unset: "
                             "CUDA when present, else the CPU)") from None
    elif isinstance(device, torch.device):
        chosen = device
    else:
        raise InputTypeError(f"{name} must be a string such as 'cpu' or 'cuda', a torch.device or None; "
                             f"got a {type(device).__name__}: {device!r}")
    return check_device_exists(chosen, name)


def device_hint(text: str) -> str:
    """'; did you mean 'cuda'?' for near misses such as "gpu", "GPU" or "cdua"; '.' otherwise."""
    lowered = text.strip().lower()
    guess = DEVICE_ALIASES.get(lowered, lowered if lowered in ("cpu", "cuda", "mps") else None)
    if guess is None:
        guess = next(iter(difflib.get_close_matches(lowered, ["cpu", "cuda", "mps"], n=1)), None)
    return f"; did you mean {guess!r}?" if guess else "."


def check_device_exists(device: torch.device, name: str) -> torch.device:
    """`device` unchanged if torch can use it here, else an InputError listing what is available."""
    available = available_devices()
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise InputError(f"{name}={str(device)!r}, but this torch cannot use a GPU here "
                             f"({'no CUDA GPU found' if torch.version.cuda else 'it was built without CUDA'}). "
                             f"Available here: {', '.join(available)}. Pass {name}='cpu' or leave it unset "
                             f"(the kit then picks CUDA when present). {COLAB_GPU}.")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise InputError(f"{name}={str(device)!r}, but there are only {torch.cuda.device_count()} GPU(s): "
                             f"available here: {', '.join(available)}")
    elif device.type == "mps" and "mps" not in available:
        raise InputError(f"{name}='mps' needs an Apple-silicon Mac with a torch built for it. "
                         f"Available here: {', '.join(available)}")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise InputError(f"{name}={str(device)!r}: the kit runs on cpu, cuda or mps. "
                         f"Available here: {', '.join(available)}")
    return device


# ----------------------------------------------------------------------------- numbers

def check_seed(seed, name: str = "seed") -> int:
    """`seed` as an int in [0, 2**32 - 1]: the range np.random.seed accepts (torch accepts it too)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InputTypeError(f"{name} must be an int in [0, 2**32 - 1]; got {type(seed).__name__} {seed!r}"
                             + (f". Use int({name})" if isinstance(seed, float) and seed.is_integer() else ""))
    seed = int(seed)
    if not 0 <= seed < SEED_LIMIT:
        raise InputError(f"{name} must lie in [0, 2**32 - 1] = [0, {SEED_LIMIT - 1}], the range NumPy's "
                         f"np.random.seed accepts (torch.manual_seed takes it too); got {seed}. "
                         f"Any number in that range works, e.g. {seed % SEED_LIMIT} ({name} % 2**32)")
    return seed


def check_count(value, name: str, minimum: int = 0) -> int:
    """`value` as an int >= minimum (a number of images, steps, ...); bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        hint = f"; use int({name}) if you meant {int(value)}" if isinstance(value, float) and value.is_integer() else ""
        raise InputTypeError(f"{name} must be a whole number (int) >= {minimum}; got {type(value).__name__} "
                             f"{value!r}{hint}")
    if value < minimum:
        raise InputError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def positive_int_arg(text: str) -> int:
    """argparse type for counts such as --steps: an int >= 1, else argparse's own error message."""
    try:
        return check_count(int(text), "the value", minimum=1)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"must be a positive whole number (1, 2, ...); got {text!r}") from None


# ----------------------------------------------------------------------------- images

def range_message(subject: str, low: float, high: float) -> str:
    """'<subject> must lie in [0, 1]; got low..high' plus a hint when the values look 0-255 or [-1, 1]."""
    hint = ""
    if 1 < high <= 255 and low >= 0:
        hint = " (it looks like 0-255: divide by 255)"
    elif -1 <= low < 0 and high <= 1:
        hint = " (it looks like [-1, 1]: map it with (x + 1) / 2)"
    return f"{subject} must lie in [0, 1]; got {low:.3g}..{high:.3g}{hint}"


def check_images(images, name: str = "images", *, channels: tuple[int, ...] | None = None,
                 like: torch.Tensor | None = None) -> torch.Tensor:
    """`images` unchanged if it is a batch (B, C, H, W) of floats in [0, 1] without NaN, else a clear error.

    channels: the allowed C (default: any); like: a tensor of the model (e.g. a weight) whose
    dtype and device the images must share. uint8 and bool images are refused with the explicit
    conversion to use (`x.float() / 255`, `x.float()`); so are other dtypes and 0-255 floats.
    Files, PIL images and arrays of any size go through gentut.invert.images.to_model_image first.
    """
    if not isinstance(images, torch.Tensor):
        raise InputTypeError(f"{name} must be a torch tensor (B, C, H, W) with values in [0, 1]; got a "
                             f"{type(images).__name__}. Convert files, PIL images and arrays with "
                             "gentut.invert.images.to_model_image")
    check_image_dtype(images, name, like)
    if images.dim() != 4 or (channels is not None and images.shape[1] not in channels):
        c = "C" if channels is None else " or ".join(map(str, channels))
        hint = f"; add the batch axis with {name}[None]" if images.dim() == 3 else ""
        raise InputError(f"{name} must have shape (B, {c}, H, W); got {tuple(images.shape)}{hint}")
    if images.numel() == 0:
        raise InputError(f"{name} is empty: shape {tuple(images.shape)}")
    if like is not None and images.device != like.device:
        raise InputError(f"{name} is on {images.device} but the model is on {like.device}: "
                         f"pass {name}.to({str(like.device)!r})")
    low, high = (v.item() for v in torch.aminmax(images.detach()))
    if not (low >= -RANGE_TOLERANCE and high <= 1 + RANGE_TOLERANCE):            # also False for NaN
        bad = int((~torch.isfinite(images)).sum())
        raise InputError(f"{bad} of the {images.numel()} values of {name} are NaN or infinite" if bad
                         else range_message(f"the values of {name}", low, high))
    return images


def check_image_dtype(images: torch.Tensor, name: str, like: torch.Tensor | None) -> None:
    """Raise InputTypeError unless `images` holds floats (of `like`'s dtype, when given)."""
    dtype = images.dtype
    if dtype == torch.uint8:
        raise InputTypeError(f"{name} has dtype uint8 (0-255), but the kit's models take floats in [0, 1]: "
                             f"pass {name}.float() / 255")
    if dtype == torch.bool:
        raise InputTypeError(f"{name} has dtype bool; pass {name}.float() (True -> 1.0, False -> 0.0)")
    if not dtype.is_floating_point:
        raise InputTypeError(f"{name} has dtype {dtype}; images are float tensors with values in [0, 1] "
                             f"(for 0-255 integers: {name}.float() / 255)")
    if like is not None and dtype != like.dtype:
        raise InputTypeError(f"{name} has dtype {dtype}, but the model computes in {like.dtype}: "
                             f"pass {name}.to({like.dtype})")
