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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/09_beyond_linear.ipynb)
#
# # 09 — Beyond one linear direction in W
#
# Notebooks 05 and 06 found *directions*: one vector in $W$ per attribute, applied to every code
# alike. This notebook leaves that recipe in three ways and measures each on the kit's faces,
# whose true factors are known:
# * **StyleSpace** (Wu et al., CVPR 2021): edit one channel of the *styles* $s = A\,w$ instead of
#   $w$ — a space with 11 times as many coordinates. Can a single channel carry a single factor, and
#   how do you find it? Two detectors, tested by re-scoring against notebook 05's $W$ normals.
# * **StyleFlow** (Abdal et al., SIGGRAPH 2021), in miniature: a normalising flow on $W$
#   conditioned on the attributes; an edit changes one attribute and keeps everything else the
#   flow knows — a step that differs from face to face. Against InterFaceGAN's one step for all,
#   on the same faces.
# * **GANalyze** (Goetschalckx et al., ICCV 2019): learn the direction that raises *any*
#   differentiable score, then look at what it changes — here a score whose recipe is hidden
#   until the end, so you can check that the learnt edit reveals it.
# * **InfoGAN** (Chen et al., NeurIPS 2016): give the generator a code and reward it when the code
#   can be read back from the sample. Does the code find the data's factor without labels?
# * **3-D from 2-D**: is the pose direction a rotation? Measured against the same face truly
#   turned, then the lecture's routes to real 3-D control.
#
# StyleFlow's flow is a small zoo model (`faces_styleflow`, trained by `python -m gentut.train
# faces_styleflow` in under 3 minutes). Two parts are recorded (`gentut.recorded`): learning
# GANalyze's direction and training InfoGAN on 5 seeds take minutes of a laptop CPU. The
# notebook re-runs the first steps of each live and
# checks that they reproduce the recording.

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
import matplotlib.pyplot as plt
import numpy as np
import torch

from gentut import recorded, zoo
from gentut.data.faces import FACE_FACTORS, render_faces
from gentut.data.procedural import load_split
from gentut.evidence import check, compare, mean_interval, spread
from gentut.gan2d import ring_mixture
from gentut.infogan import train_infogan_2d
from gentut.interpret.beyond_study import GANALYZE_SEED, GANALYZE_WEIGHTS, INFO_WEIGHTS, N_SEEDS
from gentut.interpret.edits import broadcast_ws, direction_changes, edit_ws, purity, render_ws, sample_latents
from gentut.interpret.ganalyze import factor_mix, fit_ganalyze, score_shift
from gentut.interpret.rescoring import (fit_boundaries, largest_side_effects, reliable, score_samples, stack_normals,
                                        std_steps)
from gentut.interpret.study import N_SAMPLES, RATIO, STRENGTH
from gentut.interpret.styleflow import flow_edit
from gentut.interpret.stylespace import (StyleLayout, channel_changes, channel_relevance, positive_relevance,
                                         style_codes)
from gentut.interpret.viewpoint import viewpoint_sweep
from gentut.invert.encoder import encode_ws
from gentut.runtime import setup
from gentut.widgets.render import show_grid
from gentut.widgets.styleflow import flow_edit_panel
from gentut.widgets.stylespace import style_channel_panel

torch.set_grad_enabled(False)          # this notebook evaluates models; the two detectors that need
device, generator = setup(seed=0)      # gradients switch them on for themselves

# %% [markdown]
# ## 1. StyleSpace: one channel at a time
#
# Every modulated convolution of the style generator scales its input channels by a *style*
# $s = A\,w$, one number per channel, computed from that layer's $w$ by a learnt affine map $A$.
# The styles of all layers side by side are the **S space**. It is not a new latent space to
# sample from — $s$ is a function of $w$ — but it is a different set of *coordinates* to edit in:
# moving one channel of $s$ changes one thing the network draws with, where moving $w$ changes
# every style at once.

# %%
# NBVAL_CHECK_OUTPUT
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
names = [factor.name for factor in FACE_FACTORS]
layout = StyleLayout.of(G)
for name, size in zip(layout.names, layout.sizes):
    print(f"{name:18s} {size:4d} channels")
print(f"S has {layout.size} channels; W has {G.w_dim} dimensions ({layout.size / G.w_dim:.0f} times as many)")

