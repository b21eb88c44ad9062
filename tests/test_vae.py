"""Notebook 02's models and losses against closed forms and references: the ELBO and its terms,
the IWAE bound, the two gradient estimators, the vector quantizer and its straight-through gradient."""

import math

import pytest
import torch
import torch.nn as nn
from torch.distributions import Bernoulli, Normal, kl_divergence

from gentut.data.digits import load_binarized_digits
from gentut.losses import (bernoulli_nll, bits_per_dim, discretized_logistic_nll, elbo_terms, iwae_log_likelihood,
                           negative_elbo, quantize_8bit, vq_losses)
from gentut.models.vae import (
    MLPVAE, VQVAE, MLPAutoencoder, VectorQuantizer, codebook_usage, reparameterized_gradient,
    score_function_gradient, straight_through,
)
from gentut.training import fit


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def binary_images(n, seed=0):
    return (torch.rand(n, 1, 8, 8, generator=gen(seed)) > 0.5).float()


def test_negative_elbo_matches_torch_distributions():
    x = binary_images(4)
    logits = torch.randn(4, 64, generator=gen(1))
    mu, logvar = torch.randn(4, 3, generator=gen(2)), torch.randn(4, 3, generator=gen(3))
    log_lik = Bernoulli(logits=logits).log_prob(x.flatten(1)).sum(1)
    kl = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(1)
    assert torch.allclose(bernoulli_nll(logits, x), -log_lik, atol=1e-4)
    assert torch.allclose(negative_elbo(logits, x, mu, logvar), -log_lik + kl, atol=1e-4)
    assert torch.allclose(negative_elbo(logits, x, mu, logvar, beta=3.0), -log_lik + 3 * kl, atol=1e-4)


class ConstantDecoderVAE(nn.Module):
    """A VAE whose decoder ignores z: p(x | z) = p(x), so log p(x) is known exactly and the true
    posterior is the prior. Its encoder returns a fixed Gaussian q(z | x) = N(mu, exp(logvar))."""

    def __init__(self, mu, logvar, n_pixels=64):
        super().__init__()
        self.mu, self.logvar = torch.tensor(mu), torch.tensor(logvar)
        self.bias = nn.Parameter(torch.linspace(-2, 2, n_pixels))

    def encode(self, x):
        return self.mu.expand(len(x), -1), self.logvar.expand(len(x), -1)

    def decode(self, z):
        return self.bias.expand(len(z), -1)


def test_iwae_and_elbo_where_log_px_is_known():
    x = binary_images(6)
    exact = -bernoulli_nll(torch.linspace(-2, 2, 64).expand(6, -1), x)                 # log p(x)
    # q = prior: every importance weight is p(x), so every bound is exact, for any k
    at_prior = ConstantDecoderVAE([0.0, 0.0], [0.0, 0.0])
    assert torch.allclose(iwae_log_likelihood(at_prior, x, k=1, generator=gen()), exact, atol=1e-4)
    # q != prior: ELBO = log p(x) - KL(q || p(z)) exactly; IWAE climbs from it towards log p(x)
    off = ConstantDecoderVAE([1.0, -0.5], [-0.5, 0.3])
    recon, kl = elbo_terms(off, x, gen(), n_draws=3)
    assert torch.allclose(-(recon + kl), exact - kl, atol=1e-4)
    many = x.repeat(500, 1, 1, 1)                            # 3,000 rows: averages with little noise
    l1, l10 = (iwae_log_likelihood(off, many, k=k, generator=gen(k)).mean().item() for k in (1, 10))
    l1000 = iwae_log_likelihood(off, x.repeat(30, 1, 1, 1), k=1000, generator=gen()).mean().item()
    elbo, log_px = (exact - kl).mean().item(), exact.mean().item()
    assert abs(l1 - elbo) < 0.1                              # E L_1 = ELBO
    assert elbo + 0.3 < l10 < l1000
    assert abs(log_px - l1000) < 0.05                        # L_k -> log p(x)


