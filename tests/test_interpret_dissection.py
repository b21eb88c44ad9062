"""gentut.interpret.dissection and .intervention on planted feature maps, hand-made masks and a tiny generator."""

import pytest
import torch
import torch.nn as nn

from gentut.interpret.dissection import (UnitDissection, best_thresholds, chance_iou, interpretable_counts, iou_of, iqr_of,
                                         layer_features, overlap_fractions, quantile_thresholds, threshold_iou,
                                         upsample)
from gentut.interpret.edits import broadcast_ws, render_ws, sample_latents
from gentut.interpret.intervention import (ablate_units, ablated_share, concept_share, insert_units,
                                           insertion_effect, random_units, region_at, square_region)
from gentut.models.stylegan import StyleGenerator


def tiny_generator():
    torch.manual_seed(0)
    return StyleGenerator(z_dim=8, w_dim=8, image_size=16, width=4, max_channels=8).eval()


def tiny_ws(G, n=3):
    return broadcast_ws(G, sample_latents(G, n, torch.Generator().manual_seed(1))[1])


class RedSegmenter(nn.Module):
    """A 'segmenter' with a known answer: class 1 where the red channel exceeds 0.5, else 0."""

    def segment(self, images):
        return (images[:, 0] > 0.5).long()


def halves_masks():
    """Two 4x4 masks: class 0 on the top half, class 1 on the bottom half; class 2 on one corner pixel."""
    masks = torch.zeros(2, 4, 4, dtype=torch.long)
    masks[:, 2:] = 1
    masks[:, 3, 3] = 2
    return masks


def test_quantile_thresholds_on_a_planted_ramp():
    features = torch.arange(101.0).reshape(1, 1, 101, 1).repeat(1, 2, 1, 1)       # values 0 .. 100 per unit
    features[:, 1] *= 2
    assert torch.allclose(quantile_thresholds(features, 0.99), torch.tensor([99.0, 198.0]))
    assert torch.allclose(quantile_thresholds(features, [0.5, 0.9]), torch.tensor([[50.0, 90.0], [100.0, 180.0]]))
    with pytest.raises(ValueError, match="quantile levels"):
        quantile_thresholds(features, 1.5)


def test_iou_on_hand_made_masks():
    masks = halves_masks()
    features = torch.zeros(2, 3, 4, 4)
    features[:, 0, 2:] = 1.0            # unit 0 fires on the bottom half: class 1 plus the class-2 pixel
    features[:, 1, :, :2] = 1.0         # unit 1 fires on the left half
    iou = threshold_iou(features, masks, torch.tensor([0.5, 0.5, 0.5]), n_classes=3)[:, 0]   # (3 units, 3 classes)
    assert torch.allclose(iou[0], torch.tensor([0.0, 7 / 8, 1 / 8]))
    assert torch.allclose(iou[1], torch.tensor([4 / 12, 4 / 11, 0.0]))      # left half vs top half, bottom half - corner
    assert torch.equal(iou[2], torch.zeros(3))                               # a unit that never fires


def test_thresholds_on_upsampled_maps_match_a_direct_computation():
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(5, 4, 4, 4, generator=generator)
    masks = torch.randint(0, 3, (5, 8, 8), generator=generator)
    thresholds = quantile_thresholds(features, [0.2, 0.5, 0.9])
    iou = threshold_iou(features, masks, thresholds, n_classes=3)
    up = upsample(features, 8)
    for unit in range(4):
        for t in range(3):
            region = up[:, unit] > thresholds[unit, t]
            for c in range(3):
                concept = masks == c
                expected = (region & concept).sum() / (region | concept).sum()
                assert iou[unit, t, c] == pytest.approx(expected.item(), abs=1e-6)


