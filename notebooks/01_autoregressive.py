# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/01_autoregressive.ipynb)
#
# # 01 — Autoregressive models
#
# An 8x8 binary digit is a vector of 64 coins, `x = (x_1, ..., x_64)`. An autoregressive model
# never writes down `p(x)` in one piece; it uses the **chain rule** of probability, which holds
# for every distribution,
#
# $$p(x_1, \dots, x_D) = p(x_1)\, p(x_2 \mid x_1)\, p(x_3 \mid x_1, x_2) \cdots p(x_D \mid x_1, \dots, x_{D-1}),$$
#
# and learns each conditional `p(x_i | x_<i)`. In this notebook you will:
# * build the conditionals four ways — independent pixels, FVSBN, NADE, PixelCNN — and a
#   character RNN for text;
# * train them on the binarized digits and compare their test likelihoods in nats, one table;
# * sample pixel by pixel with sliders (temperature, sampling step, completing a digit);
# * measure the family's pro and con: scoring an image is one pass, drawing one is `D` passes.

# %%
# Colab only: install gentut at the version this notebook belongs to, keeping Colab's own torch.
# Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    GENTUT = "gentut @ git+https://github.com/gentut/gentut@main"
    if subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", GENTUT]).returncode:
        raise RuntimeError(
            f"pip could not install {GENTUT}. Is the repository public, and does the branch or tag exist? "
            "If you forked the kit: run `python tools/colab_source.py YOUR_ORG/YOUR_REPO@BRANCH` and commit. "
            "Without GitHub: upload the kit's gentut/ folder next to this notebook (Files panel) and rerun.")

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from gentut.data.digits import load_binarized_digits
from gentut.evidence import check, compare
from gentut.models.autoregressive import (
    DIGIT_RECIPES, CharRNN, MaskedConv2d, PixelCNN, causal_mask, char_rnn_loss, dependency_map, digit_models, nll,
    sample,
)
from gentut.runtime import setup
from gentut.training import fit
from gentut.widgets.autoregressive import completion_panel, sampling_panel, temperature_panel
from gentut.widgets.render import image_grid

device, generator = setup(seed=0)


def show(images, title, nrow=16):
    """Draw a grid of binary images (B, 1, H, W) with a title."""
    plt.figure(figsize=(nrow * 0.45, 0.5 + 0.45 * math.ceil(len(images) / nrow)), dpi=72)
    plt.imshow(image_grid(images.cpu(), nrow=nrow))
    plt.title(title)
    plt.axis("off")
    plt.show()


# %% [markdown]
# ## 1. The data and the ordering
#
# The chain rule needs an order. For images the usual one is the **raster scan**: left to right,
# top to bottom. Pixel `i` may depend on every pixel with a smaller number below.

# %%
# NBVAL_CHECK_OUTPUT
print(np.arange(64).reshape(8, 8))

# %%
x_train, _ = load_binarized_digits("train")
x_test, _ = load_binarized_digits("test")
x_train, x_test = x_train.to(device), x_test.to(device)
show(x_train[:32], "training digits (binarized 8x8)")

# %% [markdown]
# ## 2. Three ways to write the conditionals
#
# All models live in `gentut/models/autoregressive.py` and share one contract: `model(x)` returns,
# for a batch of images, the 64 logits `log p(x_i = 1 | x_<i) / p(x_i = 0 | x_<i)`, and logit `i`
# may only look at pixels before `i` (the tests check this with gradients).
#
# * **Independent pixels** (baseline): `p(x_i = 1) = σ(b_i)`, no conditioning at all.
# * **FVSBN** (fully visible sigmoid belief network): a logistic regression per pixel,
#   $\hat x_i = \sigma(\alpha^i_0 + \sum_{j<i} \alpha^i_j x_j)$, a lower-triangular weight matrix.
# * **NADE**: a hidden layer per pixel, $h_i = \sigma(W_{\cdot,<i}\, x_{<i} + c)$,
#   $\hat x_i = \sigma(\alpha_i \cdot h_i + b_i)$, with `W` and `c` **shared** by all pixels, so
#   the pre-activation of pixel `i+1` is that of pixel `i` plus one column — a cumulative sum.
# * **PixelCNN** (section 4): masked convolutions.
#
# How many numbers does each model learn?

