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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gentut/gentut/blob/main/notebooks/10_diffusion.ipynb)
#
# # 10 — Diffusion models: trained on the kit's faces, guided, inverted and interpreted
#
# The lectures end with "Next: diffusion models". A diffusion model learns to *remove noise*:
# destroy an image by adding Gaussian noise in many small steps, train a network to undo one
# step, and generate by starting from pure noise and undoing all of them. It is a latent-variable
# model like notebook 02's VAE, with the noisy images as latents, and its training objective comes
# from the same ELBO.
#
# What you should see here, each time measured on the kit's own models:
# 1. the forward process and what the network is asked to predict at each noise level;
# 2. the cost of diffusion: one network pass per step, against the GAN's single pass, and how
#    quality falls when DDIM takes fewer steps;
# 3. classifier-free guidance: one network, conditional and unconditional, and a scale that
#    trades diversity for obeying the condition;
# 4. DDIM inversion of real faces and edits by re-generating with another condition, against
#    notebook 07's GAN inversion of the same faces;
# 5. semantics inside the denoiser: directions in the U-Net's bottleneck ("h-space") found the
#    InterFaceGAN way and re-scored like the style GAN's W directions.
#
# The model is `faces_diffusion` from the zoo (`python -m gentut.train faces_diffusion`: a U-Net of
# 0.7 M parameters, 10,000 steps, about 40 minutes on a laptop CPU). Sampling a thousand faces
# for each table takes a quarter of an hour, so those numbers are recorded
# (`python -m gentut.recorded diffusion_study`); the notebook re-runs small parts live and checks
# them against the recording.

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
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from gentut import recorded, zoo
from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import load_split
from gentut.diffusion import ddim_sample, to_model_range
from gentut.diffusion_study import (INVERT_STEPS, STRENGTH, hspace_noise, invert_and_edit, study_conditions,
                                    study_noise)
from gentut.evaluate import sample_images
from gentut.evidence import check, compare, mean_interval, spread
from gentut.interpret.rescoring import own_effects, reliable
from gentut.invert.study import EDITS, study_faces, study_table
from gentut.runtime import setup
from gentut.widgets.diffusion import guidance_panel, hspace_panel, steps_panel
from gentut.widgets.render import show_grid

torch.set_grad_enabled(False)
device, generator = setup(seed=0)
MIN_EFFECT, MARGIN = 0.25, 2.0         # re-scoring's pass mark, as in notebooks 05, 09 and 09b
names = [factor.name for factor in FACE_FACTORS]

model = zoo.load("faces_diffusion", device=device)
schedule = model.schedule()
G = zoo.load("faces_stylegan", device=device)
predictor = zoo.load("faces_predictor", device=device)
study = recorded.load("diffusion_study")
n_params = sum(p.numel() for p in model.parameters())
print(f"faces_diffusion: {n_params / 1e6:.2f} M parameters, predicts {model.prediction!r}, "
      f"T = {schedule.steps} steps; faces_stylegan: {sum(p.numel() for p in G.parameters()) / 1e6:.2f} M")