# %% [markdown]
# To compare with notebook 05 we repeat its recipe on the same samples (2,000 codes, the top and
# bottom 10 % of each factor, a linear SVM per factor) and take the S codes of the same faces.

# %%
samples = score_samples(G, predictor, N_SAMPLES, generator)
boundaries = fit_boundaries(samples.w, samples.scores, names, ratio=RATIO)
w_steps = std_steps(stack_normals(boundaries), samples.w)              # (8, 64): one std of the codes
styles = style_codes(G, broadcast_ws(G, samples.w))                    # (2000, 704)
style_std = styles.std(0)                                              # (704,): each channel's spread

# %% [markdown]
# **Which channel controls a factor?** The paper's first detector needs only a few positive
# examples: take the 30 faces that show the factor most and ask which channel sits furthest from
# its average on them, in standard deviations (`positive_relevance`). That is a correlation. A
# second detector asks what the *picture depends on*: the gradient of the predictor's reading of
# the factor with respect to each channel, averaged over 128 faces and multiplied by the channel's
# spread — the change of the factor, to first order, when one channel moves by one standard
# deviation (`channel_relevance`; the paper's own version uses gradients with respect to face
# regions).

# %%
by_examples = positive_relevance(styles, samples.scores, n_positive=30)                     # (8, 704)
by_gradient = channel_relevance(G, predictor, layout, styles[:128], style_std)              # (8, 704)
chosen = {}
for detector, relevance in (("examples", by_examples), ("gradient", by_gradient)):
    channels = relevance.abs().argmax(1)                                                    # (8,)
    signs = relevance.gather(1, channels[:, None])[:, 0].sign()                             # which way raises it
    chosen[detector] = (channels, signs)
    print(f"{detector:9s} " + ", ".join(f"{n} {layout.locate(int(c))[0]} #{layout.locate(int(c))[1]}"
                                        for n, c in zip(names, channels)))
    shared = {int(c): [n for n, d in zip(names, channels) if d == c] for c in channels}
    for c, owners in shared.items():
        if len(owners) > 1:
            layer, index = layout.locate(c)
            print(f"          one channel, {layer} #{index}, is the pick for {', '.join(owners)}")

# %% [markdown]
# **Re-scoring, as in notebook 05.** Move 150 fresh faces 3 standard deviations along each chosen
# channel (the way that raises its factor), and along each $W$ normal 2 standard deviations (05's
# strength), and read all 8 factors before and after. An edit passes when its own factor rises
# by at least 0.25 and by at least twice the largest change of any other factor.

# %%
S_STRENGTH, MIN_EFFECT, MARGIN, N_EDIT = 3.0, 0.25, 2.0, 150
_, w_edit = sample_latents(G, N_EDIT, generator)
s_edit = style_codes(G, broadcast_ws(G, w_edit))
changes = {"W normal": direction_changes(G, predictor, w_edit, w_steps, STRENGTH)}          # (8, 150, 8)
for detector, (channels, signs) in chosen.items():
    changes[f"S, {detector}"] = channel_changes(G, predictor, layout, s_edit, channels, S_STRENGTH * signs, style_std)
effects = {method: c.mean(1) for method, c in changes.items()}                              # (8, 8) each
verdicts = {method: reliable(e, range(len(names)), MIN_EFFECT, MARGIN) for method, e in effects.items()}

print(f"{'factor':12s}" + "".join(f"{m:32s}" for m in effects) + "(own change / largest side effect)")
for i, name in enumerate(names):
    cells = []
    for method, e in effects.items():
        k, side = largest_side_effects(e[i:i + 1], [i])
        verdict = "pass" if verdicts[method][i] else "fail"
        cells.append(f"{e[i, i]:+.2f} / {names[int(k[0])]:11s} {side[0]:+.2f} {verdict}")
    print(f"{name:12s}" + "".join(f"{c:32s}" for c in cells))
n_pass = {method: int(v.sum()) for method, v in verdicts.items()}
print("edits passing re-scoring: " + ", ".join(f"{m} {n} of {len(names)}" for m, n in n_pass.items()))