# %%
# NBVAL_CHECK_OUTPUT
models = digit_models()      # IndependentBernoulli(64), FVSBN(64), NADE(64, 128), PixelCNN(32, 3 layers, 7x7 first)
for name, model in models.items():
    model.to(device)
    print(f"{name:12s} {sum(p.numel() for p in model.parameters()):7,d} parameters")
mask = models["FVSBN"].mask
print(f"FVSBN's mask keeps {int(mask.sum()):,d} of its {mask.numel():,d} weights: those below the diagonal")

# %% [markdown]
# (FVSBN stores a full 64x64 matrix, but its mask uses only the entries below the diagonal: pixel
# `i` reads pixels `0 .. i-1`, so 0 + 1 + ... + 63 weights.)
#
# ## 3. The same idea for text: a character RNN
#
# The lecture's example: with the vocabulary `{h, e, l, o}` (plus `^` to start and `$` to end a
# word), `p("hello") = p(h | ^) p(e | ^h) p(l | ^he) p(l | ^hel) p(o | ^hell) p($ | ^hello)`.
# A recurrent network carries everything read so far in its hidden state,
# $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t)$, and predicts the next character with
# $\mathrm{softmax}(W_{hy} h_t)$. We train one on a dozen tiny words.

# %%
words = ["hello"] * 4 + ["hell"] * 2 + ["hole", "hoe", "heel", "eel", "oleo", "lee"]
rnn = CharRNN("^helo$", hidden_size=32).to(device)
rnn_history = fit(rnn, char_rnn_loss, rnn.encode_words(words).to(device), epochs=300, lr=1e-2,
                  batch_size=len(words), generator=generator, desc="char-RNN")

# %% [markdown]
# Read `p("hello")` off the network, one conditional at a time, and set each number beside the
# word counts: of the training words that start with the context, the share that go on with the
# next letter (the maximum-likelihood answer for this context).

# %%
probs = rnn.next_char_probs("^hello$")
log_p, count_gaps = 0.0, []
for t, ch in enumerate("hello$"):
    context = "^hello"[:t + 1]
    p = probs[t, rnn.vocab.index(ch)].item()
    log_p += math.log(p)
    n_context = sum(f"^{w}$".startswith(context) for w in words)
    n_next = sum(f"^{w}$".startswith(context + ch) for w in words)
    count_gaps.append(abs(p - n_next / n_context))
    print(f"p({ch} | {context:6s}) = {p:.3f}   word counts: {n_next:2d} of {n_context:2d} = {n_next / n_context:.3f}")
print(f"p('hello') = {math.exp(log_p):.3f}   (4 of the 12 training words are 'hello': {4 / 12:.3f})")
print(check(max(count_gaps) < 0.02, "every conditional matches the word counts to within 0.02"))

# %% [markdown]
# Every conditional matches the word counts to within 0.02: the network has learnt the counts.
# After `^he` the next letter is `l`, and after `^hel` it is `l` *again* — the network can only
# tell these two positions apart because its state remembers how many `l`s it has read.
#
# Sampling is the chain rule run forwards: draw a letter, feed it back, draw the next. The
# **temperature** `T` divides the logits before the softmax: `T < 1` sharpens, `T > 1` flattens.
# The entropy of the first letter's distribution measures how flat it is (`ln 4 = 1.39` nats would
# be a uniform choice among `h, e, l, o`).

# %%
first_letter_logits = probs[0].log()                 # log p(. | ^) at T = 1, up to a constant
for temperature in (0.3, 1.0, 3.0):
    p_first = torch.softmax(first_letter_logits / temperature, 0)
    entropy = -(p_first * p_first.clamp_min(1e-12).log()).sum().item()
    draws = [rnn.sample(temperature=temperature, generator=generator)[1:].rstrip("$") for _ in range(12)]
    novel = sum(w not in words for w in draws)
    print(f"T = {temperature}: first letter entropy {entropy:.2f} nats | {' '.join(draws)}   "
          f"({novel}/12 not in the training words)")

# %% [markdown]
# ## 4. PixelCNN: masked convolutions
#
# A convolution sees a window around each pixel, including pixels *after* it in raster order.
# PixelCNN (van den Oord et al., 2016) multiplies each kernel by a mask. The first layer uses
# mask **A**, which also hides the centre pixel (the output at `i` must not see `x_i`); later
# layers use mask **B**, which keeps the centre because by then it only carries information about
# pixels before `i`.