# %% [markdown]
# ## 1. The forward process and the training objective
#
# Fix variances $\beta_1, \dots, \beta_T$ (DDPM's: rising linearly from $10^{-4}$ to $0.02$ over
# $T = 1000$ steps) and add noise step by step,
# $q(x_t \mid x_{t-1}) = \mathcal N(\sqrt{1-\beta_t}\, x_{t-1}, \beta_t I)$. Gaussians compose, so any
# step can be drawn in one go:
#
# $$x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \varepsilon, \qquad
#   \bar\alpha_t = \prod_{s \le t} (1 - \beta_s), \quad \varepsilon \sim \mathcal N(0, I).$$
#
# **From notebook 02's ELBO.** Treat $x_1, \dots, x_T$ as latent variables with the fixed
# "encoder" $q$ and learn the "decoder" $p_\theta(x_{t-1} \mid x_t)$. The ELBO splits into one KL
# term per step, $\mathrm{KL}(q(x_{t-1} \mid x_t, x_0)\,\|\,p_\theta(x_{t-1} \mid x_t))$, and the
# posterior $q(x_{t-1} \mid x_t, x_0)$ is a Gaussian whose mean is known in closed form. With a
# Gaussian decoder of the same variance each KL is a squared distance between means; writing the
# decoder's mean through a noise prediction $\varepsilon_\theta(x_t, t)$ turns it into
# $\|\varepsilon - \varepsilon_\theta(x_t, t)\|^2$ times a weight that depends on $t$. DDPM (Ho et
# al. 2020) drops the weights:
#
# $$L_\text{simple} = \mathbb E_{x_0,\, t,\, \varepsilon}\, \|\varepsilon - \varepsilon_\theta(x_t, t)\|^2 .$$
#
# One random $t$ per image and one network pass per training step: training never runs the chain.
#
# **What the kit's network predicts.** Not $\varepsilon$ but $v = \sqrt{\bar\alpha_t}\,\varepsilon -
# \sqrt{1-\bar\alpha_t}\, x_0$ (Salimans & Ho 2022), from which $\varepsilon$ follows. Fitting $v$ is
# $L_\text{simple}$ with the weight $1/\bar\alpha_t$ put back on each step. Near $t = T$ the image is
# nearly all noise, so predicting $\varepsilon$ is nearly copying $x_t$, and a network that predicts
# $\varepsilon$ must get a tiny remainder exactly right to say anything about $x_0$; $v$ is like
# $x_0$ at high noise and like $\varepsilon$ at low noise (`gentut/models/denoiser.py`).
#
# Below: a test face noised to several steps (top), and the network's estimate of $x_0$ from that
# noisy image alone, $\hat x_0 = (x_t - \sqrt{1-\bar\alpha_t}\,\hat\varepsilon)/\sqrt{\bar\alpha_t}$
# (bottom).

# %%
faces = load_split("faces", "test", 64)
cond_true = faces.factor_matrix(names).to(device)
x0 = to_model_range(faces.images.to(device))
shown_steps = [0, 100, 250, 500, 750, 999]
noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(0)).to(device)
abar = schedule.abar.float().to(device)


def estimate_x0(x_t, t, cond):
    """x0_hat from the model's noise prediction at step t (an int) for a batch x_t."""
    tt = torch.full((len(x_t),), t, device=device)
    eps = model(x_t, tt, cond)
    return (x_t - (1 - abar[t]).sqrt() * eps) / abar[t].sqrt(), eps


fig, axes = plt.subplots(2, len(shown_steps), figsize=(10, 3.6), dpi=72)
for j, t in enumerate(shown_steps):
    x_t = schedule.add_noise(x0[:1], torch.tensor([t], device=device), noise[:1])
    x0_hat, _ = estimate_x0(x_t, t, cond_true[:1])
    for row, image in enumerate([x_t, x0_hat]):
        axes[row, j].imshow(((image[0] + 1) / 2).clamp(0, 1).permute(1, 2, 0).cpu().numpy(), interpolation="nearest")
        axes[row, j].set_xticks([]), axes[row, j].set_yticks([])
    axes[0, j].set_title(f"t = {t}\n" + r"$\bar\alpha_t$" + f" = {abar[t]:.3f}", fontsize=9)
axes[0, 0].set_ylabel("$x_t$")
axes[1, 0].set_ylabel(r"$\hat x_0$")
plt.tight_layout()
plt.show()

# %% [markdown]
# How good is the denoiser at each noise level? On 64 held-out faces: the error of its noise
# prediction, and the error of its $\hat x_0$, per step. The second is what decides the picture.