# %%
own = {method: torch.stack([c[i, :, i] for i in range(len(names))]) for method, c in changes.items()}   # (8, 150)
examples_own = mean_interval(own["S, examples"].mean(0))
print(f"mean own change of the channels found from examples: {examples_own:.3f}")
print(compare("the gradient detector's channel", own["S, gradient"].mean(0),
              "the examples detector's channel", own["S, examples"].mean(0)).sentence(".3f"),
      "(own change, mean over the 8 factors, paired by face)")
check(examples_own.high < 0.1, "the channels found from positive examples hardly move their own factor")
check(n_pass["S, gradient"] > n_pass["S, examples"], "the gradient detector's channels pass more often")
s_only = [n for i, n in enumerate(names) if verdicts["S, gradient"][i] and not verdicts["W normal"][i]]
w_only = [n for i, n in enumerate(names) if verdicts["W normal"][i] and not verdicts["S, gradient"][i]]
print(f"a single S channel passes where the W normal fails: {', '.join(s_only) or 'none'}; "
      f"the W normal passes where the single channel fails: {', '.join(w_only) or 'none'}")
purities = {method: purity(e)[1] for method, e in effects.items()}
print(compare("W normals", purities["W normal"], "single S channels (gradient)", purities["S, gradient"]).sentence(),
      "(purity: the share of an edit's total effect that goes to its main factor, paired by factor)")

# %% [markdown]
# Read the table column by column.
# * **Examples find correlates, not controls.** The channel that sits furthest from average on
#   the 30 most smiling faces hardly moves the smile when you move it (the mean own change is
#   printed and checked). In a small generator, many channels move *together* with an attribute
#   because the same $w$ drives them all; being correlated with the factor is not the same as
#   causing it — notebook 05's lesson again, one level down. The paper's generator is far larger
#   (1024x1024 faces, thousands of style channels), and there a few examples found controlling
#   channels; here they do not. A difference from the paper, measured.
# * **Gradients find controls, for some factors.** Channels picked by what the predictor's reading
#   depends on pass more often (checked). The printed lists say where a single channel beats the
#   W normal and where it cannot do the W normal's work. A channel that is the pick for several
#   factors (the lines under the picks name any) moves them all, so it can pass for one of them
#   at most. Where one channel fails, the network may
#   draw the factor with many channels at once — a guess this table cannot settle; the paper
#   moves a few channels together for such attributes.
# * The last line compares how *pure* the edits are, on the same re-scoring matrix, with its
#   interval over the 8 factors.
#
# *Think about it:* the strengths differ (3 standard deviations of one channel against 2 of the
# codes along a normal); re-scoring judges the outcome, not the step. What would a fair "same
# size of edit" be between a space of 704 coordinates and one of 64?
#
# The panel moves one channel — the gradient detector's pick for the factor you choose, the
# factors whose channel passed first — on four faces (top: as drawn; bottom: edited):

# %%
channels, signs = chosen["gradient"]
passing_first = sorted(range(len(names)), key=lambda i: not verdicts["S, gradient"][i])   # the first one is shown
panel = style_channel_panel(G, {names[i]: int(channels[i]) for i in passing_first}, w_edit[:4], style_std,
                            signs={names[i]: float(signs[i]) for i in passing_first})
panel

# %% [markdown]
# ## 2. StyleFlow: edit an attribute, keep the rest
#
# A linear edit moves every code by the same step. But "add a smile" to a face turned left and to
# one turned right may need different steps in $W$. StyleFlow learns an invertible map between a
# code $w$ and Gaussian noise $z$, *conditioned on the attributes* $a$ of the image:
# $z = f(w; a)$. To edit, push the code forward with its own attributes, change one of them, and
# pull it back with the rest unchanged:
#
# $$z = f(w; a), \qquad a' = a 	ext{ with } a_j + \delta, \qquad w' = f^{-1}(z; a').$$
#
# What $z$ and the other attributes describe is held fixed by construction; whatever the flow has
# not learnt to separate still moves. The kit's flow (`faces_styleflow`, `gentut/models/flow.py`)
# is a RealNVP stack of 8 affine coupling layers, trained by maximum likelihood on 20,000 codes
# of `faces_stylegan` and the predictor's 8 readings of their images (the paper: a continuous
# flow and a face API's attributes). Its training record:

