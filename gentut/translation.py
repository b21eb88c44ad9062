"""Image-to-image translation: the losses of pix2pix and CycleGAN, one training step of each, and
their evaluation with the kit's segmenter and attribute predictor.

pix2pix (Isola et al., CVPR 2017, eq. 4), paired data (x, y), conditional discriminator D(x, .):

    G* = arg min_G max_D  L_cGAN(G, D) + lambda_L1 * E ||y - G(x)||_1,      lambda_L1 = 100
    L_cGAN = E log D(x, y) + E log(1 - D(x, G(x)))     (G trained with the non-saturating -log D)

CycleGAN (Zhu et al., ICCV 2017, eq. 3), unpaired X and Y, generators G: X -> Y, F: Y -> X:

    L = L_GAN(G, D_Y) + L_GAN(F, D_X) + lambda * L_cyc(G, F) + 0.5 * lambda * L_identity,   lambda = 10
    L_cyc = E ||F(G(x)) - x||_1 + E ||G(F(y)) - y||_1
    L_identity = E ||G(y) - y||_1 + E ||F(x) - x||_1      (sec. 5.2: keeps colours when not needed)

with the least-squares GAN loss (Mao et al. 2017) the paper uses: D minimises
(D(y) - 1)^2 + D(G(x))^2, G minimises (D(G(x)) - 1)^2.

FCN-score (Isola et al., sec. 4.2): a segmenter trained on real scenes labels the translated
images; the better the translation, the more of the input label map it reads back
(per-pixel accuracy, mean class IoU). Real images score the ceiling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.data.batch import LabeledImages
from gentut.losses import d_logistic_loss, g_nonsaturating_loss
from gentut.metrics import confusion_iou, psnr

__all__ = ["one_hot_labels", "pix2pix_generator_loss", "pix2pix_discriminator_loss", "lsgan_discriminator_loss",
           "lsgan_generator_loss", "cycle_loss", "identity_loss", "CycleGANWeights", "cyclegan_generator_losses",
           "pix2pix_step", "cyclegan_step", "day_night_domains", "translate", "fcn_score", "fcn_confusions",
           "fcn_from_confusions", "relit_pairs",
           "translation_scores", "cyclegan_scores", "evaluate_pix2pix", "evaluate_cyclegan"]


def one_hot_labels(masks: torch.Tensor, n_classes: int = 7) -> torch.Tensor:
    """Label maps int (B, S, S) with values 0..n_classes-1 -> float one-hot images (B, n_classes, S, S)."""
    if masks.dim() != 3 or masks.dtype.is_floating_point:
        raise ValueError(f"expected integer label maps (B, S, S), got {masks.dtype} {tuple(masks.shape)}")
    if masks.numel() and (masks.min() < 0 or masks.max() >= n_classes):
        raise ValueError(f"label values must lie in 0..{n_classes - 1}, got {masks.min()}..{masks.max()}")
    return F.one_hot(masks.long(), n_classes).permute(0, 3, 1, 2).float()


# ----------------------------------------------------------------------------- pix2pix

def pix2pix_generator_loss(fake_logits: torch.Tensor, fake: torch.Tensor, target: torch.Tensor,
                           lambda_l1: float = 100.0, lambda_gan: float = 1.0) -> tuple[torch.Tensor, dict]:
    """lambda_gan * (-log D(x, G(x))) + lambda_l1 * |G(x) - y|, both averaged (Isola et al., eq. 4).

    fake_logits: D's patch logits on (x, G(x)) (B, 1, P, P); fake, target: images (B, 3, S, S).
    lambda_gan = 0 gives "L1 only", lambda_l1 = 0 "cGAN only". Returns (loss, {"gan", "l1"} floats).
    """
    gan = g_nonsaturating_loss(fake_logits) if lambda_gan else fake.new_zeros(())
    l1 = (fake - target).abs().mean()
    return lambda_gan * gan + lambda_l1 * l1, {"gan": gan.item(), "l1": l1.item()}


def pix2pix_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """-log D(x, y) - log(1 - D(x, G(x))) averaged over patches and images, halved as in the paper
    (it slows D down relative to G): (B, 1, P, P) x2 -> scalar."""
    return 0.5 * d_logistic_loss(real_logits, fake_logits)


# ----------------------------------------------------------------------------- CycleGAN

def lsgan_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Least-squares GAN, discriminator: 0.5 * (E (D(y) - 1)^2 + E D(G(x))^2): (B, ...) x2 -> scalar."""
    return 0.5 * ((real_scores - 1).pow(2).mean() + fake_scores.pow(2).mean())


def lsgan_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """Least-squares GAN, generator: E (D(G(x)) - 1)^2: (B, ...) -> scalar."""
    return (fake_scores - 1).pow(2).mean()


def cycle_loss(original: torch.Tensor, reconstructed: torch.Tensor) -> torch.Tensor:
    """Cycle consistency ||F(G(x)) - x||_1, averaged over pixels and images: (B, C, S, S) x2 -> scalar."""
    return (reconstructed - original).abs().mean()


