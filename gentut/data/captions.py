"""Captions written from the known factors: the text half of the kit's tiny CLIP.

CLIP learnt from 400 million images with the captions people wrote for them. The kit's images
come with their factors, so a caption can be *written* from them: a face with smile 0.9, age 0.8
and glasses becomes "a face, smiling, old, with glasses". Each factor has a few phrases, each
true over a range of the factor (`PHRASES`); values between the ranges (a neutral mouth, middle
age) have no phrase, just as a person would not mention them.

    phrases = clear_phrases("faces", batch.factors)      # (n, P) bool: which phrases are true of each image
    texts = sample_captions("faces", phrases, generator)  # a random subset of the true phrases, per image
    ids, offsets = tokenize(texts)                        # words and word pairs -> ids, for nn.EmbeddingBag

A caption mentions a random subset of what is true (one phrase up to all), like a real caption,
so a short caption ("a face, smiling") describes many images. Because the kit knows every
image's phrases it can tell which captions describe which images (`caption_matches`), which the
contrastive loss uses (gentut/models/clip.py).

Text is read as a bag of words and word pairs (as fastText does): "red hair" and "red
background" share the word "red" but not the pair, so the two differ; word order beyond pairs is
lost, which these captions never need. Words outside the vocabulary are ignored and reported by
`unknown_words`, so a text box can say what it did not understand.
"""

from __future__ import annotations

import re

import torch

__all__ = ["PHRASES", "DOMAIN_WORD", "phrase_list", "clear_phrases", "sample_captions", "caption_of", "caption_matches",
           "VOCABULARY", "words_of", "features_of", "tokenize", "unknown_words"]

# dataset -> factor -> [(low, high, phrase)]: the phrase is true when low <= factor <= high.
PHRASES: dict[str, dict[str, list[tuple[float, float, str]]]] = {
    "faces": {
        "smile": [(0.0, 0.3, "frowning"), (0.7, 1.0, "smiling")],
        "eyeglasses": [(0.0, 0.0, "without glasses"), (1.0, 1.0, "with glasses")],
        "age": [(0.0, 0.3, "young"), (0.7, 1.0, "old")],
        "yaw": [(0.0, 0.25, "facing left"), (0.4, 0.6, "facing forward"), (0.75, 1.0, "facing right")],
        "hair_length": [(0.0, 0.3, "short hair"), (0.7, 1.0, "long hair")],
        # the palette's four colours sit at 0, 1/3, 2/3 and 1 (gentut/data/faces.py)
        "hair_color": [(0.0, 0.12, "black hair"), (0.25, 0.42, "brown hair"), (0.58, 0.75, "red hair"),
                       (0.88, 1.0, "blond hair")],
        "skin_tone": [(0.0, 0.3, "light skin"), (0.7, 1.0, "dark skin")],
        # background factor b is the hue 0.85 b: red 0, yellow 1/6, green 1/3, blue 2/3, pink 0.83
        "background": [(0.0, 0.06, "red background"), (0.15, 0.24, "yellow background"),
                       (0.33, 0.45, "green background"), (0.72, 0.84, "blue background"),
                       (0.93, 1.0, "pink background")],
    },
    "scenes": {
        "daylight": [(0.0, 0.45, "at night"), (0.55, 1.0, "by day")],
        "lamps_on": [(0.0, 0.0, "lamps off"), (1.0, 1.0, "lamps lit")],
        "cloudiness": [(0.0, 0.3, "clear sky"), (0.7, 1.0, "cloudy sky")],
        "greenery": [(0.0, 0.3, "bare earth"), (0.7, 1.0, "green trees")],
        "house_x": [(0.0, 0.3, "house on the left"), (0.7, 1.0, "house on the right")],
    },
}
DOMAIN_WORD = {"faces": "face", "scenes": "scene"}     # every caption starts "a face, ..." or "a scene, ..."