# %%
flow = zoo.load("faces_styleflow", device=device)
flow_record = zoo.read_manifest()["faces_styleflow"]
print(f"faces_styleflow: {flow_record['bytes'] / 1e6:.1f} MB, trained in {flow_record['train_seconds']:.0f} s; "
      f"held-out NLL {flow_record['metrics']['nll_per_dim']:+.3f} nats per dimension; largest |f^-1(f(w)) - w| "
      f"{flow_record['metrics']['round_trip_error']:.4f}")

# %% [markdown]
# The same 150 faces as in section 1, each attribute raised by $\delta = 0.6$ in $a$ (clamped to
# 1), re-scored like the $W$ normals above:

# %%
FLOW_DELTA = 0.6
attributes = predictor.predict(render_ws(G, broadcast_ws(G, w_edit)))                   # (150, 8): a
flow_codes = [flow_edit(flow, w_edit, attributes, j, FLOW_DELTA) for j in range(len(names))]
changes["StyleFlow"] = torch.stack([predictor.predict(render_ws(G, broadcast_ws(G, c))) - attributes
                                    for c in flow_codes])                                 # (8, 150, 8)
effects["StyleFlow"] = changes["StyleFlow"].mean(1)
verdicts["StyleFlow"] = reliable(effects["StyleFlow"], range(len(names)), MIN_EFFECT, MARGIN)
print(f"{'factor':12s}{'W normal (2 std)':32s}{'StyleFlow (delta 0.6)':32s}(own change / largest side effect)")
for i, name in enumerate(names):
    cells = []
    for method in ("W normal", "StyleFlow"):
        k, side = largest_side_effects(effects[method][i:i + 1], [i])
        verdict = "pass" if verdicts[method][i] else "fail"
        cells.append(f"{effects[method][i, i]:+.2f} / {names[int(k[0])]:11s} {side[0]:+.2f} {verdict}")
    print(f"{name:12s}" + "".join(f"{c:32s}" for c in cells))
n_pass["StyleFlow"] = int(verdicts["StyleFlow"].sum())
print(f"edits passing re-scoring: W normal {n_pass['W normal']} of {len(names)}, StyleFlow {n_pass['StyleFlow']} "
      f"of {len(names)}")


def largest_sides(method):
    """Each edit's largest side effect (absolute, mean over the faces): (8,)."""
    return largest_side_effects(effects[method], range(len(names)))[1].abs()


print(compare("StyleFlow", largest_sides("StyleFlow"), "InterFaceGAN in W", largest_sides("W normal"),
              higher_is_better=False).sentence(), "(largest side effect, paired by factor)")
print(compare("StyleFlow", effects["StyleFlow"].diagonal(), "InterFaceGAN in W", effects["W normal"].diagonal())
      .sentence(), "(own change, paired by factor)")
steps_taken = torch.stack([c - w_edit for c in flow_codes])                            # (8, 150, 64)
unit = steps_taken / steps_taken.norm(dim=2, keepdim=True)
agreement = (unit * unit.mean(1, keepdim=True)).sum(2) / unit.mean(1).norm(dim=1, keepdim=True)   # (8, 150)
print(f"how alike StyleFlow's steps are from face to face: cosine with the factor's mean step "
      f"{spread(agreement.mean(1), unit='factors'):.2f} (a linear edit: 1 for every face)")
check(largest_sides("StyleFlow").mean() < largest_sides("W normal").mean(), "StyleFlow's side effects are smaller")
check(n_pass["StyleFlow"] > n_pass["W normal"], "more StyleFlow edits pass re-scoring than W-normal edits")
check(agreement.mean() < 0.95, "StyleFlow's steps differ from face to face")

# %% [markdown]
# * StyleFlow's edits drag far less along: the comparison of the largest side effects is printed
#   with its interval over the 8 factors, and more of its edits pass re-scoring (checked). The
#   flow was told every attribute and asked to keep the others fixed; the SVM normal was only
#   told one.
# * The own changes are compared on the line after the side effects: $\delta$ moves $a_j$ by 0.6
#   in the attribute the flow was given, and how much of that the predictor then reads in the
#   new image is the own change.
# * The steps differ from face to face (the cosine with each factor's mean step is printed): the
#   edit is non-linear in $W$, which is what lets it avoid the side effects a single direction
#   carries.
# * Which StyleFlow edits still fail is in the table. The data tie eyeglasses to age on purpose,
#   so holding age fixed while adding glasses asks for faces the training data rarely show: a
#   reason to expect that edit to be weak; its own change is in the table.
#
# *Think about it:* the flow was trained on the predictor's *readings*, so it can only keep fixed
# what the predictor sees. What would it do to a factor the predictor does not read (a hat, a
# freckle)?
#
# The panel: choose an attribute and how much to change it; top row as drawn, bottom row edited
# through the flow.

