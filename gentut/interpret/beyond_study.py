"""Notebook 09's recorded study: GANalyze's learnt direction and InfoGAN over several seeds.

    tensors = run_beyond_linear_study(device)          # `python -m gentut.recorded beyond_linear_study`
    study = recorded.load("beyond_linear_study")       # study["infogan/agreement"]: (2 weights, N_SEEDS)

Learning GANalyze's direction takes GANALYZE_STEPS steps through the generator and the
predictor, and every InfoGAN run trains a 2-D GAN for INFOGAN_STEPS steps: minutes of a laptop
CPU together, more than notebook 09's 30 seconds. The notebook loads the recording and re-runs
the first steps of each live, checking that they reproduce it.
"""

from __future__ import annotations

import torch

from gentut.data.faces import FACE_FACTORS
from gentut.gan2d import ring_mixture
from gentut.infogan import code_mode_agreement, generate, train_infogan_2d
from gentut.interpret.ganalyze import factor_mix, fit_ganalyze

__all__ = ["GANALYZE_WEIGHTS", "GANALYZE_STEPS", "GANALYZE_SEED", "INFO_WEIGHTS", "INFOGAN_STEPS", "N_SEEDS",
           "N_SHOWN", "run_beyond_linear_study"]

GANALYZE_WEIGHTS = {"smile": 0.5, "hair_length": 0.5}   # the stand-in "memorability": hidden from the learner at first
GANALYZE_STEPS, GANALYZE_SEED = 300, 0
INFO_WEIGHTS = (1.0, 0.0)                   # InfoGAN's lambda, and a plain GAN fed the same code
INFOGAN_STEPS, N_SEEDS = 2000, 5
N_SHOWN = 300                               # samples per code kept for the figure (seed 0)


def run_beyond_linear_study(device: torch.device) -> dict[str, torch.Tensor]:
    """The study with the zoo's faces models on `device` (InfoGAN runs on the CPU: 2-D points).

    Keys: "ganalyze/theta" (w_dim,), "ganalyze/loss" (GANALYZE_STEPS,); "infogan/agreement"
    (len(INFO_WEIGHTS), N_SEEDS); "infogan/counts" (len(INFO_WEIGHTS), N_SEEDS, 8 codes, 8 modes);
    "infogan/info_loss" (len(INFO_WEIGHTS), N_SEEDS, INFOGAN_STEPS); "infogan/samples"
    (len(INFO_WEIGHTS), 8 codes, N_SHOWN, 2) of seed 0.
    """
    from gentut import zoo
    G, predictor = zoo.load("faces_stylegan", device=device), zoo.load("faces_predictor", device=device)
    assessor = factor_mix(predictor, GANALYZE_WEIGHTS, [f.name for f in FACE_FACTORS])
    theta, losses = fit_ganalyze(G, assessor, steps=GANALYZE_STEPS,
                                 generator=torch.Generator().manual_seed(GANALYZE_SEED))
    tensors = {"ganalyze/theta": theta, "ganalyze/loss": torch.tensor(losses)}

    data = ring_mixture(8)
    agreement, counts, info_loss, samples = [], [], [], []
    for weight in INFO_WEIGHTS:
        for seed in range(N_SEEDS):
            run = train_infogan_2d(data, info_weight=weight, steps=INFOGAN_STEPS,
                                   generator=torch.Generator().manual_seed(seed))
            share, table = code_mode_agreement(run.G, data, run.k, run.z_dim)
            agreement.append(share)
            counts.append(torch.from_numpy(table))
            info_loss.append(torch.tensor([h["info"] for h in run.history]))
            if seed == 0:
                with torch.no_grad():
                    codes = torch.arange(run.k).repeat_interleave(N_SHOWN)
                    shown = generate(run.G, codes, run.k, run.z_dim, torch.Generator().manual_seed(1))
                samples.append(shown.view(run.k, N_SHOWN, 2))
    shape = (len(INFO_WEIGHTS), N_SEEDS)
    tensors["infogan/agreement"] = torch.tensor(agreement).view(shape)
    tensors["infogan/counts"] = torch.stack(counts).view(*shape, 8, 8).float()
    tensors["infogan/info_loss"] = torch.stack(info_loss).view(*shape, INFOGAN_STEPS)
    tensors["infogan/samples"] = torch.stack(samples)
    return tensors
