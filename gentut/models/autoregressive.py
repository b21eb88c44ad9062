"""Autoregressive models: p(x) = p(x_1) p(x_2 | x_1) ... p(x_D | x_1, ..., x_{D-1})  (seed 003).

Every image model here maps a batch of binary images x, shape (B, 1, H, W), to the logits of
its conditionals, one per pixel in raster order (left to right, top to bottom):

    model(x)[b, i] = log-odds of p(x_i = 1 | x_<i)          shape (B, D), D = H * W

Logit i may look only at pixels before i; `tests/test_autoregressive.py` checks that with
gradients. That single property gives both the pro and the con the lecture lists: one forward
pass scores a whole image (easy likelihood), but drawing an image takes D passes, one pixel at a
time (sequential generation) -- see `nll` and `sample` at the bottom of this file.

The models, simplest first:
    IndependentBernoulli  no dependence at all (the baseline the chain rule improves on)
    FVSBN                 a logistic regression per pixel on the pixels before it
    NADE                  one hidden layer per pixel, its weights shared across pixels
    PixelCNN              masked convolutions (Oord et al. 2016)
and CharRNN, a character-level recurrent network for the lecture's "hello" example.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.losses import bernoulli_nll

__all__ = [
    "IndependentBernoulli", "FVSBN", "NADE", "causal_mask", "MaskedConv2d", "PixelCNN",
    "CharRNN", "char_rnn_loss", "nll", "sample", "dependency_map", "DIGIT_RECIPES", "digit_models",
]


class IndependentBernoulli(nn.Module):
    """p(x) = prod_i Bernoulli(x_i; sigmoid(b_i)): each pixel on its own, ignoring the others."""

    def __init__(self, n_pixels: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(n_pixels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> logits (B, D); the same for every image."""
        return self.bias.expand(x.shape[0], -1)