# %%
flow_edit_panel(G, flow, predictor, names, w_edit[:4])

# %% [markdown]
# ## 3. GANalyze: the direction that raises a score
#
# The seeds' GANalyze used a memorability predictor, a score nobody can read off a picture. Here
# the assessor is a stand-in whose recipe stays hidden until the end of the section: some mix of
# the predictor's readings. GANalyze learns one direction $\theta$ in $W$ such that
#
# $$\mathcal{L}(\theta) = \mathbb{E}_{w,\alpha}\Big[\big(A(G(w + \alpha\theta)) - (A(G(w)) + \alpha)\big)^2\Big],
# \qquad \alpha \sim U(-0.3, 0.3):$$
#
# moving a code by $\alpha\theta$ should raise the score by exactly $\alpha$. The recorded study
# learnt $\theta$ in 300 Adam steps of 32 codes each. The first steps, re-run live:

# %%
study = recorded.load("beyond_linear_study")
assessor = factor_mix(predictor, GANALYZE_WEIGHTS, names)          # the hidden recipe (printed at the end)
theta = study["ganalyze/theta"].to(device)
_, live_losses = fit_ganalyze(G, assessor, steps=3, generator=torch.Generator().manual_seed(GANALYZE_SEED))
loss_gap = np.abs(np.array(live_losses) - study["ganalyze/loss"][:3].numpy()).max()
print(f"the first 3 live losses minus the recorded ones: at most {loss_gap:.1e}")
check(loss_gap < 1e-3, "the live GANalyze steps reproduce the recording")

# %%
_, held_out = sample_latents(G, 200, generator)
alphas = [-0.3, -0.1, 0.1, 0.3]
shift = score_shift(G, assessor, held_out, theta, alphas).cpu()                          # (4, 200)
slope = float(np.polyfit(np.repeat(alphas, shift.shape[1]), shift.flatten().numpy(), 1)[0])
loss = study["ganalyze/loss"].numpy()
fig, (ax_loss, ax_shift) = plt.subplots(1, 2, figsize=(9, 3), dpi=72)
ax_loss.plot(loss, lw=0.7)
ax_loss.plot(np.convolve(loss, np.ones(20) / 20, mode="valid"), lw=2, label="mean of 20 steps")
ax_loss.set(xlabel="step", ylabel="loss", yscale="log", title="GANalyze's loss (recorded)")
ax_loss.legend()
ax_shift.errorbar(alphas, shift.mean(1), yerr=shift.std(1), fmt="o", capsize=3, label="mean ± std over 200 codes")
ax_shift.plot([-0.3, 0.3], [-0.3, 0.3], "k--", lw=1, label="the target: change = alpha")
ax_shift.set(xlabel="alpha", ylabel="change of the score", title="held-out codes")
ax_shift.legend(fontsize=8)
plt.tight_layout()
plt.show()
print(f"loss: first 20 steps {loss[:20].mean():.4f}, last 20 {loss[-20:].mean():.4f}; "
      f"on 200 held-out codes the score changes by {slope:.2f} per unit of alpha (target 1)")
check(loss[-20:].mean() < loss[:20].mean() / 2, "the loss falls")
check(0.7 < slope < 1.3, "on held-out codes the score follows alpha")

# %% [markdown]
# The direction does what it was trained for on codes it never saw (the slope is printed). Now
# GANalyze's real question: **what does it change?** Re-score it like any other edit — move the
# same held-out codes by $\alpha = 0.3$ and read all 8 factors:

# %%
ganalyze_changes = direction_changes(G, predictor, held_out, theta[None], 0.3)[0].cpu()    # (200, 8)
estimates = [mean_interval(ganalyze_changes[:, j]) for j in range(len(names))]
fig, ax = plt.subplots(figsize=(6, 2.6), dpi=72)
ax.bar(names, [e.value for e in estimates], yerr=np.array([[e.value - e.low, e.high - e.value] for e in estimates]).T,
       capsize=3)
