# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/08_translation.ipynb)
#
# # 08 — Image-to-image translation: pix2pix and CycleGAN
#
# So far a generator turned *noise* into an image. Many tasks instead turn one image into another:
# a label map into a photo, a day scene into a night scene. Two papers set the pattern:
# * **pix2pix** (Isola et al., 2017) learns from *pairs* (x, y) with a conditional GAN plus an L1 loss,
#   a U-Net generator and a PatchGAN discriminator;
# * **CycleGAN** (Zhu et al., 2017) learns from two *unpaired* sets by asking that translating
#   there and back returns the input (cycle consistency).
#
# In this notebook you will:
# * translate scene label maps into scenes with three zoo models (L1 only, cGAN only, L1 + cGAN) and
#   reproduce the *shape* of the paper's FCN-score table with the kit's segmenter;
# * edit a label map with sliders (move the house, add trees) and watch the translation follow;
# * translate day scenes to night and back, unpaired, and measure what breaks without the cycle loss
#   — possible here because the kit can relight any scene exactly, giving the true answer.

# %%
# Colab only: install gentut, keeping Colab's own torch. Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gentut @ git+https://github.com/gentut/gentut"], check=True)

# %%
import matplotlib.pyplot as plt
import torch

from gentut import zoo
from gentut.data.procedural import load_split
from gentut.data.scenes import SCENE_CLASSES, SCENE_FACTORS, colorize_masks
from gentut.evaluate import generator_quality
from gentut.models.translation import PatchDiscriminator, UNetGenerator
from gentut.recipes import train_pix2pix
from gentut.runtime import setup
from gentut.translation import (cycle_loss, day_night_domains, fcn_score, one_hot_labels, relit_pairs, translate,
                                translation_scores)
from gentut.widgets.render import image_grid
from gentut.widgets.translation import cyclegan_panel, label_map_panel

device, generator = setup(seed=0)

# %% [markdown]
# ## 1. Label maps and scenes
#
# Every procedural scene comes with its exact label map: 7 classes per pixel. pix2pix's input is
# the label map as a one-hot image (7 channels), its target the scene. Look at the pairs below and
# notice what the label map does **not** say: day or night, lamps on or off, grass or bare earth,
# the house's colour. Many scenes share one label map — keep that in mind for the L1 loss.

# %%
# NBVAL_CHECK_OUTPUT
scenes = load_split("scenes", "val", n=500).to(device)
labels = one_hot_labels(scenes.masks)
print(f"scenes {tuple(scenes.images.shape)}, label maps {tuple(scenes.masks.shape)} -> one-hot {tuple(labels.shape)}")
print("classes:", ", ".join(SCENE_CLASSES))

# %%
fig, ax = plt.subplots(figsize=(9, 2.5), dpi=72)
ax.imshow(image_grid(torch.cat([colorize_masks(scenes.masks[:10]), scenes.images[:10]]).cpu(), nrow=10))
ax.set_title("label maps (top) and their scenes (bottom)", fontsize=9)
ax.axis("off")
plt.show()

# %% [markdown]
# ## 2. The networks: a U-Net and a PatchGAN
#
# The **U-Net** generator halves the image four times (32 → 2 pixels) and grows it back, and every
# decoder stage also receives the encoder's features of the same size (skip connections): the
# *where* of the label map can go straight through, the bottleneck only has to carry the *what*.
#
# The **PatchGAN** discriminator sees the label map and a scene side by side (7 + 3 channels) and
# answers "real or fake" once per overlapping patch rather than once per image. It only judges
# local texture and style; the L1 term takes care of the low frequencies (Isola et al., sec. 3.2.2).

# %%
# NBVAL_CHECK_OUTPUT
G = UNetGenerator(in_channels=7, width=16, depth=4, max_channels=64).to(device)
D = PatchDiscriminator(in_channels=7 + 3, width=32, n_layers=1).to(device)
pair_batch = torch.cat([labels[:4], scenes.images[:4]], 1)          # (label map, scene) on channels
with torch.no_grad():
    fakes, patches = G(labels[:4]), D(pair_batch)
print(f"U-Net generator: {sum(p.numel() for p in G.parameters()):,} parameters, "
      f"label maps {tuple(labels[:4].shape)} -> scenes {tuple(fakes.shape)}")
print(f"PatchGAN: {sum(p.numel() for p in D.parameters()):,} parameters, "
      f"(label map, scene) {tuple(pair_batch.shape)} -> logits {tuple(patches.shape)}")
side, field = patches.shape[-1], D.receptive_field
print(f"each of the {side}x{side} logits judges a {field}x{field} patch of the 32x32 scene")