# %%
probe_steps = [0, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999]
eps_error, x0_error = {"with": [], "without": []}, {"with": [], "without": []}
for t in probe_steps:
    x_t = schedule.add_noise(x0, torch.full((len(x0),), t, device=device), noise)
    for given, cond in (("with", cond_true), ("without", None)):
        x0_hat, eps = estimate_x0(x_t, t, cond)
        eps_error[given].append((eps - noise).pow(2).mean().item())
        x0_error[given].append((x0_hat.clamp(-1, 1) - x0).pow(2).mean().item())
mean_face_error = (x0 - x0.mean(0, keepdim=True)).pow(2).mean().item()     # the best guess knowing nothing
fig, ax = plt.subplots(1, 2, figsize=(10, 2.8), dpi=72)
for given in ("with", "without"):
    ax[0].semilogy(probe_steps, eps_error[given], "o-", label=f"{given} the condition")
    ax[1].plot(probe_steps, x0_error[given], "o-", label=rf"$\hat x_0$ {given} the condition")
ax[0].set(xlabel="step t", ylabel=r"$\|\varepsilon - \hat\varepsilon\|^2$ per pixel", title="noise prediction")
ax[0].legend(fontsize=8)
ax[1].axhline(mean_face_error, color="grey", ls="--", label="the mean face of these 64")
ax[1].set(xlabel="step t", ylabel="squared error per pixel", title="estimate of the clean image (clamped)")
ax[1].legend(fontsize=8)
plt.tight_layout()
plt.show()
print(f"abar at t = 999: {abar[-1].item():.1e}, so x_999 keeps {abar[-1].sqrt().item():.4f} of x_0's amplitude")
print(f"noise error: {eps_error['with'][0]:.3f} at t = 0, {eps_error['with'][-1]:.1e} at t = 999 (with the condition)")
print(f"x0 estimate error at t = 999: {x0_error['without'][-1]:.3f} without the condition, {x0_error['with'][-1]:.4f} "
      f"with it; the mean face: {mean_face_error:.3f}")
check(np.argmax(eps_error["with"]) == 0 and np.argmax(eps_error["without"]) == 0,
      "the noise error is largest at t = 0")
check(np.argmax(x0_error["without"]) == len(probe_steps) - 1 and x0_error["without"][-1] < 1.2 * mean_face_error,
      "without the condition the image error is largest at t = 999, about that of the mean face")
check(x0_error["with"][-1] < 0.1 * mean_face_error,
      "with the condition the face is nearly known at t = 999: under a tenth of the mean face's error")

# %% [markdown]
# The noise error is *largest* at small $t$ (little noise to find), and without the condition
# the image error is largest at large $t$ (little image left), where the best guess is about the
# average face: the network's job changes along the chain. With the condition the picture
# changes: the 8 factors nearly determine one of the kit's faces, so the network knows the face
# before it has seen any of it. That is a property of these procedural faces (a photograph's
# attributes leave most of it open), and it will matter for guidance and for editing below.
#
# ## 2. Sampling: DDPM, DDIM, and the cost of steps
#
# **DDPM** runs the chain backwards through all $T = 1000$ steps, adding fresh noise at each.
# **DDIM** (Song et al. 2021) uses the same trained network on a deterministic path through a
# subsequence of the steps: estimate $\hat x_0$, then re-noise it to the next, lower step with the
# same predicted noise,
# $x_{t'} = \sqrt{\bar\alpha_{t'}}\,\hat x_0 + \sqrt{1-\bar\alpha_{t'}}\,\hat\varepsilon$. Move the
# slider: the same starting noise and conditions at 1 to 50 steps.

# %%
row_noise = study_noise(0)[:8].to(device)
row_cond = study_conditions(0)[:8].to(device)
panel = steps_panel(model, row_noise, row_cond)
panel

# %% [markdown]
# DDPM's 1000 stochastic steps on the first 8 conditions (recorded: they take the longest of
# anything in this notebook), beside DDIM at 50 steps with the same conditions (different
# noise: DDPM adds new noise at every step).

