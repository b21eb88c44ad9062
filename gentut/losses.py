"""Loss functions the course derives, each next to its equation.

VAE (Kingma & Welling 2014): -ELBO = reconstruction term + KL(q(z|x) || N(0, I)).
    For binary images: -ELBO(x) = E_q[-log p(x|z)] + beta * KL,  beta = 1 (beta-VAE: Higgins et al. 2017);
    for 8-bit colour images, p(x|z) is a discretized logistic per sub-pixel (Salimans et al. 2017, eq. 2),
    a probability over the 256 values each sub-pixel can take, so -ELBO bounds -log p(x) in nats;
    IWAE bound (Burda et al. 2016): log p(x) >= log (1/k) sum_i p(x, z_i) / q(z_i|x) >= ELBO.
VQ-VAE (van den Oord et al. 2017, eq. 3): ||sg[z_e] - e||^2 (codebook) + beta ||z_e - sg[e]||^2 (commitment).
GAN (Goodfellow et al. 2014), with D returning logits and sigma the sigmoid:
    discriminator:      -log sigma(D(x)) - log(1 - sigma(D(G(z))))   = softplus(-D(x)) + softplus(D(G(z)))
    generator, saturating:      log(1 - sigma(D(G(z))))              = -softplus(D(G(z)))
    generator, non-saturating: -log sigma(D(G(z)))                   = softplus(-D(G(z)))
R1 (Mescheder et al. 2018): gamma/2 * E ||grad_x D(x)||^2 on real images.
Path length (StyleGAN2, Karras et al. 2020, eq. 4): E (||J_w^T y||_2 - a)^2, y ~ N(0, I) / sqrt(pixels).
WGAN-GP (Gulrajani et al. 2017): critic E D(G(z)) - E D(x) + lambda E (||grad D(x_hat)|| - 1)^2.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from gentut.models.vae import reparameterize

__all__ = ["kl_to_standard_normal", "bernoulli_nll", "quantize_8bit", "discretized_logistic_nll", "bits_per_dim", "negative_elbo", "elbo_terms", "iwae_log_likelihood",
           "vq_losses", "d_logistic_loss", "g_saturating_loss", "g_nonsaturating_loss", "r1_penalty",
           "path_lengths",
           "wgan_critic_loss", "gradient_penalty"]


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) in nats, summed over dimensions: (B, z) -> (B,).

    Closed form: 0.5 * sum(mu^2 + exp(logvar) - 1 - logvar).
    """
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)