# %%
# NBVAL_CHECK_OUTPUT
print("mask A (5x5):\n", causal_mask(5, "A").int().numpy())
print("mask B (5x5):\n", causal_mask(5, "B").int().numpy())

# %% [markdown]
# Which pixels does one output actually see? `dependency_map` measures it: it back-propagates from
# the logit of one pixel to the input and marks every input pixel with a non-zero gradient. We
# apply our PixelCNN to a 16x16 image (convolutions work at any size) and look at pixel (8, 8).

# %%
pixel = (8, 8)
seen = dependency_map(models["PixelCNN"], (1, 16, 16), pixel)
before = (torch.arange(256) < pixel[0] * 16 + pixel[1]).view(16, 16)   # earlier in raster order
blind = before & ~seen
picture = torch.stack([blind.float(), seen.float(), torch.zeros(16, 16)])  # red: unseen earlier pixels, green: seen
picture[:, pixel[0], pixel[1]] = 1.0                                      # white: the pixel itself
plt.figure(figsize=(3, 3), dpi=72)
plt.imshow(picture.permute(1, 2, 0).numpy())
plt.title("green: seen, red: earlier but unseen")
plt.axis("off")
plt.show()
reach = sum(m.kernel_size[0] // 2 for m in models["PixelCNN"].modules() if isinstance(m, MaskedConv2d))
rows, cols = torch.meshgrid(torch.arange(16), torch.arange(16), indexing="ij")
in_reach = ((rows - pixel[0]).abs() <= reach) & ((cols - pixel[1]).abs() <= reach)
later_seen = int((seen & ~before).sum())
print(f"pixel {pixel} may depend on {int(before.sum())} earlier pixels; "
      f"it sees {int(seen.sum())}, misses {int(blind.sum())}, and sees {later_seen} later ones")
print(f"the masked layers reach {reach} pixels away; of the {int(blind.sum())} missed pixels, "
      f"{int((blind & ~in_reach).sum())} lie beyond that reach (the frame), {int((blind & in_reach).sum())} within it")
print(check(later_seen == 0, "the last number must be 0"))
print(check((blind & in_reach).sum() > 0,
            "the staircase at the upper right is within reach, yet unseen"))
seen_share = [dependency_map(models["PixelCNN"], (1, 8, 8), divmod(i, 8)).view(-1)[:i].float().mean().item()
              for i in range(1, 64)]                   # the share of its earlier pixels that conditional i sees
print(f"on the 8x8 digits, the PixelCNN's conditionals see on average {np.mean(seen_share):.0%} of their earlier "
      f"pixels (FVSBN's and NADE's see all of them)")

# %% [markdown]
# The last number must be 0 — otherwise the model could cheat by reading the pixel it predicts.
# The red pixels have two causes, counted in the second line. The frame along the top and left
# edges lies beyond the receptive field (a 7x7 layer reaches 3 pixels, and each 3x3 layer one
# more). The staircase at the upper right is within reach, yet unseen: the **blind spot** of
# stacked masked convolutions, where no path of masked kernels leads from it to the centre.
# (Gated PixelCNN removes it with two stacks, one vertical and one horizontal.) *Try:* rebuild
# `PixelCNN` with more layers and run the cell again — which of the two counts shrinks?
#
# ## 5. Train all four on the digits, compare likelihoods
#
# All four are trained the same way: maximum likelihood, i.e. minimise the negative
# log-likelihood `-log p(x) = -Σ_i log p(x_i | x_<i)` (a sum of binary cross-entropies) with Adam.
# Each training loop shows a progress bar.

# %%
print(DIGIT_RECIPES)   # model -> (epochs, learning rate, batch size)
train_seconds = {}
for name, (epochs, lr, batch_size) in DIGIT_RECIPES.items():
    start = time.perf_counter()
    fit(models[name], lambda m, batch: nll(m, batch).mean(), x_train, epochs=epochs, lr=lr,
        batch_size=batch_size, generator=generator, desc=name)
    train_seconds[name] = time.perf_counter() - start

# %% [markdown]
# The negative log-likelihood in **nats** per image (natural log) is the number the models were
# trained to lower; dividing by `64 ln 2` gives **bits per pixel**. A model that knew nothing
# (every pixel a fair coin) would score `64 ln 2 = 44.36` nats. Lower is better, and the test
# column is the honest one.

# %%
with torch.no_grad():
    per_image = {name: (nll(m, x_train).cpu(), nll(m, x_test).cpu()) for name, m in models.items()}   # nats per digit
results = {name: (train.mean().item(), test.mean().item()) for name, (train, test) in per_image.items()}
gaps = {name: compare("test", test, "train", train, paired=False).difference      # test minus train
        for name, (train, test) in per_image.items()}
print(f"{'model':12s} {'train NLL':>10s} {'test NLL':>9s} {'bits/pixel':>10s} {'params':>8s} {'train s':>8s}   "
      f"train-test gap")
for name, (train_nll, test_nll) in results.items():
    n_params = sum(p.numel() for p in models[name].parameters())
    print(f"{name:12s} {train_nll:10.2f} {test_nll:9.2f} {test_nll / (64 * math.log(2)):10.3f} "
          f"{n_params:8,d} {train_seconds[name]:8.1f}   {gaps[name]:.2f}")

ranking = sorted(results, key=lambda name: results[name][1])
steps = [compare(a, per_image[a][1], b, per_image[b][1], higher_is_better=False, unit=" nats")
         for a, b in zip(ranking, ranking[1:])]
print("\none training run per model: the intervals cover the choice of the 297 test digits, not a retraining")
print("ranked by test NLL:", ranking[0] + "".join(f" {'<' if c.verdict == 'better' else '~'} {c.name_b}"
                                                  for c in steps), "  (~: within noise)")
for comparison in steps:
    print("  " + comparison.sentence())
nade_vs = {other: compare("NADE", per_image["NADE"][1], other, per_image[other][1], higher_is_better=False,
                          unit=" nats") for other in ("FVSBN", "PixelCNN")}
gap_difference = compare("NADE", per_image["NADE"][1] - per_image["FVSBN"][1],          # (test - train) of NADE
                         "FVSBN", per_image["NADE"][0] - per_image["FVSBN"][0],         # minus that of FVSBN
                         paired=False).difference
print(f"NADE's train-test gap minus FVSBN's: {gap_difference:+.2f} nats")
print(check(nade_vs["FVSBN"].verdict == "better" and gap_difference.low > 0,
            "NADE's test NLL is lower than FVSBN's although its train-test gap is larger"))
print(check(nade_vs["PixelCNN"].verdict == "better", "here NADE beats PixelCNN"))

# %% [markdown]
# The last column is the train–test gap with its interval: which model overfits 1,500 digits
# most? Sharing does not show up as a smaller gap here: NADE's test NLL is lower than FVSBN's
# although its train-test gap is larger (question 1 comes back to it).
#
# **The kit and the paper differ.** The PixelRNN paper (van den Oord et al., 2016, Table 4)
# puts PixelCNN well ahead of NADE on 28x28 binarized MNIST (81.30 against 88.33 nats); here NADE
# beats PixelCNN. The setting is not the paper's: 8x8 digits, one short training run each, and a
# PixelCNN of three small masked layers whose conditionals see only part of their earlier pixels
# (section 4 printed the share), while every NADE conditional sees all of them.
#
# Now the samples, 16 per model, each drawn pixel by pixel:

# %%
show(x_test[:16], "held-out digits")
for name, model in models.items():
    images, _ = sample(model, 16, (1, 8, 8), generator=generator)
    show(images, f"{name} (test NLL {results[name][1]:.2f} nats)")

# %% [markdown]
# ## 6. Sliders
#
# **Temperature.** The slider divides every logit by `T` before sampling. First, numbers: how
# much ink do samples from the best model (by test NLL) carry at each temperature, compared with
# the real digits?

# %%
best = models[ranking[0]]
print(f"model: {ranking[0]}; ink in the test digits: {x_test.mean().item():.3f}")
temperatures, by_temperature = (0.1, 0.5, 1.0, 1.5, 2.0), []
for temperature in temperatures:
    images, _ = sample(best, 200, (1, 8, 8), temperature=temperature, generator=generator)
    by_temperature.append(images[:16])
    print(f"T = {temperature}: ink {images.mean().item():.3f}")
show(torch.cat(by_temperature), f"{ranking[0]}: one row of 16 samples per T = " + ", ".join(map(str, temperatures)))

# %% [markdown]
# Now drag it: 16 digits drawn with a fixed seed, so only the temperature changes.

# %%
temperature_panel(best)

# %% [markdown]
# **Sampling step.** The same eight images, replayed pixel by pixel: grey pixels are not drawn yet,
# and the red pixel is the one being drawn, as bright as its probability of being ink.

# %%
sampling_panel(best)

# %% [markdown]
# **Completion.** The model gets the top half of a held-out digit (second picture) and draws the
# bottom half seven times. Conditioning on the past is what an autoregressive model does best;
# conditioning on the *bottom* half would need another ordering.

# %%
completion_panel(best, x_test.cpu())

# %% [markdown]
# ## 7. The pro and the con, in numbers
#
# *Easy likelihood*: scoring an image is **one** forward pass, because all conditionals are
# computed at once from the image itself. *Sequential generation*: drawing an image takes **one
# pass per pixel**, since pixel `i` needs pixels `< i` to exist first. We time both for our
# PixelCNN on growing image sizes (its weights work at any size). Scoring is quick, so we keep
# the fastest of 20 runs (on a shared machine the others only add time taken by other programs);
# sampling is timed once.

# %%
def fastest_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.min(times))