def identity_loss(image: torch.Tensor, mapped: torch.Tensor) -> torch.Tensor:
    """||G(y) - y||_1 for y already in G's target domain, averaged: (B, C, S, S) x2 -> scalar."""
    return (mapped - image).abs().mean()


@dataclass(frozen=True)
class CycleGANWeights:
    """The weights of CycleGAN's loss terms: lambda_cyc = 10 and identity = 0.5 * lambda_cyc (the paper's).

    cycle = 0 (and identity = 0) is the ablation "GAN alone": nothing ties a translation to its input.
    """

    cycle: float = 10.0
    identity: float = 5.0


def cyclegan_generator_losses(pair: nn.Module, D_X: nn.Module, D_Y: nn.Module, x: torch.Tensor, y: torch.Tensor,
                              weights: CycleGANWeights = CycleGANWeights()) -> tuple[torch.Tensor, dict, torch.Tensor,
                                                                                     torch.Tensor]:
    """The generators' full objective on a batch x (B, C, S, S) of X and y (B, C, S, S) of Y.

    pair: has .G (X -> Y) and .F (Y -> X). Returns (loss, {term: float}, G(x), F(y)).
    """
    fake_y, fake_x = pair.G(x), pair.F(y)
    gan = lsgan_generator_loss(D_Y(fake_y)) + lsgan_generator_loss(D_X(fake_x))
    loss, terms = gan, {"gan": gan.item()}
    if weights.cycle:
        cyc = cycle_loss(x, pair.F(fake_y)) + cycle_loss(y, pair.G(fake_x))
        loss, terms["cycle"] = loss + weights.cycle * cyc, cyc.item()
    if weights.identity:
        idt = identity_loss(y, pair.G(y)) + identity_loss(x, pair.F(x))
        loss, terms["identity"] = loss + weights.identity * idt, idt.item()
    return loss, terms, fake_y, fake_x


# ----------------------------------------------------------------------------- training steps

def pix2pix_step(G: nn.Module, D: nn.Module, opt_g: torch.optim.Optimizer, opt_d: torch.optim.Optimizer | None,
                 labels: torch.Tensor, target: torch.Tensor, lambda_l1: float = 100.0,
                 lambda_gan: float = 1.0) -> dict[str, float]:
    """One pix2pix update: D on real (x, y) vs fake (x, G(x)) pairs, then G. labels (B, K, S, S)
    one-hot, target (B, 3, S, S). With lambda_gan = 0 the discriminator is skipped (opt_d may be None).
    Returns the losses as floats."""
    fake = G(labels)
    losses = {}
    if lambda_gan:
        d_loss = pix2pix_discriminator_loss(D(torch.cat([labels, target], 1)),
                                            D(torch.cat([labels, fake.detach()], 1)))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        losses["d"] = d_loss.item()
        fake_logits = D(torch.cat([labels, fake], 1))
    else:
        fake_logits = None
    g_loss, terms = pix2pix_generator_loss(fake_logits, fake, target, lambda_l1, lambda_gan)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    return {**losses, **terms}


def cyclegan_step(pair: nn.Module, D_X: nn.Module, D_Y: nn.Module, opt_g: torch.optim.Optimizer,
                  opt_d: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
                  weights: CycleGANWeights = CycleGANWeights()) -> dict[str, float]:
    """One CycleGAN update: both generators on their full objective, then both discriminators
    (least squares) on the real batches vs the fresh translations. Returns the losses as floats."""
    g_loss, terms, fake_y, fake_x = cyclegan_generator_losses(pair, D_X, D_Y, x, y, weights)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    d_loss = (lsgan_discriminator_loss(D_Y(y), D_Y(fake_y.detach()))
              + lsgan_discriminator_loss(D_X(x), D_X(fake_x.detach())))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    return {**terms, "d": d_loss.item()}


# ----------------------------------------------------------------------------- data and evaluation

def day_night_domains(data: LabeledImages) -> tuple[LabeledImages, LabeledImages]:
    """The two CycleGAN domains of a scene split: (day scenes with lamps off, night scenes with lamps lit).

    They are different scenes (unpaired); each domain is about 42 % of the split.
    """
    day = (data.factors["daylight"] > 0.5) & (data.factors["lamps_on"] < 0.5)
    night = (data.factors["daylight"] < 0.5) & (data.factors["lamps_on"] > 0.5)
    return data[day], data[night]