def test_iqr_is_one_for_the_same_region_and_zero_for_an_independent_one():
    same = iqr_of(torch.tensor([[[0.3]]]), torch.tensor([[[0.3]]]), torch.tensor([0.3]))
    independent = iqr_of(torch.tensor([[[0.06]]]), torch.tensor([[[0.2]]]), torch.tensor([0.3]))   # 0.06 = 0.2 * 0.3
    assert same.item() == pytest.approx(1.0, abs=1e-6) and independent.item() == pytest.approx(0.0, abs=1e-6)
    assert iou_of(torch.tensor([[[0.06]]]), torch.tensor([[[0.2]]]), torch.tensor([0.3])).item() > 0.1   # IoU is not 0


@pytest.mark.parametrize("criterion", ["iou", "iqr"])
def test_best_threshold_recovers_a_planted_concept_unit(criterion):
    generator = torch.Generator().manual_seed(0)
    masks = torch.randint(0, 2, (20, 8, 8), generator=generator)
    masks[:, ::2] = 2                                      # class 2 on exactly half of the pixels
    features = 0.1 * torch.rand(20, 2, 8, 8, generator=generator)
    features[:, 0] += (masks == 2).float()                 # unit 0 is high exactly on class 2
    thresholds, iou, area = best_thresholds(features, masks, 3, criterion=criterion,
                                      levels=[0.1 * k for k in range(1, 10)])
    assert iou[0, 2].item() == pytest.approx(1.0)
    assert 0.1 <= thresholds[0, 2] < 1.0                    # between the background and the planted values
    assert iou[1].max() < 0.6                               # noise matches no class
    assert area[0, 2].item() == pytest.approx(0.5)          # the planted unit covers class 2: half the pixels


def test_unit_dissection_labels_units_and_counts_them():
    masks = halves_masks().repeat(5, 1, 1)
    features = torch.rand(10, 3, 4, 4, generator=torch.Generator().manual_seed(0)) * 0.1
    features[:, 0] += (masks == 1).float()                 # unit 0: class 1
    features[:, 2] += (masks == 0).float()                 # unit 2: class 0
    for method in ["quantile", "iou", "iqr"]:
        d = UnitDissection(method=method, quantile=0.4, min_lift=0.3).fit(features, masks, n_classes=3)
        assert d.iou_.shape == d.thresholds_.shape == (3, 3)
        assert d.best_concept_[0] == 1 and d.best_concept_[2] == 0 and not d.interpretable_[1]
        assert interpretable_counts(d).tolist() == [1, 1, 0]
        assert d.top_units(1, 2)[0] == 0
    with pytest.raises(ValueError, match="method"):
        UnitDissection(method="mean")


def test_chance_iou_matches_random_regions():
    generator = torch.Generator().manual_seed(0)
    region = torch.rand(200_000, generator=generator) < 0.4
    concept = torch.rand(200_000, generator=generator) < 0.3
    measured = ((region & concept).sum() / (region | concept).sum()).item()
    assert chance_iou(torch.tensor(0.4), torch.tensor(0.3)).item() == pytest.approx(measured, abs=0.005)


def test_overlap_fractions_reject_bad_shapes():
    with pytest.raises(ValueError, match="masks"):
        overlap_fractions(torch.zeros(2, 1, 4, 4), torch.zeros(3, 4, 4, dtype=torch.long), torch.zeros(1), 2)
    with pytest.raises(ValueError, match="ascending"):
        overlap_fractions(torch.zeros(2, 1, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long), torch.tensor([[1.0, 0.0]]), 2)


def test_layer_features_records_every_layer_and_removes_its_hooks():
    G = tiny_generator()
    ws = tiny_ws(G)
    images, features = layer_features(G, ws, range(G.num_ws), batch_size=2)
    assert torch.allclose(images, render_ws(G, ws))
    assert [f.shape[-1] for f in features.values()] == [G.layer_resolution(i) for i in range(G.num_ws)]
    assert all(len(conv._forward_hooks) == 0 for conv in G.convs)