# %%
fig, axes = plt.subplots(2, 1, figsize=(10, 2.8), dpi=72)
show_grid(study["ddpm/images"], 8, "DDPM, 1000 steps (recorded)", ax=axes[0])
show_grid(ddim_sample(model, schedule, 8, steps=50, cond=row_cond, noise=row_noise, progress=False).cpu(), 8,
          "DDIM, 50 steps", ax=axes[1])
plt.tight_layout()
plt.show()

# %% [markdown]
# **Quality against steps**, measured: Fréchet distance (FD, the zoo's protocol: the attribute
# predictor's features, against 500 test faces) of 512 samples per seed, conditions drawn from the
# training split, two seeds; the style GAN's 512 samples and 512 real validation faces for scale.
# **Cost**: seconds per image on the CPU the study ran on, batches of 64.

# %%
# NBVAL_CHECK_OUTPUT
steps = study["steps"].tolist()
fd_ddim, fd_gan, fd_real = study["fd/ddim"], study["fd/gan"], study["fd/real"]
seconds = study["seconds/ddim"]
gan_seconds, ddpm_seconds = study["seconds/gan"].item(), study["seconds/ddpm"].item()
print(f"{'sampler':18s} {'FD (2 seeds)':>26s} {'ms / image':>11s} {'x GAN':>7s}")
print(f"{'real faces':18s} {format(spread(fd_real), '.2f'):>26s}")
print(f"{'style GAN':18s} {format(spread(fd_gan), '.2f'):>26s} {gan_seconds * 1e3:11.2f} {1:7.0f}")
for i, s in enumerate(steps):
    print(f"{f'DDIM {s} steps':18s} {format(spread(fd_ddim[i]), '.2f'):>26s} {seconds[i].item() * 1e3:11.2f} "
          f"{seconds[i].item() / gan_seconds:7.0f}")
print(f"{'DDPM 1000 steps':18s} {'':>26s} {ddpm_seconds * 1e3:11.2f} {ddpm_seconds / gan_seconds:7.0f}")

# %%
at = {s: i for i, s in enumerate(steps)}
per_step = (seconds / torch.tensor(steps)).mean().item()
seed_spread = lambda fds: (fds.max() - fds.min()).item()                               # noqa: E731
few, many = fd_ddim[at[5]], fd_ddim[at[50]]
print(f"DDIM costs {per_step * 1e3:.2f} ms per image per step; the GAN draws a face in {gan_seconds * 1e3:.2f} ms.")
print(f"FD at 5 steps minus FD at 50: {(few.mean() - many.mean()).item():+.2f}; between the two seeds FD varies by "
      f"{seed_spread(few):.2f} at 5 steps and {seed_spread(many):.2f} at 50")
print(check((few.mean() - many.mean()).abs() < max(seed_spread(few), seed_spread(many)),
            "5 DDIM steps and 50 are within noise (less apart than the seeds)"))
diffusion_25 = fd_ddim[at[25]]
print(f"FD of DDIM at 25 steps minus the GAN's: {(diffusion_25.mean() - fd_gan.mean()).item():+.2f} (seeds: "
      f"diffusion {[round(v, 2) for v in diffusion_25.tolist()]}, GAN {[round(v, 2) for v in fd_gan.tolist()]})")
print(check((diffusion_25.mean() - fd_gan.mean()).abs() < max(seed_spread(diffusion_25), seed_spread(fd_gan)),
            "the diffusion model and the style GAN are within noise in FD"))
print(check(seconds[at[25]] > 10 * gan_seconds, "25 DDIM steps cost more than ten GAN forward passes"))

# %% [markdown]
# Your machine, live (one batch of 16, so noisier than the table):

# %%
start = time.perf_counter()
sample_images(G, 16, torch.Generator().manual_seed(0))
gan_live = (time.perf_counter() - start) / 16
start = time.perf_counter()
ddim_sample(model, schedule, 16, steps=10, cond=study_conditions(0)[:16].to(device), generator=generator,
            progress=False)