ax.axhline(0, color="k", lw=0.5)
ax.set(ylabel="mean change", title="what GANalyze's direction changes (alpha = 0.3, 200 codes)")
ax.tick_params(axis="x", rotation=45)
plt.tight_layout()
plt.show()
ranked = sorted(range(len(names)), key=lambda j: -abs(estimates[j].value))
for j in ranked[:3]:
    print(f"{names[j]:12s} {estimates[j]:+.3f}")

# %%
faces = broadcast_ws(G, held_out[:6])
steps = torch.linspace(-0.3, 0.3, 5)
rows = torch.stack([render_ws(G, edit_ws(faces, theta, float(a))) for a in steps], 1).flatten(0, 1)
show_grid(rows, len(steps), "6 faces moved by alpha = -0.3 ... +0.3 along GANalyze's direction")
plt.show()

# %% [markdown]
# The assessor was:

# %%
print("assessor = " + " + ".join(f"{w:g} x {n}" for n, w in GANALYZE_WEIGHTS.items()))
top_two = {names[j] for j in ranked[:2]}
check(top_two == set(GANALYZE_WEIGHTS), "the two factors the direction changes most are the two the assessor weighs")
unit_theta = theta.cpu() / theta.norm()
for name in GANALYZE_WEIGHTS:
    normal = boundaries[name].normal_
    print(f"cosine of GANalyze's direction with the InterFaceGAN normal of {name}: {float(unit_theta @ normal):+.2f}")

# %% [markdown]
# The two factors the learnt direction changes most are exactly the two the hidden score is made
# of (checked). That is GANalyze's use: with a score you cannot read — memorability, aesthetics,
# "emotional valence" — the learnt edit shows you what the model behind the score responds to.
# The smaller bars are the same lesson as notebook 05's side effects: the direction moves
# whatever the generator ties to the two factors, and the assessor cannot tell it not to.
#
# *Think about it:* the cosines with the two InterFaceGAN normals are printed. If the score were
# one factor only, would you expect GANalyze's direction to equal that factor's normal? What
# does the loss reward that the SVM does not?

# %% [markdown]
# ## 4. InfoGAN: a code that finds the factor by itself
#
# Back to the 2-D GAN Lab of notebook 03: a ring of 8 Gaussians. Give the generator noise $z$
# and a categorical code $c \in \{0, \dots, 7\}$. Nothing in the GAN game makes $G$ use $c$.
# InfoGAN adds a network $Q$ that guesses $c$ from the sample and rewards both for a right guess:
#
# $$\min_{G, Q}\max_D\; V(D, G) - \lambda\, L_I(G, Q), \qquad
# L_I = \mathbb{E}_{c,z}\big[\log Q(c \mid G(z, c))\big] \le I(c; G(z, c)) - H(c).$$
#
# $L_I$ is a lower bound on the mutual information between the code and the sample. On the ring,
# the easiest way for $c$ to be readable is one mode per code — but nobody tells the network the
# modes exist. The agreement below is the share of samples that land in the mode matched to their
# code (best one-to-one matching): 1 when each code owns a mode, about 1/8 when the code is ignored.
# The recorded study trained 5 seeds with $\lambda = 1$ and 5 with $\lambda = 0$ (a plain GAN that is
# merely *fed* the code), 2,000 steps each. The first 50 steps of seed 0, re-run live:

# %%
live = train_infogan_2d(ring_mixture(8), info_weight=INFO_WEIGHTS[0], steps=50,
                        generator=torch.Generator().manual_seed(0))
info_gap = np.abs(np.array([h["info"] for h in live.history]) - study["infogan/info_loss"][0, 0, :50].numpy()).max()
print(f"live minus recorded information loss over the first 50 steps: at most {info_gap:.1e}")
check(info_gap < 1e-3, "the live InfoGAN steps reproduce the recording")

# %%
agreement = study["infogan/agreement"]                                       # (2 lambdas, 5 seeds)
for weight, row in zip(INFO_WEIGHTS, agreement):
    print(f"lambda = {weight:g}: agreement per seed {[round(float(a), 2) for a in row]}, {spread(row):.2f}")
print(compare("InfoGAN (lambda = 1)", agreement[0], "the plain GAN (lambda = 0)", agreement[1],
              paired=False).sentence(), "(code-mode agreement; seeds are the units)")