def test_ablation_zeroes_exactly_the_chosen_channels():
    G = tiny_generator()
    ws = tiny_ws(G)
    images, plain = layer_features(G, ws, [2])
    with ablate_units(G, 2, [0, 3]):
        ablated_images, ablated = layer_features(G, ws, [2])     # this hook runs after the ablation's
    assert ablated[2][:, [0, 3]].eq(0).all()
    assert torch.equal(ablated[2][:, [1, 2]], plain[2][:, [1, 2]])
    assert not torch.allclose(ablated_images, images)
    assert len(G.convs[2]._forward_hooks) == 0 and torch.allclose(render_ws(G, ws), images)
    with pytest.raises(ValueError, match="channel indices"):
        with ablate_units(G, 2, [99]):
            pass


def test_insertion_sets_the_chosen_channels_inside_the_region_only():
    G = tiny_generator()
    ws = tiny_ws(G)
    _, plain = layer_features(G, ws, [1])                      # layer 1 works at 8x8; the image is 16x16
    region = square_region(0, 0, 8, 16)                        # the top-left quarter -> 4x4 cells at 8x8
    with insert_units(G, 1, [1, 2], torch.tensor([5.0, 7.0]), region):
        _, inserted = layer_features(G, ws, [1])
    inside = region_at(region, 8)
    assert inside.sum() == 16 and inside[:4, :4].all()
    assert inserted[1][:, 1, :4, :4].eq(5).all() and inserted[1][:, 2, :4, :4].eq(7).all()
    assert torch.equal(inserted[1][:, 1:3, :, 4:], plain[1][:, 1:3, :, 4:])
    assert torch.equal(inserted[1][:, 1:3, 4:], plain[1][:, 1:3, 4:])
    assert torch.equal(inserted[1][:, [0, 3]], plain[1][:, [0, 3]])
    with pytest.raises(ValueError, match="one per unit"):
        with insert_units(G, 1, [1, 2], torch.tensor([1.0, 2.0, 3.0]), region):
            pass


def test_regions():
    square = square_region(14, 14, 4, 16)                      # clipped at the border
    assert square.sum() == 4 and square[14:, 14:].all()
    assert region_at(square_region(0, 0, 2, 4), 8).sum() == 16         # upsampled: 2x2 -> 4x4
    assert region_at(square_region(0, 0, 1, 4), 2).sum() == 0           # a quarter of a cell is not in
    with pytest.raises(ValueError, match="square"):
        region_at(torch.ones(2, 3, dtype=torch.bool), 4)


def test_concept_share_and_random_units():
    images = torch.zeros(2, 3, 4, 4)
    images[0, 0, :, :2] = 1.0                                  # image 0: left half red
    assert torch.allclose(concept_share(RedSegmenter(), images, 1), torch.tensor([0.5, 0.0]))
    assert torch.allclose(concept_share(RedSegmenter(), images, 1, square_region(0, 0, 2, 4)), torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="empty"):
        concept_share(RedSegmenter(), images, 1, torch.zeros(4, 4, dtype=torch.bool))
    units = random_units(10, 4, torch.Generator().manual_seed(0), exclude=[0, 1, 2])
    assert len(set(units.tolist())) == 4 and not set(units.tolist()) & {0, 1, 2}
    assert torch.equal(units, random_units(10, 4, torch.Generator().manual_seed(0), exclude=[0, 1, 2]))
    with pytest.raises(ValueError, match="cannot draw"):
        random_units(4, 3, torch.Generator(), exclude=[0, 1])


def test_ablated_share_and_insertion_effect_on_a_tiny_generator():
    G = tiny_generator()
    ws = tiny_ws(G, 4)
    before = concept_share(RedSegmenter(), render_ws(G, ws), 1).mean().item()
    assert ablated_share(G, RedSegmenter(), ws, 1, [], 1) == pytest.approx(before)       # no units: no change
    region = square_region(4, 4, 8, 16)
    effect = insertion_effect(G, RedSegmenter(), ws, 4, [0], 0.0, region, 1)
    assert set(effect) == {"inside_before", "inside_after", "outside_before", "outside_after"}
    assert all(v.shape == (4,) for v in effect.values())