def phrase_list(dataset: str) -> list[tuple[str, float, float, str]]:
    """All phrases of `dataset` in a fixed order: [(factor, low, high, phrase)]."""
    if dataset not in PHRASES:
        raise ValueError(f"no captions for dataset {dataset!r}; choose one of {tuple(PHRASES)}")
    return [(factor, low, high, phrase) for factor, ranges in PHRASES[dataset].items() for low, high, phrase in ranges]


def clear_phrases(dataset: str, factors: dict[str, torch.Tensor]) -> torch.Tensor:
    """Which phrases are true of each image: factors name -> (n,) in [0, 1]  ->  bool (n, P)."""
    columns = [(factors[factor] >= low) & (factors[factor] <= high) for factor, low, high, _ in phrase_list(dataset)]
    return torch.stack(columns, dim=1)


def caption_of(dataset: str, phrases: list[str]) -> str:
    """The caption that mentions `phrases`: "a face, smiling, with glasses" (just "a face" for none)."""
    return ", ".join([f"a {DOMAIN_WORD[dataset]}"] + list(phrases))


def sample_captions(dataset: str, phrases: torch.Tensor, generator: torch.Generator,
                    mention: float = 0.5) -> tuple[list[str], torch.Tensor]:
    """One caption per image from its true phrases (n, P) bool.

    Each true phrase is mentioned with probability `mention`; at least one is (when there is one).
    Returns (captions, mentioned (n, P) bool), the second for `caption_matches`.
    """
    names = [phrase for *_, phrase in phrase_list(dataset)]
    mentioned = phrases & (torch.rand(phrases.shape, generator=generator) < mention)
    for i in torch.nonzero(~mentioned.any(1) & phrases.any(1)).flatten().tolist():
        true = torch.nonzero(phrases[i]).flatten()
        mentioned[i, true[torch.randint(len(true), (1,), generator=generator)]] = True
    texts = [caption_of(dataset, [names[j] for j in torch.nonzero(row).flatten().tolist()]) for row in mentioned]
    return texts, mentioned


def caption_matches(image_phrases: torch.Tensor, caption_phrases: torch.Tensor) -> torch.Tensor:
    """Does caption j describe image i? (n_images, P), (n_captions, P) bool -> (n_images, n_captions) bool.

    A caption describes an image when every phrase it mentions is true of the image. Images of
    the other dataset share no phrase, so give each dataset's phrases their own columns.
    """
    missing = (~image_phrases).float() @ caption_phrases.float().T       # mentioned but not true
    return missing == 0


def words_of(text: str) -> list[str]:
    """Lower-case words of `text`; punctuation splits words and is dropped."""
    return re.findall(r"[a-z]+", text.lower())


def features_of(text: str) -> list[str]:
    """The words of `text` and the pairs of neighbouring words within each comma-separated part."""
    features = []
    for part in re.split(r"[,.;:!?]", text):
        words = words_of(part)
        features += words + [f"{a} {b}" for a, b in zip(words[:-1], words[1:])]
    return features


def _build_vocabulary() -> dict[str, int]:
    features: set[str] = set()
    for dataset in PHRASES:
        for *_, phrase in phrase_list(dataset):
            features.update(features_of(caption_of(dataset, [phrase])))
    return {feature: i for i, feature in enumerate(sorted(features))}


VOCABULARY: dict[str, int] = _build_vocabulary()     # word or word pair -> id; the same on every machine


def tokenize(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Texts -> (ids (total,), offsets (n,)) of their known words and word pairs, for nn.EmbeddingBag.

    A text with no known word gets no ids (its bag is empty and embeds to zero).
    """
    ids, offsets = [], []
    for text in texts:
        offsets.append(len(ids))
        ids.extend(VOCABULARY[f] for f in features_of(text) if f in VOCABULARY)
    return torch.tensor(ids, dtype=torch.long), torch.tensor(offsets, dtype=torch.long)


def unknown_words(text: str) -> list[str]:
    """The words of `text` that the vocabulary does not know (they are ignored)."""
    return [w for w in words_of(text) if w not in VOCABULARY]