ddim_live = (time.perf_counter() - start) / 16
print(f"GAN: {gan_live * 1e3:.2f} ms per image; DDIM with 10 steps: {ddim_live * 1e3:.2f} ms per image "
      f"({ddim_live / gan_live:.0f} times the GAN)")

# %% [markdown]
# On these faces the two models reach the same quality (the checks above), and the diffusion
# model pays for it at every sample: tens of network passes against one. On large photo sets
# diffusion models beat GANs in FD (Dhariwal & Nichol 2021); the kit's data are simple enough that
# both models come close to the real faces' floor, so it cannot show that.
#
# *Think:* FD barely moved between 5 and 50 DDIM steps here, while papers need 25 or more on
# photographs. What about these faces (and section 1's plot) makes a few steps enough?
#
# ## 3. Classifier-free guidance
#
# The condition (the 8 face factors) was dropped for 10 % of the training images, so the same
# network predicts the noise with the condition, $\hat\varepsilon_c$, and without it,
# $\hat\varepsilon_\varnothing$. Guidance (Ho & Salimans 2021) samples with
#
# $$\tilde\varepsilon = \hat\varepsilon_\varnothing + s\,(\hat\varepsilon_c - \hat\varepsilon_\varnothing):$$
#
# $s = 0$ is the unconditional model, $s = 1$ the conditional one, $s > 1$ pushes further towards
# what the condition adds. Move the slider: 8 conditions, the same noise at every scale.

# %%
panel = guidance_panel(model, row_noise, row_cond)
panel

# %% [markdown]
# Measured on 2 x 512 samples per scale (25 DDIM steps): **success**, the share of the five
# thresholded factors (smile, eyeglasses, age, yaw, hair length) that the predictor reads on the
# side the condition asked for; **diversity**, the mean feature distance between the 8 samples
# that share a condition; and FD.

# %%
# NBVAL_CHECK_OUTPUT
scales = study["guidance"].tolist()
success, diversity, fd_guided = study["success"], study["diversity"], study["fd/guided"]
print(f"{'scale s':>8s} {'success':>34s} {'diversity':>34s} {'FD (2 seeds)':>26s}")
for i, s in enumerate(scales):
    print(f"{s:8.1f} {format(mean_interval(success[i]), '.3f'):>34s} {format(mean_interval(diversity[i]), '.2f'):>34s} "
          f"{format(spread(fd_guided[i]), '.1f'):>26s}")

# %%
g = {s: i for i, s in enumerate(scales)}
verdicts = {"success 1 vs 0": compare("s = 1", success[g[1.0]], "s = 0", success[g[0.0]]),
            "success 4 vs 1": compare("s = 4", success[g[4.0]], "s = 1", success[g[1.0]]),
            "diversity 4 vs 1": compare("s = 4", diversity[g[4.0]], "s = 1", diversity[g[1.0]]),
            "diversity 1 vs 0": compare("s = 1", diversity[g[1.0]], "s = 0", diversity[g[0.0]])}
for name, verdict in verdicts.items():
    print(f"{name.split()[0]:9s}: {verdict.sentence('.3f')}")
print(check(verdicts["success 1 vs 0"].verdict == "better",
            "the conditional model obeys the condition better than the unconditional one"))
print(check(verdicts["success 4 vs 1"].verdict != "better" and fd_guided[g[4.0]].min() > fd_guided[g[1.0]].max(),
            "guidance beyond 1 does not raise success here, and it worsens FD"))
print(check(verdicts["diversity 4 vs 1"].verdict == "within noise",
            "diversity within a condition is the same at s = 4 as at s = 1"))

