"""Captions written from factors, the tokenizer, the tiny CLIP's loss and its training.

The phrases must be true exactly where the factors say; the multi-positive loss must equal
CLIP's own when each caption fits one image; a few training steps must make images and their
captions more similar than images and other captions.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from gentut.data.captions import (PHRASES, VOCABULARY, caption_matches, caption_of, clear_phrases, features_of,
                                  phrase_list, sample_captions, tokenize, unknown_words)
from gentut.data.faces import make_faces
from gentut.data.scenes import make_scenes
from gentut.interpret.zeroshot import phrase_columns, train_clip, zero_shot_accuracy
from gentut.models.clip import TinyCLIP, clip_loss


def test_every_factor_range_gives_its_phrase_and_gaps_give_none():
    factors = {name: torch.full((3,), 0.5) for name in PHRASES["faces"]}
    factors["smile"] = torch.tensor([0.1, 0.5, 0.9])
    factors["eyeglasses"] = torch.tensor([1.0, 0.0, 1.0])
    phrases = clear_phrases("faces", factors)
    names = [p for *_, p in phrase_list("faces")]
    said = [{names[j] for j in torch.nonzero(row).flatten().tolist()} for row in phrases]
    assert "frowning" in said[0] and "smiling" in said[2]
    assert not {"frowning", "smiling"} & said[1]                     # a neutral mouth is not mentioned
    assert "with glasses" in said[0] and "without glasses" in said[1]
    assert "facing forward" in said[1]                               # yaw 0.5


def test_hair_colour_phrases_sit_on_the_palette_colours():
    # the palette's colours are at 0, 1/3, 2/3, 1: each phrase's range holds exactly one of them
    anchors = torch.tensor([0.0, 1 / 3, 2 / 3, 1.0])
    for (factor, low, high, _), anchor in zip([p for p in phrase_list("faces") if p[0] == "hair_color"], anchors):
        assert low <= anchor <= high
        assert ((anchors >= low) & (anchors <= high)).sum() == 1


def test_sampled_captions_mention_only_true_phrases_and_at_least_one():
    batch = make_faces(40, seed=0, size=16)
    phrases = clear_phrases("faces", batch.factors)
    texts, mentioned = sample_captions("faces", phrases, torch.Generator().manual_seed(0))
    assert (mentioned <= phrases).all()
    assert (mentioned.any(1) == phrases.any(1)).all()
    names = [p for *_, p in phrase_list("faces")]
    for text, row in zip(texts, mentioned):
        assert text == caption_of("faces", [names[j] for j in torch.nonzero(row).flatten().tolist()])
    matches = caption_matches(phrases, mentioned)
    assert matches.diagonal().all()                                  # every image fits its own caption


def test_caption_matches_is_subset_inclusion():
    images = torch.tensor([[1, 1, 0], [1, 0, 1]], dtype=torch.bool)
    captions = torch.tensor([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]], dtype=torch.bool)
    assert caption_matches(images, captions).tolist() == [[True, True, False, False], [True, False, True, False]]


def test_word_pairs_tell_hair_from_background_and_unknown_words_are_reported():
    assert "red hair" in features_of("a face, red hair") and "red hair" not in features_of("a face, red background")
    assert "face red" not in features_of("a face, red hair")          # no pair across a comma
    ids, offsets = tokenize(["a face, red hair", "a face, red background", "purple"])
    bags = [set(ids[a:b].tolist()) for a, b in zip(offsets.tolist(), offsets.tolist()[1:] + [len(ids)])]
    assert bags[0] != bags[1] and bags[2] == set()
    assert unknown_words("a Purple face, SMILING") == ["purple"]
    assert all(feature in VOCABULARY for feature in features_of("a scene, at night, lamps lit"))


def test_phrase_columns_put_datasets_side_by_side():
    columns = phrase_columns(["faces", "scenes"])
    assert columns["faces"] == slice(0, 1 + len(phrase_list("faces")))
    assert columns["scenes"].start == columns["faces"].stop


def test_clip_loss_is_clips_own_for_one_caption_per_image_and_spreads_targets_otherwise():
    logits = torch.randn(5, 5, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(5)
    own = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    assert torch.allclose(clip_loss(logits), own)
    both = torch.eye(5, dtype=torch.bool)
    both[0, 1] = both[1, 0] = True                                    # images 0 and 1 fit each other's caption
    assert clip_loss(torch.zeros(5, 5), both) == pytest.approx(math.log(5))
    assert clip_loss(logits, both) != pytest.approx(own.item())
    with pytest.raises(ValueError, match="every image needs a caption"):
        clip_loss(logits, torch.zeros(5, 5, dtype=torch.bool))


def test_tiny_clip_embeds_to_unit_vectors_and_checks_its_vocabulary():
    clip = TinyCLIP(embed_dim=8, width=4).eval()
    assert torch.allclose(clip.encode_image(torch.rand(3, 3, 16, 16)).norm(dim=1), torch.ones(3), atol=1e-5)
    assert clip.encode_text(["a face, smiling", "a scene"]).shape == (2, 8)
    assert clip.encode_text("a face").shape == (1, 8)
    with pytest.raises(ValueError, match="retrain it"):
        TinyCLIP(vocab_size=len(VOCABULARY) + 1)


def test_a_few_hundred_steps_teach_the_tiny_clip_to_read_glasses_and_daylight():
    torch.manual_seed(0)
    data = {"faces": make_faces(600, seed=0, size=16), "scenes": make_scenes(600, seed=0, size=16)}
    clip = TinyCLIP(embed_dim=16, width=8)
    history = train_clip(clip, data, steps=150, batch_size=64, lr=3e-3, generator=torch.Generator().manual_seed(0),
                         progress=False)
    assert history[-1]["loss"] < history[0]["loss"] - 0.5
    clip.eval()
    held_out = {"faces": make_faces(300, seed=1, size=16), "scenes": make_scenes(300, seed=1, size=16)}
    assert zero_shot_accuracy(clip, held_out["faces"], "faces")["eyeglasses"] > 0.8        # chance 0.5
    assert zero_shot_accuracy(clip, held_out["scenes"], "scenes")["daylight"] > 0.8