pixelcnn = models["PixelCNN"]
passes = []                                              # forward passes, counted by a hook
counter = pixelcnn.register_forward_hook(lambda module, inputs, output: passes.append(1))
sides = [4, 8, 12, 16, 20]
score_ms, sample_ms, score_passes, sample_passes = [], [], [], []
with torch.no_grad():                                    # no graph: scoring and sampling only
    for side in sides:
        one_image = torch.zeros(1, 1, side, side, device=device)
        passes.clear()
        nll(pixelcnn, one_image)
        score_passes.append(len(passes))
        passes.clear()
        sample(pixelcnn, 1, (1, side, side), generator=generator)
        sample_passes.append(len(passes))
        score_ms.append(1000 * fastest_seconds(lambda: nll(pixelcnn, one_image), repeats=20))
        sample_ms.append(1000 * fastest_seconds(lambda: sample(pixelcnn, 1, (1, side, side), generator=generator),
                                                repeats=1))
        print(f"{side:2d}x{side:<2d} = {side * side:3d} pixels: score {score_passes[-1]} pass {score_ms[-1]:6.2f} ms   "
              f"sample {sample_passes[-1]:3d} passes {sample_ms[-1]:8.1f} ms   time ratio {sample_ms[-1] / score_ms[-1]:5.0f}x")