def test_iwae_bound_grows_with_k_on_a_random_vae():
    torch.manual_seed(0)
    model, x = MLPVAE(64, 4, 32), binary_images(200, seed=1)
    recon, kl = elbo_terms(model, x, gen(), n_draws=20)
    elbo = -(recon + kl).mean().item()
    l10, l100 = (iwae_log_likelihood(model, x, k=k, generator=gen(k)).mean().item() for k in (10, 100))
    assert elbo < l10 < l100


def test_gradient_estimators_mean_and_variance_match_closed_forms():
    """d/dmu E_{N(mu, 1)} z^2 = 2 mu; per-draw variances: score function mu^4 + 14 mu^2 + 15,
    with baseline mu^2 + 1: 8 mu^2 + 10; reparameterized: 4 sigma^2."""
    f, mu, n = (lambda z: z ** 2), 1.0, 200_000
    score = score_function_gradient(f, mu, 1.0, n, gen(0))
    baseline = score_function_gradient(f, mu, 1.0, n, gen(1), baseline=mu ** 2 + 1)
    reparam = reparameterized_gradient(f, mu, 1.0, n, gen(2))
    for grads, variance in ((score, 30.0), (baseline, 18.0), (reparam, 4.0)):
        assert grads.shape == (n,)
        assert abs(grads.mean().item() - 2 * mu) < 4 * math.sqrt(variance / n)
        assert abs(grads.var().item() / variance - 1) < 0.1
    # with sigma = 0.5 the reparameterized draw is 2 z = 2 (mu + 0.5 eps): variance 4 * 0.25
    assert abs(reparameterized_gradient(f, mu, 0.5, n, gen(3)).var().item() - 1.0) < 0.05


def test_vector_quantizer_picks_the_nearest_code():
    quantizer = VectorQuantizer(n_codes=8, code_dim=3)
    z_e = torch.randn(5, 4, 3, generator=gen())
    z_q, indices = quantizer(z_e)
    brute = torch.cdist(z_e.reshape(-1, 3), quantizer.codebook).argmin(1).view(5, 4)
    assert indices.shape == (5, 4) and torch.equal(indices, brute)
    assert torch.equal(z_q, quantizer.codebook[brute])


def test_init_from_uses_distinct_encoder_outputs():
    quantizer = VectorQuantizer(n_codes=4, code_dim=2)
    z_e = torch.arange(20.0).view(10, 2)
    quantizer.init_from(z_e, gen())
    rows = {tuple(r) for r in quantizer.codebook.tolist()}
    assert len(rows) == 4 and rows <= {tuple(r) for r in z_e.tolist()}


def test_straight_through_forwards_z_q_and_copies_the_gradient_to_z_e():
    z_e = torch.randn(3, 2, generator=gen(), requires_grad=True)
    z_q = torch.randn(3, 2, generator=gen(1), requires_grad=True)
    out = straight_through(z_e, z_q)
    assert torch.allclose(out, z_q)
    upstream = torch.randn(3, 2, generator=gen(2))
    out.backward(upstream)
    assert torch.equal(z_e.grad, upstream)
    assert z_q.grad is None or torch.all(z_q.grad == 0)


def test_vq_losses_send_each_gradient_to_one_side():
    z_e = torch.randn(4, 3, 2, generator=gen(), requires_grad=True)
    z_q = torch.randn(4, 3, 2, generator=gen(1), requires_grad=True)
    codebook, commitment = vq_losses(z_e, z_q)
    squared = (z_e - z_q).pow(2).flatten(1).sum(1)
    assert codebook.shape == (4,) and torch.allclose(codebook, squared) and torch.allclose(commitment, squared)
    codebook.sum().backward(retain_graph=True)
    assert z_e.grad is None and torch.allclose(z_q.grad, 2 * (z_q - z_e).detach())
    z_q.grad = None
    commitment.sum().backward()
    assert z_q.grad is None and torch.allclose(z_e.grad, 2 * (z_e - z_q).detach())


