"""A small style-based generator (after StyleGAN / StyleGAN2, Karras et al. 2019, 2020).

    z (B, z_dim) --mapping MLP--> w (B, w_dim)                         Z space -> W space
    w copied to every layer   --> ws (B, num_ws, w_dim)                W+ space: one w per layer
    constant 4x4 --[modulated conv]--> ... --> (B, 3, S, S)            each conv reads its own w

Every convolution is *modulated*: an affine map A turns the layer's w into a style
s = A w (one scale per input channel), the kernel is scaled by s and then demodulated (divided
by its norm), as in StyleGAN2. The styles of all layers together are the S space.
Early layers (4x4, 8x8) decide layout and pose; late layers decide colour and texture --
notebook 05 measures this. There are no noise inputs: an image is a deterministic function of
its ws, which keeps the interpretation lessons exact.

Truncation: `w_avg` is the running mean of mapping outputs seen in training, and
w' = w_avg + psi (w - w_avg) trades diversity (psi = 1) for typicality (psi -> 0).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.models.dcgan import channels_at, n_doublings

__all__ = ["MappingNetwork", "ModulatedConv2d", "StyleGenerator"]


class MappingNetwork(nn.Module):
    """z (B, z_dim) -> w (B, w_dim): normalise z, then an MLP with LeakyReLU."""

    def __init__(self, z_dim: int, w_dim: int, n_layers: int = 4):
        super().__init__()
        layers: list[nn.Module] = []
        for i in range(n_layers):
            layers += [nn.Linear(z_dim if i == 0 else w_dim, w_dim), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*layers)
        for layer in self.net[::2]:            # He init for LeakyReLU keeps w at unit scale through
            nn.init.kaiming_normal_(layer.weight, a=0.2)   # the layers; PyTorch's default would shrink
            nn.init.zeros_(layer.bias)                      # it ~50x, and G would start blind to z

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """(B, z_dim) -> (B, w_dim)."""
        z = z * torch.rsqrt(z.pow(2).mean(1, keepdim=True) + 1e-8)     # "pixel norm" of the code
        return self.net(z)


class ModulatedConv2d(nn.Module):
    """Convolution whose kernel is scaled per input channel by a style s = A w (StyleGAN2 eq. 1-3).

    x (B, C_in, H, W), w (B, w_dim) -> (B, C_out, H, W). With `demodulate`, each output channel's
    modulated kernel is renormalised to unit norm, which keeps activations at unit scale.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, w_dim: int, demodulate: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.affine = nn.Linear(w_dim, in_channels)        # A: w -> style, one scale per input channel
        nn.init.ones_(self.affine.bias)                    # styles start near 1: an unmodulated conv
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.demodulate, self.padding = demodulate, kernel_size // 2
        self.scale = 1 / math.sqrt(in_channels * kernel_size ** 2)   # equalised learning rate

    def forward(self, x: torch.Tensor, w: torch.Tensor | None = None, style: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, C_in, H, W) and either w (B, w_dim), whose style is A w, or the style (B, C_in) itself
        (an S-space code, gentut.interpret.stylespace) -> (B, C_out, H, W)."""
        if (w is None) == (style is None):
            raise ValueError("ModulatedConv2d takes either w or style, not both and not neither")
        style = self.affine(w) if style is None else style
        # Scaling the kernel's input channels by s equals scaling the input x by s, and the
        # demodulation factor 1 / ||W_o * s|| of output channel o can be computed from s alone,
        # so an ordinary (fast) batched convolution does the work of a per-image kernel.
        weight = self.scale * self.weight                                 # (C_out, C_in, k, k)
        out = F.conv2d(x * style[:, :, None, None], weight, padding=self.padding)   # (B, C_out, H, W)
        if self.demodulate:
            norm = style.pow(2) @ weight.pow(2).sum([2, 3]).T             # (B, C_out): ||W_o * s||^2
            out = out * torch.rsqrt(norm + 1e-8)[:, :, None, None]
        return out + self.bias[None, :, None, None]


class StyleGenerator(nn.Module):
    """z (B, z_dim) -> images (B, 3, S, S) in [0, 1], through W and W+ (see the module docstring).

    Layers: a modulated conv at 4x4, then two per resolution 8x8 ... SxS, so
    num_ws = 1 + 2 * log2(S / 4); `ws[:, i]` drives conv layer i. RGB is added up across
    resolutions (StyleGAN2's skip architecture).
    """

    def __init__(self, z_dim: int = 64, w_dim: int = 64, image_size: int = 64, width: int = 32,
                 max_channels: int = 128, mapping_layers: int = 4):
        super().__init__()
        self.z_dim, self.w_dim, self.image_size = z_dim, w_dim, image_size
        k = n_doublings(image_size)
        chans = [channels_at(k - i, width, max_channels) for i in range(k + 1)]   # 4x4 ... SxS
        self.mapping = MappingNetwork(z_dim, w_dim, mapping_layers)
        self.const = nn.Parameter(torch.randn(1, chans[0], 4, 4))
        self.convs = nn.ModuleList([ModulatedConv2d(chans[0], chans[0], 3, w_dim)])
        self.to_rgbs = nn.ModuleList([ModulatedConv2d(chans[0], 3, 1, w_dim, demodulate=False)])
        for c_in, c_out in zip(chans[:-1], chans[1:]):
            self.convs.extend([ModulatedConv2d(c_in, c_out, 3, w_dim), ModulatedConv2d(c_out, c_out, 3, w_dim)])
            self.to_rgbs.append(ModulatedConv2d(c_out, 3, 1, w_dim, demodulate=False))
        self.num_ws = len(self.convs)
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def layer_resolution(self, index: int) -> int:
        """The resolution at which conv layer `index` (0 .. num_ws-1) works: 4, 8, 8, 16, 16, ..."""
        return 4 * 2 ** ((index + 1) // 2)

    def sample_ws(self, n: int, generator: torch.Generator, mixing: float = 0.0) -> torch.Tensor:
        """n random codes in W+ (n, num_ws, w_dim), on G's device, z drawn on the CPU from `generator`.

        mixing: the share of codes made by *style mixing* (StyleGAN, Karras et al. 2019, sec. 3.1):
        a second code w2 replaces w from a random layer on, so that no layer can rely on its
        neighbours' styles, and each layer's style controls its own aspect of the image.
        """
        device = self.w_avg.device
        z = torch.randn(2, n, self.z_dim, generator=generator).to(device)
        w = self.mapping(z.flatten(0, 1)).view(2, n, 1, self.w_dim).expand(-1, -1, self.num_ws, -1)
        crossover = torch.randint(1, self.num_ws, (n, 1), generator=generator).to(device)      # (n, 1)
        mixed = torch.rand(n, 1, generator=generator).to(device) < mixing                     # (n, 1)
        second = mixed & (torch.arange(self.num_ws, device=device)[None] >= crossover)        # (n, num_ws)
        return torch.where(second[:, :, None], w[1], w[0])

    def truncate(self, w: torch.Tensor, psi: float) -> torch.Tensor:
        """w (..., w_dim) pulled towards w_avg: w_avg + psi (w - w_avg)."""
        return self.w_avg + psi * (w - self.w_avg)

    def styles(self, ws: torch.Tensor) -> list[torch.Tensor]:
        """ws (B, num_ws, w_dim) -> the S-space code (StyleSpace, Wu et al. 2021): one style per
        modulated layer, (B, C_in) each: the convs' styles in order, then the to-RGB layers'."""
        conv_styles = [conv.affine(ws[:, i]) for i, conv in enumerate(self.convs)]
        return conv_styles + [to_rgb.affine(ws[:, 2 * level]) for level, to_rgb in enumerate(self.to_rgbs)]

    def synthesis(self, ws: torch.Tensor) -> torch.Tensor:
        """ws (B, num_ws, w_dim) -> images (B, 3, S, S) in [0, 1]."""
        if ws.dim() != 3 or ws.shape[1] != self.num_ws:
            raise ValueError(f"ws must have shape (B, {self.num_ws}, {self.w_dim}), got {tuple(ws.shape)}")
        return self.synthesis_from_styles(self.styles(ws))

    def synthesis_from_styles(self, styles: list[torch.Tensor]) -> torch.Tensor:
        """The S-space code (the list `styles` returns) -> images (B, 3, S, S) in [0, 1]."""
        convs, rgbs = styles[:self.num_ws], styles[self.num_ws:]
        x = self.const.expand(len(convs[0]), -1, -1, -1)
        x = F.leaky_relu(self.convs[0](x, style=convs[0]), 0.2)
        rgb = self.to_rgbs[0](x, style=rgbs[0])
        for level in range(1, len(self.to_rgbs)):
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
            for i in (2 * level - 1, 2 * level):
                x = F.leaky_relu(self.convs[i](x, style=convs[i]), 0.2)
            rgb = (F.interpolate(rgb, scale_factor=2, mode="bilinear", align_corners=False)
                   + self.to_rgbs[level](x, style=rgbs[level]))
        return torch.sigmoid(rgb)

    def forward(self, z: torch.Tensor, psi: float = 1.0) -> torch.Tensor:
        """z (B, z_dim) -> images (B, 3, S, S): mapping, truncation, the same w at every layer."""
        w = self.truncate(self.mapping(z), psi) if psi != 1.0 else self.mapping(z)
        return self.synthesis(w[:, None].expand(-1, self.num_ws, -1))