# %% [markdown]
# **A difference from the paper.** Ho & Salimans trade diversity for fidelity as $s$ grows. Here
# the plain conditional model ($s = 1$) already obeys the condition almost always, and the samples
# that share a condition are already nearly alike (the diversity column, against $s = 0$): section
# 1 showed that the 8 factors nearly determine a face, so there is no diversity left to trade and
# nothing left to push towards. Raising $s$ only pushes the samples off the data (FD rises). On
# photographs, where a label leaves most of the image open, the trade-off appears.
#
# *Think:* unconditional samples (the first row) still match part of what a random condition
# asks — why is chance not 0? Which factor would you leave out of the condition to get a model
# whose guidance has something to trade, and how would you check it?
#
# ## 4. DDIM inversion and editing by a changed condition
#
# DDIM is deterministic, so it can be run backwards: from an image to the noise $x_T$ that DDIM
# maps back to it (`ddim_invert`; each step reuses the noise predicted at the less noisy end, an
# approximation). The condition for a real face is what the predictor reads from it: no labels
# needed. To edit, re-generate from the same $x_T$ with one factor of the condition moved to the
# other side. These are notebook 07's first 20 real test faces; here are four, live.

# %%
real20 = study_faces(G)[:20]
shown = [0, 3, 7, 12]
live = invert_and_edit(model, predictor, real20[shown])
rows = [real20[shown].cpu(), live["reconstruction"]] + [live[f"edited/{name}"] for name in EDITS]
show_grid(torch.cat(rows), len(shown), "rows: the face, DDIM inversion + reconstruction, then with the condition's "
          + ", ".join(EDITS) + " moved to the other side")
plt.show()
live_gap = (live["psnr"] - study["invert/psnr"][shown]).abs().max().item()
print(f"reconstruction PSNR of these four: {[round(v, 1) for v in live['psnr'].tolist()]} dB; "
      f"the recording's: {[round(v, 1) for v in study['invert/psnr'][shown].tolist()]}")
check(live_gap < 0.5, "the live inversions reproduce the recorded ones (within 0.5 dB on every face)")

# %% [markdown]
# The same faces with notebook 07's methods (its recording, `inversion_study`): distortion
# (PSNR) and editability (gain: the edited factor's change towards the other side; drift: the
# mean absolute change of the others), averaged over the same three edits, smile, eyeglasses and
# age. The GAN edits move $2$ standard deviations along InterFaceGAN's normal; the diffusion edit
# sets the condition's factor to the other end.

# %%
# NBVAL_CHECK_OUTPUT
gan_rows = study_table(recorded.load("inversion_study"))["real"]
diffusion_gain = torch.stack([study[f"invert/gain/{name}"] for name in EDITS]).mean(0)
diffusion_drift = torch.stack([study[f"invert/drift/{name}"] for name in EDITS]).mean(0)
table = {label: (scores["psnr"], scores["gain"], scores["drift"]) for label, (scores, _) in gan_rows.items()
         if label in ("optimise W", "optimise W+", "encoder", "PTI (W pivot + tuning)")}
table[f"DDIM inversion, {INVERT_STEPS} steps"] = (study["invert/psnr"], diffusion_gain, diffusion_drift)
print(f"{'20 real faces':28s} {'PSNR (dB)':>30s} {'edit gain':>30s} {'drift':>30s}")
for label, (p, gain, drift) in table.items():
    print(f"{label:28s} {format(mean_interval(p), '.1f'):>30s} {format(mean_interval(gain), '.2f'):>30s} "
          f"{format(mean_interval(drift), '.3f'):>30s}")

# %%
ddim_label = f"DDIM inversion, {INVERT_STEPS} steps"
for label in ("optimise W+", "PTI (W pivot + tuning)"):
    print(compare(ddim_label, table[ddim_label][0], label, table[label][0], unit=" dB").sentence(".1f"), "(PSNR)")
    print(compare(ddim_label, table[ddim_label][1], label, table[label][1]).sentence(".2f"), "(gain)")
    print(compare(ddim_label, table[ddim_label][2], label, table[label][2], higher_is_better=False).sentence(".3f"),
          "(drift)")
wins = [all(compare(ddim_label, table[ddim_label][k], label, table[label][k], higher_is_better=k != 2).verdict == "better"
            for label in table if label != ddim_label) for k in range(3)]