def test_vqvae_gradients_reach_encoder_and_codebook():
    torch.manual_seed(0)
    model, x = VQVAE(64, n_latents=4, code_dim=3, n_codes=8, hidden=16), binary_images(10)
    logits, z_e, z_q, indices = model(x)
    assert logits.shape == (10, 64) and z_e.shape == z_q.shape == (10, 4, 3) and indices.shape == (10, 4)
    bernoulli_nll(logits, x).mean().backward()
    assert model.encoder[0].weight.grad.abs().sum() > 0            # through the straight-through estimator
    assert model.quantizer.codebook.grad is None                   # the decoder alone does not move the codebook
    vq_losses(z_e, z_q)[0].mean().backward()
    used = torch.zeros(8, dtype=torch.bool)
    used[indices.flatten()] = True
    grad_norms = model.quantizer.codebook.grad.abs().sum(1)
    assert (grad_norms[used] > 0).all() and (grad_norms[~used] == 0).all()
    assert torch.allclose(model.decode_codes(indices), logits)


def test_codebook_usage_counts_and_perplexity():
    assert codebook_usage(torch.tensor([0, 1, 2, 3] * 5), 8) == (4, pytest.approx(4.0))
    assert codebook_usage(torch.tensor([[5, 5], [5, 5]]), 8) == (1, pytest.approx(1.0))
    used, perplexity = codebook_usage(torch.tensor([0, 0, 0, 1]), 4)
    assert used == 2 and perplexity == pytest.approx(math.exp(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25))))


def test_autoencoder_shapes():
    model = MLPAutoencoder(64, 3, 16)
    x = binary_images(5)
    assert model.encode(x).shape == (5, 3) and model(x).shape == (5, 64)


def test_a_few_epochs_of_vae_training_lower_the_test_elbo():
    torch.manual_seed(0)
    x_train, _ = load_binarized_digits("train")
    x_test, _ = load_binarized_digits("test")
    model = MLPVAE(64, 2, 64)

    def held_out():
        recon, kl = elbo_terms(model, x_test, gen(), n_draws=5)
        return (recon + kl).mean().item()

    before = held_out()
    fit(model, lambda m, b: negative_elbo(*(lambda o: (o[0], b, o[1], o[2]))(m(b, gen()))).mean(),
        x_train, epochs=3, lr=3e-3, generator=gen(), progress=False)
    assert held_out() < before - 5


@pytest.mark.parametrize("mean, log_scale", [(0.3, -3.0), (0.0, -5.0), (1.0, -1.0), (0.62, -6.0)])
def test_discretized_logistic_is_a_distribution_over_the_256_levels(mean, log_scale):
    levels = torch.arange(256.0).view(256, 1, 1, 1) / 255                      # every value a sub-pixel can take
    nll = discretized_logistic_nll(levels, torch.full_like(levels, mean), torch.tensor(log_scale))
    assert torch.exp(-nll).sum().item() == pytest.approx(1.0, abs=1e-4)         # masses sum to one
    assert (nll >= 0).all()                                                      # so no level costs < 0 nats
    assert levels[nll.argmin()].item() == pytest.approx(round(mean * 255) / 255)  # the most likely level is the mean's


def test_discretized_logistic_sums_over_pixels_and_quantize_rounds_to_8_bits():
    x = quantize_8bit(0.1 + 0.8 * torch.rand(2, 3, 4, 4, generator=torch.Generator().manual_seed(0)))   # no end bins
    assert torch.equal(x * 255, (x * 255).round()) and x.min() >= 0 and x.max() <= 1
    per_pixel = discretized_logistic_nll(x[:, :1, :1, :1], x[:, :1, :1, :1], torch.tensor(-4.0))
    total = discretized_logistic_nll(x, x, torch.tensor(-4.0))
    assert total.shape == (2,) and torch.allclose(total, 48 * per_pixel, rtol=1e-4)    # 3 * 4 * 4 sub-pixels
    assert bits_per_dim(total, 48) == pytest.approx(total / (48 * math.log(2)))