solved = int((agreement[0] > 0.95).sum())
print(f"InfoGAN gave each code its own mode (agreement above 0.95) in {solved} of {N_SEEDS} seeds")
check(agreement[0].mean() > 2 * agreement[1].mean(), "InfoGAN's codes agree with the modes far more than chance")
check(agreement[1].max() < 0.25, "without the information term the code is ignored")

# %%
samples_shown = study["infogan/samples"]                                   # (2, 8 codes, 300, 2)
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), dpi=72)
colours = plt.cm.tab10(np.arange(8))
for ax, weight, points in zip(axes, INFO_WEIGHTS, samples_shown):
    for code in range(8):
        ax.scatter(*points[code].T, s=3, color=colours[code], label=f"c={code}")
    ax.set(title=f"lambda = {weight:g}, seed 0: colour = code", aspect="equal", xlim=(-3, 3), ylim=(-3, 3))
axes[0].legend(fontsize=6, markerscale=3, loc="center")
curves = study["infogan/info_loss"]
for weight, runs, style in zip(INFO_WEIGHTS, curves, ("-", ":")):
    for seed, run in enumerate(runs):
        smooth = np.convolve(run.numpy(), np.ones(50) / 50, mode="valid")
        axes[2].plot(smooth, style, lw=1, color=colours[seed], label=f"lambda {weight:g}" if seed == 0 else None)
axes[2].axhline(np.log(8), color="k", lw=0.5)
axes[2].set(xlabel="step", ylabel="Q's cross-entropy (nats)", title="information loss, 5 seeds each")
axes[2].legend(fontsize=8)
plt.tight_layout()
plt.show()
final_info = curves[:, :, -100:].mean(2)                                    # (2, 5): last 100 steps
print(f"log 8 = {np.log(8):.2f} nats: the cross-entropy of a Q that cannot read the code at all; over the last "
      f"100 steps Q's loss is {spread(final_info[0]):.3f} nats with lambda = 1 and {spread(final_info[1]):.3f} "
      f"with lambda = 0")
print(f"seed 0 (the left panel) has agreement {agreement[0, 0]:.2f}")
check((final_info[1] - np.log(8)).abs().max() < 0.05, "without the information term Q's loss stays at log 8")

# %% [markdown]
# With the information term the code lines up with the modes far better than chance (the
# comparison over seeds is printed and checked); without it the generator ignores the code, and
# Q's loss stays at $\log 8$ — it cannot read what is not there (both checked). Where the
# agreement stays well below 1 (seed 0's is printed under the figure), look at the left panel:
# Q only needs the codes to be *distinguishable*, and a code that owns two half-modes is as
# readable as one that owns a whole one. Mutual information finds *a* factorisation the network can read back,
# not necessarily the one a person would name — the same caveat as for every unsupervised
# direction of notebook 06.
#
# *Think about it:* what would a continuous code (InfoGAN's other kind, $c \sim U(-1, 1)$) find
# on the ring?

# %% [markdown]
# ## 5. 3-D from 2-D: how far does a pose direction go?
#
# The lecture asks whether 3-D structure emerges from 2-D image generation. A GAN trained on
# single photos never sees one face from two sides, yet notebook 05 found a $W$ direction that
# turns heads. Is that a rotation? The kit's faces come from a renderer with known factors, so
# the question has an answer: encode real faces into $W$ (notebook 07's encoder), move them along
# the yaw normal of section 1, read the pose the predictor sees, and render the *same* face truly
# turned to that pose. If the GAN rotated, the two would match.

# %%
E = zoo.load("faces_encoder", device=device)
real = load_split("faces", "test", n=60)
real_ws = encode_ws(E, G, real.images.to(device))                      # (60, 7, 64): real faces in W
yaw = names.index("yaw")
view = viewpoint_sweep(G, predictor, real_ws, real.factors, w_steps[yaw], [-3.0, -1.5, 0.0, 1.5, 3.0], names)
strengths = view.strengths.tolist()
ends = [0, len(strengths) - 1]                                         # the strongest turns, -3 and +3 std
print(f"{'strength (std)':28s}" + "".join(f"{s:+8.1f}" for s in strengths))
print(f"{'pose read (0.5 = frontal)':28s}" + "".join(f"{v:8.2f}" for v in view.read_pose.mean(1).tolist()))
print(f"{'PSNR, turned by the GAN':28s}" + "".join(f"{v:8.1f}" for v in view.psnr_edit.mean(1).tolist()))
print(f"{'PSNR, not turned at all':28s}" + "".join(f"{v:8.1f}" for v in view.psnr_still.mean(1).tolist()))
others = [j for j in range(len(names)) if j != yaw]
drift = view.drift[ends][:, :, others].abs().mean((0, 1))                                 # (7,)
print("mean |change| of the other factors at +-3 std: " + ", ".join(f"{names[j]} {d:.2f}" for j, d in
                                                                        zip(others, drift.tolist())))
