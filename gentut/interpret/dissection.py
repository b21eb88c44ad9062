"""GAN dissection (Bau et al., ICLR 2019): which units of a generator layer draw which concept.

For every unit u (a channel of a conv layer) and concept c (a segmentation class):
1. record the unit's feature map r_u over many generated images (a forward hook on G.convs[i]);
2. upsample it bilinearly to the image size, and threshold it: the unit "draws" where r_u > t;
3. compare that region with where the segmenter sees concept c, pooled over all images:

    IoU(u, c) = sum_images |{r_u > t} & {seg == c}| / sum_images |{r_u > t} | {seg == c}|

Choices of the threshold t:
* `method="quantile"` (Network Dissection): one t per unit, a fixed quantile of its activations.
  Bau et al. (CVPR 2017) use the 0.995 quantile, so a unit covers the top 0.5 % of its
  activations; `quantile` defaults to 0.99 (the top 1 %). Fair for small concepts, unfair for sky
  or ground, which cover 40 % of an image: a region of 1 % can reach an IoU of at most 1/40 with them.
* `method="iqr"` (GAN Dissection): one t per (unit, concept), the one among candidate quantiles
  of the unit that maximises the information quality ratio I(region; concept) / H(region, concept);
  `method="iou"` maximises the IoU itself instead.

    images, features = layer_features(G, ws, layers=[4])         # features[4]: (N, C, 16, 16)
    masks = segmenter.segment(images)                            # (N, 32, 32)
    d = UnitDissection(method="iqr").fit(features[4], masks, n_classes=7)
    d.iou_ (C, K), d.thresholds_ (C, K), d.best_concept_ (C,), d.top_units(concept, k)

A unit's label is the concept whose IoU most exceeds chance (what an independent region of the
unit's size would score): raw IoU would label almost every unit "sky" or "ground".

Thresholds are quantiles of a unit's activations at the layer's own resolution (bilinear
upsampling only interpolates between those values, and computing quantiles of the upsampled maps
would cost up to 64x more); the IoU itself is always measured on the upsampled maps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["layer_features", "upsample", "quantile_thresholds", "overlap_fractions", "iou_of", "iqr_of",
           "threshold_iou", "best_thresholds", "chance_iou", "UnitDissection", "interpretable_counts"]

DEFAULT_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995)


@torch.no_grad()
def layer_features(G: nn.Module, ws: torch.Tensor, layers: Iterable[int],
                   batch_size: int = 200) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
    """Render ws (N, num_ws, w_dim) and record the outputs of G.convs[i] for i in `layers`.

    Returns (images (N, 3, S, S), {i: features (N, C_i, h_i, w_i)}), all on the CPU. The features
    are the conv outputs before the generator's leaky ReLU (which is monotone, so thresholds and
    rankings are the same either way).
    """
    layers = list(layers)
    recorded: dict[int, list[torch.Tensor]] = {i: [] for i in layers}
    hooks = [G.convs[i].register_forward_hook(lambda module, args, out, i=i: recorded[i].append(out.cpu()))
             for i in layers]
    try:
        images = torch.cat([G.synthesis(ws[k:k + batch_size]).cpu() for k in range(0, len(ws), batch_size)])
    finally:
        for hook in hooks:
            hook.remove()
    return images, {i: torch.cat(chunks) for i, chunks in recorded.items()}


def upsample(features: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear upsampling of feature maps: (N, C, h, w) -> (N, C, size, size)."""
    if features.dim() != 4:
        raise ValueError(f"features must have shape (N, C, h, w), got {tuple(features.shape)}")
    if features.shape[-1] == size and features.shape[-2] == size:
        return features
    return F.interpolate(features, size=(size, size), mode="bilinear", align_corners=False)


def quantile_thresholds(features: torch.Tensor, levels: float | Sequence[float] = 0.99) -> torch.Tensor:
    """Per-unit quantiles of the activations over all images and positions.

    features (N, C, h, w); levels: one level in [0, 1] -> (C,), or a sequence of T levels -> (C, T).
    """
    if features.dim() != 4:
        raise ValueError(f"features must have shape (N, C, h, w), got {tuple(features.shape)}")
    per_unit = features.transpose(0, 1).reshape(features.shape[1], -1).float()        # (C, N*h*w)
    q = torch.as_tensor(levels, dtype=per_unit.dtype)
    if q.min() < 0 or q.max() > 1:
        raise ValueError(f"quantile levels must lie in [0, 1], got {levels}")
    return torch.quantile(per_unit, q, dim=1).T if q.dim() else torch.quantile(per_unit, q, dim=1)