@torch.no_grad()
def translate(G: nn.Module, inputs: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """G applied in batches without gradients: (N, C, S, S) -> (N, 3, S, S) on G's device."""
    device = next(G.parameters()).device
    return torch.cat([G(inputs[i:i + batch_size].to(device)) for i in range(0, len(inputs), batch_size)])


def fcn_score(segmenter: nn.Module, images: torch.Tensor, masks: torch.Tensor, n_classes: int = 7) -> dict[str, float]:
    """How well the segmenter reads the label map `masks` (N, S, S) back from `images` (N, 3, S, S).

    Returns pixel_accuracy, mean_class_accuracy (per class: share of its pixels labelled right)
    and class_iou (mean over classes present) -- the three columns of Isola et al., table 1.
    """
    predicted = segmenter.segment(images.to(next(segmenter.parameters()).device)).cpu()
    masks = masks.cpu()
    class_accuracy = [(predicted[masks == c] == c).float().mean() for c in range(n_classes) if (masks == c).any()]
    return {"pixel_accuracy": (predicted == masks).float().mean().item(),
            "mean_class_accuracy": torch.stack(class_accuracy).mean().item(),
            "class_iou": confusion_iou(predicted, masks, n_classes).nanmean().item()}


@torch.no_grad()
def fcn_confusions(segmenter: nn.Module, images: torch.Tensor, masks: torch.Tensor, n_classes: int = 7) -> torch.Tensor:
    """One confusion matrix per image, for intervals over images: int64 (N, K, K).

    [i, t, p] counts the pixels of image i whose true class (`masks` (N, S, S)) is t and whose
    class as the segmenter reads it from `images` (N, 3, S, S) is p. Summed over images and
    passed to `fcn_from_confusions`, it gives `fcn_score`.
    """
    predicted = segmenter.segment(images.to(next(segmenter.parameters()).device)).cpu()
    pairs = masks.cpu().long().flatten(1) * n_classes + predicted.flatten(1)                # (N, S*S)
    offsets = torch.arange(len(pairs))[:, None] * n_classes * n_classes
    counts = torch.bincount((pairs + offsets).flatten(), minlength=len(pairs) * n_classes * n_classes)
    return counts.view(len(pairs), n_classes, n_classes)


def fcn_from_confusions(confusion) -> dict[str, np.ndarray]:
    """The three FCN-scores of `fcn_score` from confusion matrices (..., K, K) [true, predicted].

    Works on a batch of matrices (e.g. the summed confusions of bootstrap resamples): each score
    has the leading shape (...). Classes absent from the truth are left out of the per-class
    accuracy, and classes absent from truth and prediction out of the class IoU.
    """
    c = np.asarray(confusion, dtype=np.float64)
    hits = np.diagonal(c, axis1=-2, axis2=-1)                                             # (..., K)
    truth, predicted = c.sum(-1), c.sum(-2)
    union = truth + predicted - hits
    with np.errstate(invalid="ignore", divide="ignore"):
        class_accuracy = np.where(truth > 0, hits / truth, np.nan)
        iou = np.where(union > 0, hits / union, np.nan)
        return {"pixel_accuracy": hits.sum(-1) / c.sum((-2, -1)),
                "mean_class_accuracy": np.nanmean(class_accuracy, -1),
                "class_iou": np.nanmean(iou, -1)}


def relit_pairs(data: LabeledImages) -> LabeledImages:
    """The true translations of scenes for evaluation: the same layout (identical masks) with
    daylight mirrored (d -> 1 - d: day 0.6..1 <-> night 0..0.4) and the lamps switched."""
    from gentut.data.scenes import relight
    return relight(data, daylight=1 - data.factors["daylight"], lamps_on=1 - data.factors["lamps_on"])


def translation_scores(fake: torch.Tensor, source: LabeledImages, segmenter: nn.Module,
                       predictor: nn.Module) -> dict[str, float]:
    """What the translations `fake` (N, 3, S, S) of `source` (scenes with factors and masks) keep and change.

    mask_iou: mean class IoU of the segmenter on the translations vs the source's true masks
    (the layout must survive); psnr: dB against the true relit scenes (`relit_pairs`);
    daylight: the predictor's mean daylight score of the translations (its column 0).
    """
    truth = relit_pairs(source).images.to(fake.device)
    return {"mask_iou": fcn_score(segmenter, fake, source.masks)["class_iou"],
            "psnr": psnr(fake, truth).mean().item(),
            "daylight": predictor.predict(fake)[:, 0].mean().item()}


def cyclegan_scores(translator: nn.Module, source: LabeledImages, segmenter: nn.Module,
                    predictor: nn.Module) -> dict[str, float]:
    """`translation_scores` of translator(source.images), e.g. pair.G on day scenes."""
    return translation_scores(translate(translator, source.images), source, segmenter, predictor)


def evaluate_pix2pix(G: nn.Module, data: LabeledImages, segmenter: nn.Module) -> dict[str, float]:
    """FCN-score of a label map -> scene generator on held-out scenes (see `fcn_score`)."""
    return fcn_score(segmenter, translate(G, one_hot_labels(data.masks)), data.masks)


def evaluate_cyclegan(pair: nn.Module, data: LabeledImages, segmenter: nn.Module,
                      predictor: nn.Module) -> dict[str, float]:
    """`cyclegan_scores` of both directions on held-out scenes, keys like "day2night/psnr",
    plus the cycle errors |F(G(x)) - x| and |G(F(y)) - y| (mean absolute error per pixel)."""
    day, night = day_night_domains(data)
    result = {}
    for direction, translator, back, source in (("day2night", pair.G, pair.F, day),
                                                ("night2day", pair.F, pair.G, night)):
        scores = cyclegan_scores(translator, source, segmenter, predictor)
        scores["cycle_error"] = cycle_loss(source.images, translate(back, translate(translator, source.images))).item()
        result.update({f"{direction}/{k}": v for k, v in scores.items()})
    return result