def bernoulli_nll(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """-log p(x | z) in nats for binary images under independent Bernoulli pixels with these logits:
    logits (B, D), x (B, ...) with D values in {0, 1} -> (B,)."""
    return F.binary_cross_entropy_with_logits(logits, x.flatten(1), reduction="none").sum(1)


def quantize_8bit(images: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] rounded to the 256 levels an 8-bit PNG holds: k / 255, k = 0 .. 255. Same shape."""
    return torch.round(images.clamp(0, 1) * 255) / 255


def discretized_logistic_nll(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """-log p(x) in nats per image when every sub-pixel of x is one of the 256 levels k / 255 and
    p puts on each level the mass of a logistic(mean, exp(log_scale)) over the level's bin
    [k - 1/2, k + 1/2] / 255, the end bins reaching to -inf and +inf (Salimans et al. 2017, eq. 2).

    x, mean: (B, C, H, W) in [0, 1] (x already quantized, see `quantize_8bit`); log_scale broadcasts
    against them (e.g. (C, 1, 1), one per channel). Returns (B,). The masses of the 256 levels sum
    to 1, so this is a likelihood: per sub-pixel it can never go below 0.
    """
    centred = (x - mean) * torch.exp(-log_scale)
    half_bin = 0.5 / 255 * torch.exp(-log_scale)
    upper, lower = centred + half_bin, centred - half_bin
    log_cdf_upper = F.logsigmoid(upper)                              # log P(X < upper bin edge)
    log_survival_lower = F.logsigmoid(-lower)                        # log P(X > lower bin edge)
    # the bin's mass sigmoid(u) - sigmoid(l) = sigmoid(u) * sigmoid(-l) * (1 - e^(l - u)), in logs (no cancellation)
    log_mass = log_cdf_upper + log_survival_lower + torch.log(-torch.expm1(lower - upper))
    log_p = torch.where(x < 0.5 / 255, log_cdf_upper, torch.where(x > 1 - 0.5 / 255, log_survival_lower, log_mass))
    return -log_p.flatten(1).sum(1)


def bits_per_dim(nats_per_image: torch.Tensor | float, dims: int) -> torch.Tensor | float:
    """Convert nats per image to bits per sub-pixel (the unit of image likelihood papers)."""
    return nats_per_image / (dims * math.log(2))


def negative_elbo(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor,
                  beta: float = 1.0) -> torch.Tensor:
    """The VAE loss of each image, in nats: -log p(x | z) + beta * KL(q(z | x) || N(0, I)) -> (B,).

    logits (B, D): the decoder's output at one z ~ q(z | x), which makes the first term a one-sample
    estimate of E_q[-log p(x | z)] (Kingma & Welling 2014, eq. 10); mu, logvar (B, z_dim).
    beta = 1 is the true -ELBO, an upper bound on -log p(x).
    """
    return bernoulli_nll(logits, x) + beta * kl_to_standard_normal(mu, logvar)


@torch.no_grad()
def elbo_terms(model, x: torch.Tensor, generator: torch.Generator | None = None,
               n_draws: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """The two terms of -ELBO for each image: (reconstruction E_q[-log p(x|z)] averaged over
    n_draws draws of z, KL in closed form), each (B,). `model` has encode(x) -> (mu, logvar) and
    decode(z) -> logits, like `gentut.models.vae.MLPVAE`."""
    mu, logvar = model.encode(x)
    recon = torch.zeros(len(x), device=x.device)
    for _ in range(n_draws):
        recon += bernoulli_nll(model.decode(reparameterize(mu, logvar, generator)), x) / n_draws
    return recon, kl_to_standard_normal(mu, logvar)


@torch.no_grad()
def iwae_log_likelihood(model, x: torch.Tensor, k: int = 100, generator: torch.Generator | None = None) -> torch.Tensor:
    """Importance-weighted estimate of log p(x) in nats (Burda et al. 2016, eq. 8): (B, ...) -> (B,).

        L_k(x) = log (1/k) sum_{i=1..k} p(x | z_i) p(z_i) / q(z_i | x),   z_i ~ q(z | x)

    E L_1 is the ELBO, E L_k grows with k and tends to log p(x) (Burda et al., theorem 1).
    `model` has encode(x) -> (mu, logvar) and decode(z) -> Bernoulli logits, like MLPVAE.
    """
    mu, logvar = model.encode(x)                                               # (B, z)
    std = (0.5 * logvar).exp()
    eps = torch.randn((k,) + tuple(mu.shape), generator=generator).to(mu.device)   # (k, B, z)
    z = mu + std * eps                                                         # (k, B, z)
    normal = torch.distributions.Normal
    log_q = normal(mu, std).log_prob(z).sum(-1)                                # (k, B)
    log_prior = normal(0.0, 1.0).log_prob(z).sum(-1)                           # (k, B)
    logits = model.decode(z.reshape(k * len(x), -1))                           # (k * B, D)
    log_lik = -bernoulli_nll(logits, x.repeat(k, *([1] * (x.dim() - 1)))).view(k, len(x))
    return torch.logsumexp(log_lik + log_prior - log_q, dim=0) - math.log(k)


def vq_losses(z_e: torch.Tensor, z_q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """VQ-VAE's two extra terms (van den Oord et al. 2017, eq. 3), per image, each (B,):

        codebook   = ||sg[z_e] - z_q||^2   moves the chosen codebook vectors towards the encoder
        commitment = ||z_e - sg[z_q]||^2   keeps the encoder close to its codes (weight it by beta = 0.25)

    z_e: encoder outputs (B, ...), z_q: their nearest codebook vectors (before `straight_through`),
    same shape. Squared distances are summed over each image's latents, like the reconstruction
    term over its pixels, so that the terms keep the paper's relative scale.
    """
    codebook = (z_q - z_e.detach()).pow(2).flatten(1).sum(1)
    commitment = (z_e - z_q.detach()).pow(2).flatten(1).sum(1)
    return codebook, commitment


def d_logistic_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The discriminator's binary cross-entropy, real -> 1 and fake -> 0: (B,), (B,) -> scalar."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_saturating_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """The minimax generator loss E log(1 - D(G(z))): its gradient vanishes when D wins. (B,) -> scalar."""
    return -F.softplus(fake_logits).mean()


def g_nonsaturating_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss -E log D(G(z)): strong gradients early on. (B,) -> scalar."""
    return F.softplus(-fake_logits).mean()


def r1_penalty(real_images: torch.Tensor, real_logits: torch.Tensor) -> torch.Tensor:
    """E ||grad_x D(x)||^2 over real images (which must require grad): scalar (multiply by gamma/2)."""
    (grad,) = torch.autograd.grad(real_logits.sum(), real_images, create_graph=True)
    return grad.pow(2).flatten(1).sum(1).mean()


def path_lengths(images: torch.Tensor, ws: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """||J_w^T y|| per image, the length StyleGAN2's path length regulariser keeps constant (eq. 4).

    images (B, 3, H, W) = G.synthesis(ws), ws (B, num_ws, w_dim) with the graph between them;
    y is Gaussian noise scaled by 1 / sqrt(H * W), so that the length does not depend on the
    resolution. The gradient is summed over w's dimensions and averaged over the layers, as the
    authors do. Returns (B,), differentiable (create_graph=True). The penalty is
    (lengths - a)^2 with a the running mean of the lengths: a fixed-size step in W should change
    the image by a fixed amount, whatever the direction -- which makes W smoother to walk in.
    """
    noise = torch.randn(images.shape, generator=generator).to(images.device) / math.sqrt(images[0, 0].numel())
    (grad,) = torch.autograd.grad((images * noise).sum(), ws, create_graph=True)
    return grad.pow(2).sum(2).mean(1).sqrt()


def wgan_critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """WGAN critic (Arjovsky et al. 2017): minimise E D(G(z)) - E D(x), an estimate of -W1. (B,), (B,) -> scalar."""
    return fake_scores.mean() - real_scores.mean()


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al. 2017, eq. 3): E (||grad D(x_hat)|| - 1)^2 at x_hat = e x + (1 - e) x_fake,
    e ~ U[0, 1] per sample. real, fake (B, ...) -> scalar (multiply by lambda = 10)."""
    shape = (len(real),) + (1,) * (real.dim() - 1)
    mix = torch.rand(shape, generator=generator).to(real.device)
    x_hat = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()