def overlap_fractions(features: torch.Tensor, masks: torch.Tensor, thresholds: torch.Tensor, n_classes: int,
                      batch_size: int = 100) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """How every unit's region {upsampled r_u > t} overlaps every class, at several thresholds.

    features (N, C, h, w); masks int (N, S, S) of class indices in [0, n_classes); thresholds
    (C,) or (C, T), ascending along T (T = 1 for (C,)). Returns fractions of all N*S*S pixels:
    both (C, T, K) (in the unit's region and of class k), unit (C, T, 1) (in the region) and
    concept (K,) (of class k). Each pixel is counted once per unit, in the bin of thresholds it
    exceeds, so all T thresholds cost one pass.
    """
    if masks.dim() != 3 or len(masks) != len(features):
        raise ValueError(f"masks must have shape (N, S, S) with N = {len(features)}, got {tuple(masks.shape)}")
    thresholds = thresholds.reshape(features.shape[1], -1).float().contiguous()          # (C, T)
    if (thresholds.diff(dim=1) < 0).any():
        raise ValueError("thresholds must be ascending along their last dimension")
    n_units, n_thresholds = thresholds.shape
    counts = torch.zeros(n_units, n_thresholds + 1, n_classes, dtype=torch.long)          # (C, bin, K)
    for k in range(0, len(features), batch_size):
        up = upsample(features[k:k + batch_size].float(), masks.shape[-1])                # (n, C, S, S)
        per_unit = up.transpose(0, 1).reshape(n_units, -1).contiguous()                   # (C, n*S*S)
        bins = torch.searchsorted(thresholds, per_unit)           # number of thresholds each value exceeds
        classes = masks[k:k + batch_size].reshape(1, -1).long()                           # (1, n*S*S)
        index = (torch.arange(n_units)[:, None] * (n_thresholds + 1) + bins) * n_classes + classes
        counts += torch.bincount(index.flatten(), minlength=counts.numel()).view_as(counts)
    total = masks.numel()
    both = counts.flip(1).cumsum(1).flip(1)[:, 1:].double() / total     # pixels with r_u > t, per class
    return both, both.sum(2, keepdim=True), counts[0].sum(0).double() / total


def iou_of(both: torch.Tensor, unit: torch.Tensor, concept: torch.Tensor) -> torch.Tensor:
    """IoU from the overlap fractions of `overlap_fractions`: (C, T, K)."""
    union = unit + concept - both
    return torch.where(union > 0, both / union.clamp_min(1e-12), 0.0).float()


def iqr_of(both: torch.Tensor, unit: torch.Tensor, concept: torch.Tensor) -> torch.Tensor:
    """Information quality ratio I(A; B) / H(A, B) of A = the unit's region, B = the class, from the
    overlap fractions of `overlap_fractions`: (C, T, K) in [0, 1].

    GAN Dissection's criterion for choosing t: 0 for a region independent of the class (whatever
    their sizes, unlike the IoU), 1 for the same region.
    """
    both, unit, concept = torch.broadcast_tensors(both.double(), unit.double(), concept.double())
    cells = torch.stack([both, unit - both, concept - both, 1 - unit - concept + both]).clamp_min(0)
    independent = torch.stack([unit * concept, unit * (1 - concept), (1 - unit) * concept,
                               (1 - unit) * (1 - concept)])                  # p(a) p(b) of each cell
    log_cells = cells.clamp_min(1e-300).log()
    joint_entropy = -(cells * log_cells).sum(0)
    mutual_information = (cells * (log_cells - independent.clamp_min(1e-300).log())).sum(0)
    return torch.where(joint_entropy > 0, mutual_information / joint_entropy.clamp_min(1e-300), 0.0).float()


def threshold_iou(features: torch.Tensor, masks: torch.Tensor, thresholds: torch.Tensor, n_classes: int) -> torch.Tensor:
    """IoU of every unit's region {upsampled r_u > t} with every class, pooled over all images.

    features (N, C, h, w), masks (N, S, S), thresholds (C,) or (C, T) ascending -> (C, T, K).
    """
    return iou_of(*overlap_fractions(features, masks, thresholds, n_classes))


