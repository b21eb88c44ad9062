"""A tiny CLIP: an image encoder and a text encoder that map into one space (Radford et al. 2021).

CLIP trains two encoders so that an image and its caption land close together (cosine
similarity) and an image and someone else's caption land far apart. Its image encoder is a
ResNet or ViT, its text encoder a Transformer, its data 400 million web pairs. The kit's
version is the same idea at the size of the procedural data:

    image encoder  images (B, 3, 32, 32) -> (B, D): the attribute predictor's CNN with D outputs
    text encoder   captions -> (B, D): the mean embedding of their words and word pairs
                   (gentut/data/captions.py), then a linear layer
    similarity     logit_scale * cos(image, text), with a learnt temperature as in CLIP

    clip = zoo.load("tiny_clip")
    image_vectors = clip.encode_image(images)                    # (B, D), unit length
    text_vectors = clip.encode_text(["a face, smiling", "a scene, at night"])
    similarity = image_vectors @ text_vectors.T                  # cosine similarities

Training (`clip_loss`): CLIP's symmetric cross-entropy over a batch's image-caption
similarities. Deviation from CLIP: it treats every other caption in the batch as wrong, but a
short caption such as "a face, smiling" is true of many images in a batch; since the kit knows
which captions describe which images (captions.caption_matches), the targets spread evenly over
all of them instead.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.data.captions import VOCABULARY, tokenize
from gentut.models.predictors import AttributePredictor

__all__ = ["TinyCLIP", "clip_loss"]


class TinyCLIP(nn.Module):
    """Images (B, 3, S, S) in [0, 1] and texts -> unit vectors (B, embed_dim) in one space."""

    def __init__(self, embed_dim: int = 64, width: int = 16, vocab_size: int = len(VOCABULARY)):
        super().__init__()
        if vocab_size != len(VOCABULARY):
            raise ValueError(f"this TinyCLIP was built for a vocabulary of {vocab_size} words and word pairs; "
                             f"gentut.data.captions has {len(VOCABULARY)}: retrain it (python -m gentut.train tiny_clip)")
        self.image_encoder = AttributePredictor(n_outputs=embed_dim, width=width)
        self.word_embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
        self.text_projection = nn.Linear(embed_dim, embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))      # CLIP's initial temperature

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) in [0, 1] -> unit vectors (B, embed_dim); gradients flow to the images."""
        return F.normalize(self.image_encoder(images), dim=1)

    def encode_tokens(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """Token bags (captions.tokenize) -> unit vectors (n, embed_dim)."""
        device = self.logit_scale.device
        return F.normalize(self.text_projection(self.word_embedding(ids.to(device), offsets.to(device))), dim=1)

    def encode_text(self, texts: list[str] | str) -> torch.Tensor:
        """A text or a list of n texts -> unit vectors (n, embed_dim)."""
        return self.encode_tokens(*tokenize([texts] if isinstance(texts, str) else list(texts)))

    def forward(self, images: torch.Tensor, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """Similarity logits (B_images, B_texts): logit_scale * cosine, the scale capped at 100 as in CLIP."""
        scale = self.logit_scale.clamp(max=math.log(100)).exp()
        return scale * self.encode_image(images) @ self.encode_tokens(ids, offsets).T


def clip_loss(logits: torch.Tensor, matches: torch.Tensor | None = None) -> torch.Tensor:
    """CLIP's symmetric cross-entropy: logits (B_images, B_texts) -> scalar.

    matches (B_images, B_texts) bool: which captions describe which images; the targets of an
    image are spread evenly over its matching captions (and a caption's over its images). None:
    CLIP's own targets, the diagonal.
    """
    if matches is None:
        matches = torch.eye(*logits.shape, dtype=torch.bool, device=logits.device)
    if not matches.any(1).all() or not matches.any(0).all():
        raise ValueError("every image needs a caption that describes it and every caption an image: "
                         "pair the batch (each image with its own caption)")
    targets = matches.float()
    image_to_text = -(targets / targets.sum(1, keepdim=True) * F.log_softmax(logits, dim=1)).sum(1).mean()
    text_to_image = -(targets / targets.sum(0, keepdim=True) * F.log_softmax(logits, dim=0)).sum(0).mean()
    return (image_to_text + text_to_image) / 2