class FVSBN(nn.Module):
    """Fully visible sigmoid belief network: logit_i = a_0^i + sum_{j<i} a_j^i x_j.

    One logistic regression per pixel; a strictly lower-triangular mask on the weight
    matrix makes pixel i see only pixels 1..i-1. D(D+1)/2 useful parameters.
    """

    def __init__(self, n_pixels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(n_pixels, n_pixels))
        self.bias = nn.Parameter(torch.zeros(n_pixels))
        self.register_buffer("mask", torch.tril(torch.ones(n_pixels, n_pixels), diagonal=-1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> logits (B, D)."""
        return F.linear(x.flatten(1), self.weight * self.mask, self.bias)


class NADE(nn.Module):
    """Neural autoregressive density estimator (Larochelle & Murray 2011).

        h_i     = sigmoid(c + W[:, <i] x_<i)        hidden layer of pixel i, shape (n_hidden,)
        logit_i = b_i + V_i . h_i

    W and c are shared by all pixels, so NADE has O(D * n_hidden) parameters instead of
    FVSBN's O(D^2), and the pre-activations of pixel i+1 are those of pixel i plus W[:, i] x_i:
    a cumulative sum computes all D hidden layers in one pass.
    """

    def __init__(self, n_pixels: int, n_hidden: int = 64):
        super().__init__()
        self.W = nn.Parameter(torch.randn(n_hidden, n_pixels) * 0.05)
        self.c = nn.Parameter(torch.zeros(n_hidden))
        self.V = nn.Parameter(torch.randn(n_pixels, n_hidden) * 0.05)
        self.b = nn.Parameter(torch.zeros(n_pixels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> logits (B, D)."""
        x = x.flatten(1)                                   # (B, D)
        terms = x[:, :, None] * self.W.T[None]             # (B, D, n_hidden): x_j W[:, j]
        before = torch.cumsum(terms, dim=1) - terms        # (B, D, n_hidden): sum over j < i
        h = torch.sigmoid(self.c + before)                 # (B, D, n_hidden)
        return (h * self.V).sum(-1) + self.b               # (B, D)

    def logit_at(self, x: torch.Tensor, i: int) -> torch.Tensor:
        """The logit of pixel i alone: (B, 1, H, W) -> (B,). `sample` uses it to avoid
        computing all D hidden layers for every pixel it draws."""
        h = torch.sigmoid(self.c + x.flatten(1)[:, :i] @ self.W[:, :i].T)   # (B, n_hidden)
        return h @ self.V[i] + self.b[i]


def causal_mask(kernel_size: int, mask_type: str) -> torch.Tensor:
    """The (k, k) 0/1 mask of a PixelCNN kernel: 1 on the pixels above the centre and left of it.

    Type "A" (first layer) hides the centre pixel too, so the output at i never sees x_i;
    type "B" (later layers) keeps the centre, which by then holds features of pixels < i only.
    """
    if mask_type not in ("A", "B"):
        raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}")
    mask = torch.ones(kernel_size, kernel_size)
    centre = kernel_size // 2
    mask[centre, centre + (mask_type == "B"):] = 0      # the centre row, from the centre (A) or after it (B)
    mask[centre + 1:] = 0                               # every row below the centre
    return mask


class MaskedConv2d(nn.Conv2d):
    """A same-size convolution whose kernel is multiplied by `causal_mask` on every call."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, mask_type: str):
        super().__init__(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.register_buffer("mask", causal_mask(kernel_size, mask_type))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C_in, H, W) -> (B, C_out, H, W)."""
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class PixelCNN(nn.Module):
    """A small PixelCNN for binary images: one type-A masked convolution, then type-B ones.

    Its receptive field grows with depth but, with these plain masks, never covers the pixels
    up and to the right of a growing "blind spot" -- notebook 01 draws it.
    """

    def __init__(self, channels: int = 32, n_layers: int = 4, first_kernel: int = 5, kernel: int = 3):
        super().__init__()
        layers: list[nn.Module] = [MaskedConv2d(1, channels, first_kernel, "A"), nn.ReLU()]
        for _ in range(n_layers):
            layers += [MaskedConv2d(channels, channels, kernel, "B"), nn.ReLU()]
        layers += [nn.Conv2d(channels, 1, kernel_size=1)]   # 1x1: mixes channels, keeps causality
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> logits (B, D)."""
        return self.net(2 * x - 1).flatten(1)   # inputs in {-1, 1}, so zero padding means "outside"


class CharRNN(nn.Module):
    """A character-level RNN (seed 003, after Karpathy's char-rnn).

        h_t = tanh(W_hh h_{t-1} + W_xh x_t)        x_t one-hot, shape (V,)
        o_t = W_hy h_t;   p(x_{t+1} | x_<=t) = softmax(o_t)

    `vocab` is a string of distinct characters; by the kit's convention "^" starts and "$"
    ends a word, so p("hello") = p(h | ^) p(e | ^h) ... p($ | ^hello).
    """

    def __init__(self, vocab: str, hidden_size: int = 32):
        super().__init__()
        if len(set(vocab)) != len(vocab):
            raise ValueError(f"vocab has repeated characters: {vocab!r}")
        self.vocab = vocab
        self.rnn = nn.RNN(len(vocab), hidden_size, nonlinearity="tanh", batch_first=True)
        self.head = nn.Linear(hidden_size, len(vocab))

    def encode(self, text: str) -> torch.Tensor:
        """str of length T -> int64 tensor (T,) of vocabulary indices."""
        unknown = sorted(set(text) - set(self.vocab))
        if unknown:
            raise ValueError(f"characters {unknown} are not in the vocabulary {self.vocab!r}")
        return torch.tensor([self.vocab.index(ch) for ch in text])

    def forward(self, idx: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """idx (B, T) -> (logits (B, T, V) of the next character at each step, last hidden state)."""
        x = F.one_hot(idx, len(self.vocab)).float()        # (B, T, V)
        h, h_last = self.rnn(x, h0)                        # (B, T, hidden), (1, B, hidden)
        return self.head(h), h_last

    def encode_words(self, words: list[str], start: str = "^", stop: str = "$") -> torch.Tensor:
        """Words -> int64 tensor (N, L): each "^word$", padded on the right with more "$"."""
        length = max(len(w) for w in words) + 2
        return torch.stack([self.encode((start + w + stop).ljust(length, stop)) for w in words])

    @torch.no_grad()
    def next_char_probs(self, text: str) -> torch.Tensor:
        """Probabilities (T-1, V) of each next character along `text`: row t is p(x_{t+1} | x_<=t)."""
        logits, _ = self(self.encode(text)[None].to(self.head.weight.device))
        return logits[0, :-1].softmax(-1).cpu()

    @torch.no_grad()
    def sample(self, start: str = "^", stop: str = "$", max_len: int = 20,
               temperature: float = 1.0, generator: torch.Generator | None = None) -> str:
        """Draw one string letter by letter from `start` until `stop` or `max_len` new letters."""
        _check_temperature(temperature)
        device = self.head.weight.device
        logits, h = self(self.encode(start)[None].to(device))
        text = start
        for _ in range(max_len):
            probs = (logits[0, -1] / temperature).softmax(-1).cpu()
            ch = self.vocab[torch.multinomial(probs, 1, generator=generator).item()]
            text += ch
            if ch == stop:
                break
            logits, h = self(self.encode(ch)[None].to(device), h)
        return text


# How notebooks 01 and 02 train the image models on the 8x8 binarized digits (64 pixels):
# epochs, Adam learning rate, batch size. One place, so both notebooks report the same models.
DIGIT_RECIPES = {
    "independent": (30, 5e-2, 128),
    "FVSBN": (40, 1e-2, 128),
    "NADE": (40, 1e-2, 128),
    "PixelCNN": (25, 5e-3, 64),
}


def digit_models() -> dict[str, nn.Module]:
    """Fresh, untrained instances of the four image models, keyed as in DIGIT_RECIPES."""
    return {
        "independent": IndependentBernoulli(64),
        "FVSBN": FVSBN(64),
        "NADE": NADE(64, n_hidden=128),
        "PixelCNN": PixelCNN(channels=32, n_layers=3, first_kernel=7),
    }


def char_rnn_loss(model: CharRNN, batch: torch.Tensor, stop: str = "$") -> torch.Tensor:
    """Mean cross-entropy (nats per character) of predicting each next character of `batch` (N, L),
    counting the targets up to and including each word's first `stop` (the padding is ignored)."""
    logits, _ = model(batch[:, :-1])                       # (N, L-1, V)
    targets = batch[:, 1:]                                 # (N, L-1)
    is_stop = (targets == model.vocab.index(stop)).long()
    valid = (torch.cumsum(is_stop, 1) - is_stop) == 0      # no stop strictly before this target
    return F.cross_entropy(logits[valid], targets[valid])


def nll(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood in nats of each binary image: x (B, 1, H, W) -> (B,).

    -log p(x) = -sum_i log p(x_i | x_<i) = sum_i BCE(logit_i, x_i).
    """
    return bernoulli_nll(model(x), x)


@torch.no_grad()
def sample(model: nn.Module, n: int, image_shape: tuple[int, int, int] = (1, 8, 8), *,
           temperature: float = 1.0, generator: torch.Generator | None = None,
           given: torch.Tensor | None = None, known: torch.Tensor | None = None,
           device: torch.device | str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw n binary images pixel by pixel in raster order: D forward passes for D pixels.

    A model with a `logit_at(x, i)` method (NADE) computes only the logit it needs at each step.
    temperature: divides every logit; below 1 sharpens, above 1 flattens the conditionals.
    given, known: to complete images instead, `given` (n, *image_shape) holds the pixels to keep
        and `known` (D,) bool marks them; only the others are drawn.
    Returns (images (n, *image_shape) in {0, 1}, probs (n, D)): probs[:, i] is the
    p(x_i = 1 | x_<i) that pixel i was drawn from (1 or 0 for known pixels).
    """
    _check_temperature(temperature)
    device = torch.device(device) if device is not None else next(model.parameters()).device
    n_pixels = image_shape[0] * image_shape[1] * image_shape[2]
    uniforms = torch.rand(n, n_pixels, generator=generator).to(device)   # drawn up front: same on any device
    x = torch.zeros(n, n_pixels, device=device)
    if given is not None:
        known = torch.as_tensor(known, dtype=torch.bool, device=device)
        x[:, known] = given.reshape(n, n_pixels).to(device)[:, known]
    probs = x.clone()
    for i in range(n_pixels):
        if known is not None and known[i]:
            continue
        images = x.view(n, *image_shape)
        logit = model.logit_at(images, i) if hasattr(model, "logit_at") else model(images)[:, i]
        p = torch.sigmoid(logit / temperature)
        probs[:, i] = p
        x[:, i] = (uniforms[:, i] < p).float()
    return x.view(n, *image_shape), probs


def dependency_map(model: nn.Module, image_shape: tuple[int, int, int], pixel: tuple[int, int],
                   seed: int = 0) -> torch.Tensor:
    """Which input pixels the logit of `pixel` = (row, col) depends on: bool tensor (H, W).

    Measured, not derived: the gradient of that logit with respect to a random binary input is
    non-zero exactly on the pixels it can see (its receptive field).
    """
    _, h, w = image_shape
    x = (torch.rand(1, *image_shape, generator=torch.Generator().manual_seed(seed)) > 0.5).float()
    x = x.to(next(model.parameters()).device).requires_grad_(True)
    model(x)[0, pixel[0] * w + pixel[1]].backward()
    return (x.grad[0].abs().sum(0) > 0).cpu()


def _check_temperature(temperature: float) -> None:
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