# %% [markdown]
# ## 3. The loss: cGAN + λ L1
#
# $$G^* = \arg\min_G \max_D \; \mathcal{L}_{cGAN}(G, D) + \lambda\, \mathbb{E}\,\|y - G(x)\|_1, \qquad \lambda = 100,$$
#
# where $\mathcal{L}_{cGAN} = \mathbb{E}\log D(x, y) + \mathbb{E}\log(1 - D(x, G(x)))$: the discriminator is
# *conditioned* on the label map, so a realistic scene that ignores the map is still "fake".
# Train your own generator for 60 steps (a few seconds) with the zoo's recipe; the zoo's models
# trained 1,200 steps (`python -m gentut.train scenes_pix2pix`).

# %%
train = load_split("scenes", "train", n=1000).to(device)
history = train_pix2pix(G, D, train, steps=60, batch_size=16, lr=1e-3, lambda_l1=100.0,
                        generator=generator, desc="pix2pix, 60 steps")
print(f"L1 per pixel: step 0 {history[0]['l1']:.3f} -> step 59 {history[-1]['l1']:.3f}")

# %% [markdown]
# ## 4. L1 only, cGAN only, L1 + cGAN
#
# The zoo has the three variants of the paper's ablation, each trained with the same recipe and
# seed, only the loss weights differ. Before looking, predict: the L1 loss is minimised by the
# *median* of all scenes that share a label map. What colour is the sky, averaged over days and
# nights?

# %%
translators = {name: zoo.load(f"scenes_pix2pix{suffix}", device=device)
               for name, suffix in [("L1", "_l1"), ("cGAN", "_cgan"), ("L1 + cGAN", "")]}
outputs = {name: translate(G_, labels) for name, G_ in translators.items()}
rows = [colorize_masks(scenes.masks[:8]), *[o[:8] for o in outputs.values()], scenes.images[:8]]
outputs["yours, 60 steps"] = translate(G, labels)                      # for the table below
fig, ax = plt.subplots(figsize=(8, 5.4), dpi=72)
ax.imshow(image_grid(torch.cat(rows).cpu(), nrow=8))
ax.set_yticks([16 + 33 * i for i in range(5)], ["label map", *translators, "ground truth"])
ax.set_xticks([])
plt.show()

# %% [markdown]
# ## 5. The FCN-score
#
# How do you score a translation when many outputs are right? Isola et al. ran an off-the-shelf
# segmenter (FCN-8s) on the generated photos: if the output is realistic *and* matches the label
# map, the segmenter reads the label map back. The kit's `scenes_segmenter` plays the FCN; on real
# scenes (ground truth) it gives the ceiling. Two more columns measure what the FCN-score misses:
# **FD**, the Fréchet distance to real scenes in the attribute predictor's features (lower: more
# realistic), and **dusk**, the share of scenes whose daylight, as the predictor reads it, falls in
# the gap between night (0 to 0.4) and day (0.6 to 1) where the data has no scene at all.

# %%
segmenter = zoo.load("scenes_segmenter", device=device)
predictor = zoo.load("scenes_predictor", device=device)
reference = load_split("scenes", "test", n=500).to(device)
print(f"{'loss':16s} {'per-pixel acc':>13s} {'per-class acc':>13s} {'class IoU':>9s} {'FD':>6s} {'dusk':>5s}")
for name, images in [*outputs.items(), ("ground truth", scenes.images)]:
    fcn = fcn_score(segmenter, images, scenes.masks)
    fd = generator_quality(images, reference, predictor, SCENE_FACTORS)["fd"]
    daylight = predictor.predict(images)[:, 0]
    dusk = ((daylight > 0.4) & (daylight < 0.6)).float().mean().item()
    print(f"{name:16s} {fcn['pixel_accuracy']:13.3f} {fcn['mean_class_accuracy']:13.3f} {fcn['class_iou']:9.3f} "
          f"{fd:6.2f} {dusk:5.2f}")

# %% [markdown]
# The table has the shape of the paper's table 1 (Cityscapes labels → photo): cGAN alone gives the
# lowest FCN-scores (its scenes look real, the lowest FD of the three, but drift from the label
# map), L1 + cGAN the highest per-pixel accuracy and class IoU, and all stay below the ground
# truth. L1 alone has the best per-class accuracy, yet nearly every L1 scene sits at *dusk*: the
# L1 loss averaged day and night into a sky no real scene has, and its FD is the worst of the
# three. The FCN-score rewards "readable" more than "realistic" — which is why the paper also ran
# a perceptual study. Your 60 steps show how far from all of them a generator starts.

