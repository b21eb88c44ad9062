"""StyleSpace (Wu, Lischinski and Shechtman 2021): edit one style channel at a time.

Every modulated convolution of a style generator scales its input channels by a style s = A w
(gentut/models/stylegan.py). The styles of all layers, side by side, are the S space: 704
channels for the kit's faces generator against W's 64 dimensions. The paper found that single
S channels control single, local attributes, so S is more disentangled than W.

    layout = StyleLayout.of(G)                          # where each layer's channels sit in S
    s = style_codes(G, ws)                              # ws (n, num_ws, w_dim) -> (n, 704)
    images = render_styles(G, layout, s)                # and back to images
    relevance = channel_relevance(G, predictor, layout, s[:256])   # (n_factors, 704): ds_factor per std
    s_edit = edit_channel(s, channel=695, strength=3.0, std=s.std(0))

Finding a factor's channels. The paper's detector compares the mean style of a few positive
examples with everyone's (`positive_relevance`): a correlation, which finds channels that *move
with* the attribute. Its gradient-map detector asks which channels the image *depends on*; here
`channel_relevance` asks the same of the attribute predictor: the mean gradient of each factor's
score with respect to each channel, times the channel's spread, i.e. the first-order change of
the factor when that channel moves by one standard deviation. Notebook 09 measures both by
re-scoring, the way notebook 05 tests InterFaceGAN's normals.

Deviation from the paper: its gradient maps are taken with respect to image regions of a face
segmentation, and channels are ranked by how localised they are; the kit ranks by the
predictor's gradient because its faces come with factors rather than part masks.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

__all__ = ["StyleLayout", "style_codes", "render_styles", "edit_channel", "channel_relevance", "positive_relevance",
           "channel_changes"]


@dataclass(frozen=True)
class StyleLayout:
    """Where each modulated layer's channels sit in the flat S code.

    names: one label per layer ("conv 0 (4x4)", ..., "to-RGB 3 (32x32)"); sizes: its channel count.
    """

    names: tuple[str, ...]
    sizes: tuple[int, ...]

    @staticmethod
    def of(G: nn.Module) -> "StyleLayout":
        """The layout of style generator G (gentut.models.stylegan.StyleGenerator)."""
        names = [f"conv {i} ({G.layer_resolution(i)}x{G.layer_resolution(i)})" for i in range(G.num_ws)]
        names += [f"to-RGB {level} ({4 * 2 ** level}x{4 * 2 ** level})" for level in range(len(G.to_rgbs))]
        sizes = [conv.affine.out_features for conv in G.convs] + [rgb.affine.out_features for rgb in G.to_rgbs]
        return StyleLayout(tuple(names), tuple(sizes))

    @property
    def size(self) -> int:
        """The number of channels in S."""
        return sum(self.sizes)

    def locate(self, channel: int) -> tuple[str, int]:
        """Flat channel index -> (layer name, channel index within that layer)."""
        if not 0 <= channel < self.size:
            raise ValueError(f"channel {channel} is outside S, which has {self.size} channels (0 .. {self.size - 1})")
        for name, size in zip(self.names, self.sizes):
            if channel < size:
                return name, channel
            channel -= size
        raise AssertionError("unreachable")


def style_codes(G: nn.Module, ws: torch.Tensor) -> torch.Tensor:
    """ws (n, num_ws, w_dim) -> the flat S codes (n, S channels), in StyleLayout order."""
    return torch.cat(G.styles(ws), dim=1)


def render_styles(G: nn.Module, layout: StyleLayout, styles: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Flat S codes (n, layout.size) -> images (n, 3, S, S), in batches (gradients flow through)."""
    if styles.dim() != 2 or styles.shape[1] != layout.size:
        raise ValueError(f"styles must have shape (n, {layout.size}), got {tuple(styles.shape)}")
    return torch.cat([G.synthesis_from_styles(list(styles[i:i + batch_size].split(layout.sizes, dim=1)))
                      for i in range(0, len(styles), batch_size)])


def edit_channel(styles: torch.Tensor, channel: int, strength: float | torch.Tensor,
                 std: torch.Tensor) -> torch.Tensor:
    """S codes (n, C) with channel `channel` moved by strength * std[channel] (a copy).

    strength: a number or an (n,) tensor (one strength per code); std (C,): the channels' spread.
    """
    edited = styles.clone()
    edited[:, channel] = edited[:, channel] + strength * std[channel]
    return edited


def channel_relevance(G: nn.Module, predictor: nn.Module, layout: StyleLayout, styles: torch.Tensor,
                      std: torch.Tensor | None = None) -> torch.Tensor:
    """How much each factor depends on each channel, to first order: (n_factors, C).

    styles (n, C): the S codes to average over; std (C,): the channels' spread (default: that of
    `styles`). Entry [j, c] is the mean over the codes of d(predicted factor j) / d(channel c),
    times std[c]: the change of factor j in [0, 1] units per one-std move of channel c.
    """
    std = styles.std(0) if std is None else std
    with torch.enable_grad():
        codes = styles.detach().clone().requires_grad_(True)
        scores = torch.sigmoid(predictor(render_styles(G, layout, codes)))          # (n, n_factors)
        rows = [torch.autograd.grad(scores[:, j].sum(), codes, retain_graph=j + 1 < scores.shape[1])[0].mean(0)
                for j in range(scores.shape[1])]
    return torch.stack(rows) * std


def positive_relevance(styles: torch.Tensor, scores: torch.Tensor, n_positive: int = 30) -> torch.Tensor:
    """The paper's detector from positive examples: (n_factors, C).

    styles (n, C), scores (n, n_factors). For each factor, its n_positive highest-scoring codes
    are the positives; entry [j, c] = (mean of channel c over the positives - mean over all) / std
    over all: how far, in standard deviations, the positives sit on that channel.
    """
    mean, std = styles.mean(0), styles.std(0).clamp_min(1e-8)
    top = scores.argsort(0, descending=True)[:n_positive]                             # (n_positive, n_factors)
    return torch.stack([(styles[top[:, j]].mean(0) - mean) / std for j in range(scores.shape[1])])


@torch.no_grad()
def channel_changes(G: nn.Module, predictor: nn.Module, layout: StyleLayout, styles: torch.Tensor,
                    channels: torch.Tensor, strengths: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Re-scoring in S: what moving each channel does to each code, (k, n, n_factors).

    styles (n, C); channels (k,) flat indices; strengths (k,) in standard deviations (the sign
    chooses the way); std (C,). Entry [i, c, j]: factor j of code c after channel i moves by
    strengths[i] std, minus before -- the same measure as gentut.interpret.edits.direction_changes.
    """
    before = predictor.predict(render_styles(G, layout, styles))
    return torch.stack([predictor.predict(render_styles(G, layout, edit_channel(styles, int(c), s, std))) - before
                        for c, s in zip(channels, strengths)])