halfway = [1, 3]                                                       # -1.5 and +1.5 std
turn_vs_still = {}
for label, rows in (("+-1.5 std", halfway), ("+-3 std", ends)):
    turn_vs_still[label] = compare("the GAN's turn", view.psnr_edit[rows].flatten(), "no turn",
                                   view.psnr_still[rows].flatten(), unit=" dB")
    print(f"at {label}: {turn_vs_still[label].sentence()} (PSNR against the true turn, paired by face and side)")
step_near = (view.read_pose[3] - view.read_pose[2]).mean().abs()
step_far = (view.read_pose[4] - view.read_pose[3]).mean().abs()
print(f"pose change from 0 to +1.5 std: {step_near:.2f}; from +1.5 to +3 std: {step_far:.2f}")
check(view.read_pose[-1].mean() > 0.8 and view.read_pose[0].mean() < 0.2, "the yaw direction turns the head")
check(view.psnr_edit[ends].mean() < view.psnr_edit[2].mean() - 3, "the turned faces drift from the truly turned ones")
check(turn_vs_still["+-1.5 std"].verdict == "better", "half way, the GAN's turn is closer to the truth than no turn")
check(turn_vs_still["+-3 std"].verdict != "better", "at the full turn, it is no longer closer than no turn")
check(step_far < step_near, "the turn slows down towards the edge of the data's poses")

# %%
face = 3
row_gan = torch.cat([render_ws(G, edit_ws(real_ws[face:face + 1], w_steps[yaw], s)) for s in strengths]).cpu()
row_true = torch.cat([render_faces({**{k: v[face:face + 1] for k, v in real.factors.items()},
                                    "yaw": view.read_pose[i, face:face + 1].clamp(0, 1)}, 32)
                      for i in range(len(strengths))])
show_grid(torch.cat([row_gan, row_true]), len(strengths),
     "one real face, -3 ... +3 std along the yaw normal: the GAN (top), the renderer at the pose read (bottom)")
plt.show()

# %% [markdown]
# The direction does turn heads (the pose read is printed and checked). Half way, the GAN's
# turned face is closer to the same face truly turned than the unturned face is; at the full
# turn it no longer is (both comparisons printed and checked). It is not a rotation: the further
# it turns, the further the face drifts from the truly turned one (checked), and other factors
# move with the pose (the line of mean changes) until the drift outweighs the turn. The
# generator learnt how turned faces *tend to look*, a 2-D correlation, and it slows down at the
# edge of the poses the data show (±35° here): nothing in it knows that a head has a back.
#
# The lecture's account of getting 3-D out anyway:
# * **Use the GAN as a multi-view data generator** (GANverse3D, Zhang et al., ICLR 2021): sample
#   many codes, move them along the view direction, annotate the views roughly, and train an
#   *inverse graphics* network that predicts a mesh and a texture from one image, through a
#   differentiable renderer that turns them back into an image for the loss. A second mapping
#   network then maps camera, mesh, texture and background to the GAN's latent code: a GAN
#   steered by 3-D controls.
# * **Build the 3-D bias into the generator**: HoloGAN and BlockGAN place a 3-D feature volume
#   inside the generator and rotate it before projecting to 2-D, so pose is a camera parameter,
#   not a learnt correlation. Neural radiance fields (NeRF) and 3-D-aware GANs such as EG3D go
#   further: the image is *rendered* from a 3-D representation, so turning the camera cannot
#   change who is in the picture.
#
# *Think about it:* the measurement above needed a renderer that knows the truth. How would you
# measure "the identity was kept" for real photos, where no one can render the same person
# turned?