counter.remove()

fig, ax = plt.subplots(figsize=(5, 3), dpi=72)
pixels = [s * s for s in sides]
ax.plot(pixels, score_ms, marker="o", label="score one image (1 pass)")
ax.plot(pixels, sample_ms, marker="o", label="sample one image (D passes)")
ax.set(xscale="log", yscale="log", xlabel="pixels D", ylabel="milliseconds")
ax.legend()
plt.show()
slope = np.polyfit(np.log(pixels), np.log(np.array(sample_ms) / np.array(score_ms)), 1)[0]
print(f"the time ratio grows about as D^{slope:.2f} (least squares on log scales; the count of passes grows as D^1; "
      "timings on a shared CPU are noisy, the counts are not)")
print(check(score_passes == [1] * len(sides) and sample_passes == pixels,
            "scoring takes one forward pass at every size; sampling takes one pass per pixel"))
print(check(all(a > b for a, b in zip(sample_ms, score_ms)), "sampling is slower than scoring at every size"))

# %% [markdown]
# The number of passes grows with the number of pixels: a 256x256 RGB image has 196,608 sub-pixel
# conditionals, which is why PixelCNN-style sampling is slow and why WaveNet's audio
# (16,000 samples a second) needed special engineering. The lecture's other two cons: the model
# **needs an ordering** (section 6's completion only works top-down), and it **learns no
# features** — there is no code `z` to edit. The latent variable models of notebook 02 have one.
#
# **Questions to think about**
# 1. FVSBN fits a separate logistic regression for every pixel; NADE shares one weight matrix
#    across all of them, yet has four times FVSBN's parameters. Section 5 found NADE's test NLL
#    lower although its train–test gap is larger. If sharing did not buy a smaller gap here,
#    what did it buy? (Hint: what can a hidden layer compute that one logistic regression cannot?)
# 2. At temperature → 0, sampling picks the likelier value of each pixel in turn. Is the image it
#    produces the most likely *image*? (Hint: compare with completing the chain rule greedily.)
# 3. How would you change the masks to model the image in a column-by-column order instead?