# %% [markdown]
# ## 6. Edit the label map
#
# Move the house, raise the horizon, add trees or clouds: the label map is re-drawn by the scene
# renderer (keeping the other objects' layout), and each translator redraws the scene in one
# forward pass. Columns: label map, L1, cGAN, L1 + cGAN, and the scene the renderer draws for
# this label map. Does each translator keep its choice of day or night when you move the house?

# %%
label_map_panel(translators, scenes, index=3)

# %% [markdown]
# ## 7. Unpaired: day ↔ night with CycleGAN
#
# Now suppose no pairs exist: a set of day scenes (lamps off) and a set of night scenes (lamps
# lit), different scenes, nothing matched. CycleGAN trains $G$: day → night and $F$: night → day with
#
# $$\mathcal{L} = \mathcal{L}_{GAN}(G, D_Y) + \mathcal{L}_{GAN}(F, D_X) + \lambda\,\mathcal{L}_{cyc} + 0.5\,\lambda\,\mathcal{L}_{identity}, \qquad \lambda = 10,$$
#
# $\mathcal{L}_{cyc} = \mathbb{E}\|F(G(x)) - x\|_1 + \mathbb{E}\|G(F(y)) - y\|_1$ and $\mathcal{L}_{identity} = \mathbb{E}\|G(y) - y\|_1 + \mathbb{E}\|F(x) - x\|_1$
# (least-squares GAN losses, as in the paper). The zoo has it twice: with these weights, and
# with the GAN losses alone (`scenes_cyclegan_nocycle`).
#
# The pairs exist after all — the kit can re-render every scene under other lighting with an
# identical layout (`relight`) — but we use them **only to evaluate**: mask IoU (does the segmenter
# still find the input's layout in the translation?), PSNR against the true relit scene, the
# predictor's daylight score, and the cycle error $|F(G(x)) - x|$.

# %%
# NBVAL_CHECK_OUTPUT
day, night = day_night_domains(scenes)
print(f"unpaired domains from {len(scenes)} scenes: {len(day)} day (lamps off), {len(night)} night (lamps lit)")
print("layouts identical after relighting:", bool(torch.equal(relit_pairs(day).masks.to(device), day.masks)))

# %%
pairs = {"cycle + identity": zoo.load("scenes_cyclegan", device=device),
         "GAN only": zoo.load("scenes_cyclegan_nocycle", device=device)}


print(f"{'':17s} {'direction':10s} {'mask IoU':>8s} {'PSNR dB':>8s} {'daylight':>8s} {'cycle err':>9s}")
for direction, source in [("day2night", day), ("night2day", night)]:
    candidates = {"unchanged input": (source.images, source.images)}          # (translation, back-translation)
    for name, pair in pairs.items():
        there, back = (pair.G, pair.F) if direction == "day2night" else (pair.F, pair.G)
        fake = translate(there, source.images)
        candidates[name] = (fake, translate(back, fake))
    candidates["true relit"] = (relit_pairs(source).images.to(device), source.images)
    for name, (fake, back) in candidates.items():
        scores = translation_scores(fake, source, segmenter, predictor)
        print(f"{name:17s} {direction:10s} {scores['mask_iou']:8.3f} {scores['psnr']:8.2f} "
              f"{scores['daylight']:8.2f} {cycle_loss(source.images, back).item():9.3f}")

# %% [markdown]
# Read the table row by row ("true relit" is the exact answer: its PSNR is the metric's 100 dB
# cap). Both CycleGANs move the daylight score the right way, and the GAN loss alone moves it
# furthest — it is enough to make *a* convincing night scene. But nothing ties *which* night scene
# to the input: without the cycle loss the mask IoU halves, the PSNR to the true relit scene drops
# and going there and back no longer returns the input (cycle error). With the cycle loss the
# layout survives better, at the price of a translation that went only part of the way in the
# zoo's 800 training steps. The panel shows it scene by scene: input, translation, translation
# back, and the truth.

# %%
cyclegan_panel(pairs, day, night)

# %% [markdown]
# **Questions to think about**
# 1. The L1-only generator's sky is neither day nor night. Why is the minimiser of an L1 loss over
#    a bimodal set of targets a bad *image*, and why does adding the cGAN term fix that without
#    needing a noise input?
# 2. The FCN-score uses a segmenter trained on real scenes. How could a generator score *higher*
#    than the ground truth, and what would that say about the metric?
# 3. Without the cycle loss, the GAN-only translator still has skip connections from input to
#    output. Which parts of the input does it keep anyway, and why is that not a guarantee?
