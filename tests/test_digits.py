"""The binarized digits and their fixed split."""

import torch

from gentut.data.digits import load_binarized_digits


def test_split_sizes_values_and_disjointness():
    train, train_labels = load_binarized_digits("train")
    test, test_labels = load_binarized_digits("test")
    assert train.shape == (1500, 1, 8, 8) and test.shape == (297, 1, 8, 8)
    assert train.dtype == torch.float32 and train_labels.dtype == torch.int64
    assert set(train.unique().tolist()) == {0.0, 1.0}
    assert set(test_labels.tolist()) == set(range(10))
    # together they are exactly the whole set (no image lost or duplicated by the split)
    all_images, _ = load_binarized_digits("all")
    key = lambda t: sorted(map(tuple, t.flatten(1).int().tolist()))
    assert key(torch.cat([train, test])) == key(all_images)


def test_split_is_fixed():
    a, _ = load_binarized_digits("test")
    b, _ = load_binarized_digits("test")
    assert torch.equal(a, b)


def test_bad_split_name():
    import pytest
    with pytest.raises(ValueError, match="split"):
        load_binarized_digits("validation")