print(check(all(wins), "DDIM inversion beats every GAN inversion on these faces in PSNR, edit gain and drift"))
print(f"numbers per code: DDIM's x_T {live['noise'][0].numel()}, W+ {G.num_ws * G.w_dim}, W {G.w_dim}")

# %% [markdown]
# Notebook 07 found a trade-off: the GAN codes that reconstruct best edit worst. DDIM inversion
# escapes it on these faces — but look at what each side is given. Its "code" is the whole noise
# image $x_T$ (3,072 numbers against W+'s 448), and its edit changes the *condition*, a factor the
# model was trained to obey, where the GAN's edit is a direction fitted afterwards from a
# predictor's labels. And section 1 showed that the condition nearly fixes a face here.
#
# *Think:* for a photograph, what would you condition on, and which of the three advantages would
# remain? How would you measure the edit if there were no attribute predictor?
#
# ## 5. Semantics inside the denoiser: h-space against W
#
# A GAN's W is a small code per image. A diffusion model has no such code, but Kwon et al. (2023)
# found that the U-Net's bottleneck activations $h_t$ behave like one: adding a fixed
# $\Delta h$ during the early steps changes the same attribute on every image. The kit finds
# $\Delta h$ the InterFaceGAN way: 2,000 unconditional samples, their $h$ averaged over the
# first half of 25 DDIM steps (64 x 8 x 8 = 4,096 numbers), the predictor's reading as labels, a
# linear SVM per factor (`gentut/interpret/hspace.py`, with the deviations from the paper). The
# style GAN's W gets the same recipe on as many codes. Each direction is then re-scored: move 150
# new samples along it and read all eight factors. The unit is one standard deviation of the
# codes along the direction, 3 for both spaces as in notebooks 05 and 09; h-space also at 10 and
# 30, since one of 4,096 directions carries a smaller share of the code than one of 64.
#
# The panel: four unconditional samples, unedited (top) and moved along the chosen direction.

# %%
hspace_steps = study["hspace/steps"]
h_shape = (hspace_steps.shape[1] // 64, 8, 8)
directions = hspace_steps.view(len(names), *h_shape).to(device)
panel = hspace_panel(model, hspace_noise(4, 1).to(device), directions, names, strength=10.0)
panel

# %%
# NBVAL_CHECK_OUTPUT
strengths = study["hspace/strengths"].tolist()
rows = {f"W (style GAN), {STRENGTH:g} std": study["w/changes"]}
rows.update({f"h-space, {s:g} std": study["hspace/changes"][i] for i, s in enumerate(strengths)})
print(f"{'8 directions, 150 samples':26s} {'passes':>7s} {'own change (mean)':>18s} {'other factors (mean |change|)':>30s}")
passes, own, side = {}, {}, {}
for label, changes in rows.items():                          # changes (8 directions, 150 samples, 8 factors)
    effects = changes.mean(1)
    passes[label] = reliable(effects, range(len(names)), MIN_EFFECT, MARGIN)
    own[label] = own_effects(changes).T.mean(1)                                   # (150,): mean over directions
    others = ~torch.eye(len(names), dtype=torch.bool)[:, None, :].expand_as(changes)
    side[label] = changes.abs()[others].view(len(names), changes.shape[1], -1).mean((0, 2))   # (150,)
    print(f"{label:26s} {int(passes[label].sum()):>3d} of 8 {own[label].mean().item():18.3f} {side[label].mean().item():30.3f}")
print(f"boundary accuracy on held-out extremes: W {study['w/val_accuracy'].mean().item():.2f}, "
      f"h-space {study['hspace/val_accuracy'].mean().item():.2f}")

# %%
w_label = f"W (style GAN), {STRENGTH:g} std"
h_best = max((label for label in rows if label.startswith("h")), key=lambda label: (passes[label].sum(), own[label].mean()))
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), dpi=72)
for ax, label in zip(axes, [w_label, h_best]):
    e = rows[label].mean(1)
    ax.imshow(e.numpy(), cmap="RdBu_r", vmin=-0.6, vmax=0.6)
    ax.set_xticks(range(len(names)), names, rotation=60, fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, f"{e[i, j]:+.2f}", ha="center", va="center", fontsize=6)
    ax.set(title=f"{label}: mean change", xlabel="factor read", ylabel="direction fitted for")