def best_thresholds(features: torch.Tensor, masks: torch.Tensor, n_classes: int, criterion: str = "iqr",
                    levels: Sequence[float] = DEFAULT_LEVELS) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For every (unit, class), the threshold among the unit's `levels` quantiles that maximises
    `criterion` ("iou", or "iqr" as in GAN Dissection). With a single level, that level's quantile.

    features (N, C, h, w), masks (N, S, S) -> thresholds (C, K), the IoU there (C, K), and the
    unit's area there as a fraction of all pixels (C, K).
    """
    if criterion not in ("iou", "iqr"):
        raise ValueError(f"criterion must be 'iou' or 'iqr', got {criterion!r}")
    candidates = quantile_thresholds(features, sorted(levels))                             # (C, T)
    both, unit, concept = overlap_fractions(features, masks, candidates, n_classes)
    iou = iou_of(both, unit, concept)                                                      # (C, T, K)
    score = iou if criterion == "iou" else iqr_of(both, unit, concept)
    best = score.argmax(1, keepdim=True)                                                   # (C, 1, K)
    area = unit.expand_as(both).gather(1, best)[:, 0].float()
    return candidates.gather(1, best[:, 0]), iou.gather(1, best)[:, 0], area


def chance_iou(area: torch.Tensor, concept_area: torch.Tensor) -> torch.Tensor:
    """The IoU a region of fractional size `area` gets, on average, with a concept of size
    `concept_area` when the two are independent: a p / (a + p - a p). Broadcasts."""
    overlap = area * concept_area
    return overlap / (area + concept_area - overlap).clamp_min(1e-12)


class UnitDissection:
    """Dissect one layer: the IoU of every unit with every concept, and the units' labels.

    method: "quantile" (one threshold per unit, its `quantile`), "iou" or "iqr" (per unit and
    concept, the threshold among quantiles `levels` that maximises IoU or the information
    quality ratio). IoU favours big concepts (a unit active on a random half of the pixels has an
    IoU of about 0.3 with a sky that covers 40 % of them), so labels use the IoU *above chance*,
    lift = IoU - chance_iou(unit area, concept area); a unit is interpretable when its best lift
    reaches `min_lift`.
    After fit: thresholds_, iou_, chance_iou_, lift_ (all (C, K)); best_concept_ (C,) (the label),
    best_lift_ (C,), interpretable_ (C,) bool.
    """

    def __init__(self, method: str = "iqr", quantile: float = 0.99, levels: Sequence[float] = DEFAULT_LEVELS,
                 min_lift: float = 0.1):
        if method not in ("quantile", "iou", "iqr"):
            raise ValueError(f"method must be 'quantile', 'iou' or 'iqr', got {method!r}")
        self.method, self.quantile, self.levels, self.min_lift = method, quantile, levels, min_lift

    def fit(self, features: torch.Tensor, masks: torch.Tensor, n_classes: int) -> "UnitDissection":
        """features (N, C, h, w) of generated images, masks (N, S, S) their segmentation -> self."""
        quantile = self.method == "quantile"
        self.thresholds_, self.iou_, area = best_thresholds(features, masks, n_classes,
                                                            "iou" if quantile else self.method,
                                                            [self.quantile] if quantile else self.levels)
        concept_area = torch.bincount(masks.flatten().long(), minlength=n_classes).float() / masks.numel()
        self.chance_iou_ = chance_iou(area, concept_area)
        self.lift_ = self.iou_ - self.chance_iou_
        self.best_lift_, self.best_concept_ = self.lift_.max(1)
        self.interpretable_ = self.best_lift_ >= self.min_lift
        return self

    def top_units(self, concept: int, k: int) -> torch.Tensor:
        """The k units with the highest IoU for `concept`, best first: int64 (k,)."""
        return self.iou_[:, concept].argsort(descending=True, stable=True)[:k]


def interpretable_counts(dissection: UnitDissection) -> torch.Tensor:
    """How many interpretable units take each concept as their label: int64 (K,)."""
    labels = dissection.best_concept_[dissection.interpretable_]
    return torch.bincount(labels, minlength=dissection.iou_.shape[1])
