"""Loss functions the course derives, each next to its equation.

VAE (Kingma & Welling 2014): -ELBO = reconstruction term + KL(q(z|x) || N(0, I)).
GAN (Goodfellow et al. 2014), with D returning logits and sigma the sigmoid:
    discriminator:      -log sigma(D(x)) - log(1 - sigma(D(G(z))))   = softplus(-D(x)) + softplus(D(G(z)))
    generator, saturating:      log(1 - sigma(D(G(z))))              = -softplus(D(G(z)))
    generator, non-saturating: -log sigma(D(G(z)))                   = softplus(-D(G(z)))
R1 (Mescheder et al. 2018): gamma/2 * E ||grad_x D(x)||^2 on real images.
WGAN-GP (Gulrajani et al. 2017): critic E D(G(z)) - E D(x) + lambda E (||grad D(x_hat)|| - 1)^2.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["kl_to_standard_normal", "d_logistic_loss", "g_saturating_loss", "g_nonsaturating_loss", "r1_penalty",
           "wgan_critic_loss", "gradient_penalty"]


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) in nats, summed over dimensions: (B, z) -> (B,).

    Closed form: 0.5 * sum(mu^2 + exp(logvar) - 1 - logvar).
    """
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)


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