plt.tight_layout()
plt.show()
print(f"h-space at its best strength of the three ({h_best}) against W at {STRENGTH:g} std "
      "(picking the best of three favours h-space a little):")
own_vs_w = compare(h_best, own[h_best], w_label, own[w_label], paired=False)
side_vs_w = compare(h_best, side[h_best], w_label, side[w_label], higher_is_better=False, paired=False)
print(" ", own_vs_w.sentence(".3f"), "(own factor's change, per sample, mean over the 8 directions)")
print(" ", side_vs_w.sentence(".3f"), "(mean absolute change of the other factors)")
print("  directions that pass re-scoring: h-space " + (", ".join(n for n, ok in zip(names, passes[h_best]) if ok) or "none")
      + "; W " + (", ".join(n for n, ok in zip(names, passes[w_label]) if ok) or "none"))
ratio = {label: (side[label].mean() / own[label].mean()).item() for label in (h_best, w_label)}
print(f"  side effects per unit of own change: {h_best} {ratio[h_best]:.2f}, {w_label} {ratio[w_label]:.2f}")
check(passes[f"h-space, {STRENGTH:g} std"].sum() < passes[w_label].sum()
      and passes[h_best].sum() == passes[w_label].sum() - 1,
      "at 3 std h-space passes fewer directions than W; at its best strength one fewer")
check(own_vs_w.verdict == "worse" and side_vs_w.verdict == "within noise",
      "at its best strength h-space moves its own factor less than W, with side effects within noise of W's")

# %% [markdown]
# So which space is more disentangled? At the same 3 standard deviations h-space moves its
# factors too little to pass; pushed further it passes one direction fewer than W, with side
# effects within noise of W's but a smaller change of its own factor, so per unit of own change
# its side effects are a little larger (the last line). The kit's answer: **nearly as
# disentangled, at a different scale**. Kwon et al. report h-space edits as clean as a GAN's W;
# here W is a little ahead, but this W belongs to a generator trained to keep the factors'
# correlations as in the data (notebook 05, section 3), and no such care went into the
# diffusion model.
#
# *Think:* "more disentangled" needs a common unit. Here both spaces were moved by standard
# deviations of their own codes; would a fixed change of the *own* factor (move each direction
# until smile rises by 0.3, then compare side effects) be fairer? Which way would you expect the
# verdict to go?
#
# ## 6. What this notebook left out
#
# * **Flow matching** (Lipman et al. 2023) trains the same kind of network with another target:
#   the velocity $x_1 - x_0$ along a straight line from noise to data, and samples by integrating
#   it in a few steps. It is not built here; `gentut.diffusion.diffusion_loss` and the
#   denoiser's `prediction` argument show where a third target would go.
# * **Latent diffusion** (Stable Diffusion) runs the same process in an autoencoder's latent
#   space (notebook 02) and conditions on text through cross-attention (notebook 09b's CLIP).
#
# ## Questions
# 1. The noise schedule: with $\bar\alpha_{999}$ as printed in section 1, how much signal is left at
#    the start of sampling? What happens to the first DDIM step if $\hat\varepsilon$ is off by 1 %?
# 2. Guidance pushed success up and diversity down. Using section 3's numbers, which scale would
#    you use to make a labelled data set for training the attribute predictor, and why?
# 3. DDIM inversion needed no optimisation at all. Count the network passes it took per face
#    and compare with notebook 07's W+ optimisation (100 steps, each a generator pass and a
#    backward pass).
