"""Generators, VAEs, predictors: shapes, and the style generator's math against a reference."""

import pytest
import torch
import torch.nn.functional as F

from gentut.models.dcgan import DCGANDiscriminator, DCGANGenerator, n_doublings
from gentut.models.predictors import AttributePredictor, Segmenter
from gentut.models.stylegan import ModulatedConv2d, StyleGenerator
from gentut.models.vae import ConvVAE, MLPVAE


@pytest.mark.parametrize("size", [32, 64])
def test_shapes_and_ranges(size):
    z = torch.randn(3, 16)
    for G in (DCGANGenerator(16, size, 8, 32), StyleGenerator(16, 16, size, 8, 32)):
        images = G.eval()(z)
        assert images.shape == (3, 3, size, size) and 0 <= images.min() and images.max() <= 1
    assert DCGANDiscriminator(size, 8, 32)(images).shape == (3,)
    recon, log_scale, mu, logvar = ConvVAE(8, size, 8, 32)(images)
    assert recon.shape == log_scale.shape == images.shape and mu.shape == logvar.shape == (3, 8)
    assert 0 <= recon.min() and recon.max() <= 1 and log_scale.min() >= ConvVAE.MIN_LOG_SCALE
    assert AttributePredictor(5, 8)(images).shape == (3, 5)
    assert Segmenter(7, 8)(images).shape == (3, 7, size, size)


def test_bad_image_size():
    with pytest.raises(ValueError, match="power of two"):
        n_doublings(48)


def test_modulated_conv_equals_per_image_modulated_kernels():
    """The fast form (scale x, demodulate the output) equals StyleGAN2's explicit per-image kernels."""
    torch.manual_seed(0)
    conv = ModulatedConv2d(4, 5, 3, w_dim=6)
    x, w = torch.randn(2, 4, 7, 7), torch.randn(2, 6)
    style = conv.affine(w)
    expected = []
    for b in range(2):
        kernel = conv.scale * conv.weight * style[b][None, :, None, None]          # modulate
        kernel = kernel / kernel.pow(2).sum([1, 2, 3], keepdim=True).add(1e-8).sqrt()   # demodulate
        expected.append(F.conv2d(x[b:b + 1], kernel, padding=1) + conv.bias[None, :, None, None])
    assert torch.allclose(conv(x, w), torch.cat(expected), atol=1e-5)


def test_style_generator_spaces():
    G = StyleGenerator(16, 16, 32, 8, 32).eval()
    assert G.num_ws == 7 and [G.layer_resolution(i) for i in range(7)] == [4, 8, 8, 16, 16, 32, 32]
    z = torch.randn(2, 16)
    w = G.mapping(z)
    ws = w[:, None].repeat(1, G.num_ws, 1)
    assert torch.allclose(G(z), G.synthesis(ws))                       # Z -> W -> W+ agree
    G.w_avg.copy_(w[0])
    assert torch.allclose(G.truncate(w, 0.0), w[0].expand(2, -1))      # psi = 0: the average image
    ws_mixed = ws.clone()
    ws_mixed[:, 5:] = ws[[1, 0], 5:]                                   # swap the fine layers only
    assert not torch.allclose(G.synthesis(ws_mixed), G.synthesis(ws))
    with pytest.raises(ValueError, match="ws must have shape"):
        G.synthesis(w)


def test_mlp_vae_shapes():
    logits, mu, logvar = MLPVAE(64, 2)(torch.rand(5, 1, 8, 8))
    assert logits.shape == (5, 64) and mu.shape == (5, 2)


def test_style_generator_starts_sensitive_to_z():
    """At initialisation w must vary with z at unit scale; otherwise training collapses to one image."""
    torch.manual_seed(0)
    G = StyleGenerator(64, 64, 32, 8, 32).eval()
    w = G.mapping(torch.randn(256, 64))
    assert 0.3 < w.std(0).mean() < 3
    assert G(torch.randn(16, 64)).std(0).mean() > 0.01


def test_style_mixing_switches_each_mixed_code_once_at_a_random_layer():
    G = StyleGenerator(16, 16, 32, 8, 32)
    plain = G.sample_ws(5, torch.Generator().manual_seed(0), mixing=0.0)
    assert plain.shape == (5, G.num_ws, 16) and torch.equal(plain, plain[:, :1].expand_as(plain))
    mixed = G.sample_ws(200, torch.Generator().manual_seed(1), mixing=1.0)
    switched = (mixed != mixed[:, :1]).any(2)                                 # (200, num_ws): layer differs from layer 0
    assert not switched[:, 0].any() and switched[:, -1].all()                 # every code switches, never at layer 0
    assert (switched[:, 1:].int() >= switched[:, :-1].int()).all()            # ... once: it never switches back
    assert len(set(switched.sum(1).tolist())) == G.num_ws - 1                 # crossovers at every layer 1..num_ws-1
    half = G.sample_ws(400, torch.Generator().manual_seed(2), mixing=0.5)
    share = (half != half[:, :1]).any(2).any(1).float().mean().item()
    assert 0.4 < share < 0.6
    assert torch.equal(G.sample_ws(3, torch.Generator().manual_seed(4), mixing=0.5),
                       G.sample_ws(3, torch.Generator().manual_seed(4), mixing=0.5))


def test_path_lengths_scale_with_the_generator_and_carry_gradients():
    from gentut.losses import path_lengths
    G = StyleGenerator(16, 16, 32, 8, 32)
    ws = G.sample_ws(4, torch.Generator().manual_seed(0))
    images = G.synthesis(ws)
    lengths = path_lengths(images, ws, torch.Generator().manual_seed(1))
    doubled = path_lengths(2 * images, ws, torch.Generator().manual_seed(1))  # same noise, twice the Jacobian
    assert lengths.shape == (4,) and (lengths > 0).all()
    assert torch.allclose(doubled, 2 * lengths, rtol=1e-5)
    lengths.mean().backward()
    assert G.convs[0].weight.grad is not None and G.convs[0].weight.grad.abs().sum() > 0
