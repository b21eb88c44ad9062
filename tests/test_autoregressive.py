"""The autoregressive models: causality, likelihood, sampling, the char-RNN."""

import math

import pytest
import torch

from gentut.models.autoregressive import (
    FVSBN, NADE, CharRNN, IndependentBernoulli, PixelCNN, causal_mask, nll, sample,
)

SHAPE = (1, 6, 6)
D = 36


def image_models():
    torch.manual_seed(0)
    fvsbn = FVSBN(D)
    torch.nn.init.normal_(fvsbn.weight)         # zeros at init would make the causality test vacuous
    return [IndependentBernoulli(D), fvsbn, NADE(D, 16), PixelCNN(8, 2, 5)]


@pytest.mark.parametrize("model", image_models(), ids=lambda m: type(m).__name__)
def test_logit_i_depends_only_on_pixels_before_i(model):
    x = torch.randint(0, 2, (1, *SHAPE)).float()
    jacobian = torch.autograd.functional.jacobian(lambda v: model(v.view(1, *SHAPE))[0], x.flatten())
    assert jacobian.shape == (D, D)
    future = torch.triu(torch.ones(D, D, dtype=torch.bool))     # j >= i
    assert jacobian[future].abs().max() == 0
    if not isinstance(model, IndependentBernoulli):
        assert jacobian[~future].abs().sum() > 0                # and it does use the past


def test_causal_mask_types():
    a, b = causal_mask(3, "A"), causal_mask(3, "B")
    assert a.tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    assert b.tolist() == [[1, 1, 1], [1, 1, 0], [0, 0, 0]]
    with pytest.raises(ValueError):
        causal_mask(3, "C")


def test_nll_is_the_chain_rule_sum():
    model = image_models()[1]
    x = torch.randint(0, 2, (3, *SHAPE)).float()
    p = torch.sigmoid(model(x))                                # p(x_i = 1 | x_<i)
    flat = x.flatten(1)
    by_hand = -(flat * p.log() + (1 - flat) * (1 - p).log()).sum(1)
    assert torch.allclose(nll(model, x), by_hand, atol=1e-4)


def test_independent_bernoulli_nll_of_uniform_model_is_d_log2():
    x = torch.randint(0, 2, (4, *SHAPE)).float()
    assert torch.allclose(nll(IndependentBernoulli(D), x), torch.full((4,), D * math.log(2)))


@pytest.mark.parametrize("model", image_models()[1:], ids=lambda m: type(m).__name__)
def test_sample_is_binary_reproducible_and_reports_its_probabilities(model):
    images, probs = sample(model, 5, SHAPE, generator=torch.Generator().manual_seed(1))
    again, _ = sample(model, 5, SHAPE, generator=torch.Generator().manual_seed(1))
    assert images.shape == (5, *SHAPE) and probs.shape == (5, D)
    assert set(images.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(images, again)
    # the recorded probabilities are the model's conditionals evaluated on the sample itself
    assert torch.allclose(probs, torch.sigmoid(model(images)), atol=1e-5)


def test_sampling_follows_the_conditionals():
    model = IndependentBernoulli(D)
    with torch.no_grad():
        model.bias.fill_(math.log(0.2 / 0.8))                 # p = 0.2 for every pixel
    images, _ = sample(model, 2000, SHAPE, generator=torch.Generator().manual_seed(0))
    assert abs(images.mean().item() - 0.2) < 0.01
    cold, _ = sample(model, 200, SHAPE, temperature=0.05, generator=torch.Generator().manual_seed(0))
    assert cold.mean().item() < 0.01                          # low temperature -> the likelier value
    with pytest.raises(ValueError, match="temperature"):
        sample(model, 1, SHAPE, temperature=0)


def test_completion_keeps_the_given_pixels():
    model = image_models()[2]
    given = torch.randint(0, 2, (4, *SHAPE)).float()
    known = torch.arange(D) < D // 2
    images, probs = sample(model, 4, SHAPE, given=given, known=known, generator=torch.Generator().manual_seed(0))
    assert torch.equal(images.flatten(1)[:, known], given.flatten(1)[:, known])
    assert torch.equal(probs[:, known], given.flatten(1)[:, known])


def test_char_rnn_probabilities_and_sampling():
    torch.manual_seed(0)
    rnn = CharRNN("^helo$", hidden_size=8)
    probs = rnn.next_char_probs("^hello$")
    assert probs.shape == (6, 6)
    assert torch.allclose(probs.sum(1), torch.ones(6))
    text = rnn.sample(max_len=10, generator=torch.Generator().manual_seed(0))
    assert text.startswith("^") and set(text) <= set("^helo$") and len(text) <= 11
    with pytest.raises(ValueError, match="not in the vocabulary"):
        rnn.encode("hi")
    with pytest.raises(ValueError, match="repeated"):
        CharRNN("aa")


def test_nade_logit_at_matches_the_full_forward():
    model = NADE(D, 16)
    x = torch.randint(0, 2, (3, *SHAPE)).float()
    full = model(x)
    for i in (0, 1, 17, D - 1):
        assert torch.allclose(model.logit_at(x, i), full[:, i], atol=1e-5)
