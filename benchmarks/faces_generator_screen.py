"""Screen a faces style generator before retraining everything downstream of it (issue 11).

    python benchmarks/faces_generator_screen.py [DIR ...]     # no DIR: the shipped faces_stylegan

DIR is a `python -m gentut.train faces_stylegan --out DIR` folder. For each generator, prints:
- FD: predictor features of 2,000 samples against 2,000 test faces (lower is better);
- the ties it invented: the pairs of factors whose predictor readings correlate among its samples
  but not among 5,000 training faces, largest first, and the mean gap over all 28 pairs;
- re-scoring in W at 2 std with notebook 05's protocol (`gentut.interpret.study.draw_effects`,
  own change >= 0.25 and >= 2x the largest side effect): the plain edits that pass, for 5 fits on
  2,000 scored samples (fit 0 is the notebook's draw) and 2 fits on 10,000.
One to two minutes per generator on a 2-core CPU. Measured 2026-12-03: shipped FD 1.32, tie gap
0.075, passes 5 4 7 7 5 | 5 4; the same recipe at 24,000 steps FD 0.92, 0.063, 4 5 4 5 4 | 7 5.
Measured 2026-12-04 (none beats the shipped generator, none shipped): with StyleGAN2's path length
penalty (pl_weight 2) FD 1.66, 0.084, 6 6 4 5 5 | 6 5; pl_weight 8 FD 2.61, 0.142, 4 4 4 4 4 | 3 4;
a wider synthesis network (width 24, screened with the registry's config patched to match) FD 2.83,
0.116, 4 4 5 4 4 | 3 4. Which edits fail differs by candidate: pl_weight 2 fails skin tone on 5 of
7 fits and background on 4; the other two fail hair length on every fit, and each invents a tie the
data lacks (hair length-hair colour -0.73 and hair length-skin tone -0.88, data -0.01).
The shipped recipe with two other training seeds (ZooEntry.seed 1 and 2, 12,000 steps, same data)
gave FD 1.76, 0.093, 5 7 4 5 5 | 6 4 and FD 1.62, 0.107, 5 6 5 5 5 | 5 5. Each seed invents its own
ties, so a different set of edits fails: with seed 1, hair length-hair colour -0.55 and yaw-hair
colour +0.44, and hair length fails on every fit; with seed 2, age-skin tone +0.24, and background
fails on 6 of 7 fits. The three seeds span 4 to 7 passes on 2,000 and 4 to 6 on 10,000; the
candidates above span 3 to 7 on both, none more than one pass outside the seeds' range. So one
training run per recipe cannot rank recipes: judge a recipe over several training seeds.
Seeds 3 and 4 (12,000 steps): FD 1.53, 0.068, 6 6 6 6 6 | 6 6 and FD 1.13, 0.077, 4 3 5 5 4 | 3 3.
Longer runs (the recipe has no schedule, so a run resumed from its saved state is the same run
continued), screened every 1,000 steps: seed 3 from 12,000 to 20,000 (FD 1.35 to 1.61) passes 5
to 7 and fails age on 56 of 63 fits; seed 1 from 13,000 to 16,000 passes 3 to 7 and fails hair
length on 27 of 28; seed 2 from 13,000 to 16,000 passes 4 to 6 and fails background on 26 of 28
and smile on 22. All seven edits that should pass (every one but eyeglasses) pass on 6 of these
126 fits (5 of them seed 3's); no seed (0 to 4) at any length screened passes them on every fit.
Seed 3's age edit fails by hair colour (at 12,000 and 20,000 steps: own +0.39 to +0.42, hair
colour +0.24 to +0.37), while the predictor reads age alone on real renders (moving any factor by
0.4 moves every other reading by at most 0.002): the tie is the generator's. Grey hair drawn so
that it reads as lighter hair was the first suspect, but it is not what makes the ties: with no
greying (`_MAX_GREYING` 0 in gentut/data/faces.py, the predictor retrained on those faces, whose FD
is not comparable with the ones above) seeds 0 and 1 gave FD 2.86, 0.098, 6 6 6 7 6 | 6 6 and FD
3.79, 0.123, 4 3 3 2 2 | 3 3 at 12,000 steps (6 6 6 7 7 | 6 6 and 2 3 2 4 3 | 4 3 at 14,000). They
still tie age to hair colour (seed 0 +0.18 at 12,000 steps, seed 1 +0.13 at 14,000; data -0.01)
and invent ties with hair colour as large as before (smile +0.43, yaw +0.66). Lines alone are
faint: seed 0's age edit moves age only +0.12 to +0.16 (12,000 steps), and age fails on every fit
of both seeds; the plain eyeglasses edit passes on every fit of seed 0, so the lesson of projecting
age out would be lost. The data keeps its greying.
StyleGAN's minibatch standard deviation in the critic (group 4, one feature map before the head,
as the reference; seeds 0 and 1, 12,000 steps, shipped data) did not help either: FD 2.82, 0.123,
3 1 2 1 1 | 2 2 and FD 1.26, 0.073, 4 4 4 5 4 | 6 4, against the same seeds' 5 4 7 7 5 | 5 4 and
5 7 4 5 5 | 6 4 without it. Nor did StyleGAN's critic epilogue (a 3x3 conv and a hidden fully
connected layer before the output, in place of one linear layer): FD 3.85, 0.133, 4 5 5 5 5 | 5 6
and FD 6.62, 0.138, 3 1 3 3 3 | 4 3 (same seeds and steps), with larger invented ties (smile-hair
colour +0.56, yaw-hair colour +0.57).
A tie penalty in training (not shipped; seeds 0 and 1, 12,000 steps, lambda 2): the G step adds
lambda x the summed squared gaps between the correlations of the predictor's readings of fakes
(pooled with the last 7 penalised batches, detached) and those of 5,000 training faces. On the G
step's own fakes it gave FD 2.55, 0.084, 4 4 3 4 5 | 5 4 and FD 2.48, 0.098, 3 3 3 3 4 | 5 4: 90 %
of those fakes are style-mixed, which decorrelates factors drawn at different layers by
construction, so the penalty sat near its noise floor while unmixed samples kept large ties (hair
colour-skin tone +0.73, data +0.02). On 32 fresh unmixed fakes every second G step (weight
2 lambda) it removes the invented ties (mean gap 0.021 and 0.020, against 0.075 and 0.093 without
it): FD 3.82, 6 6 5 6 6 | 6 6 and FD 2.92, 6 4 4 4 6 | 5 5 (worse FD than the same seeds' 1.32 and
1.76; each run took 52 min on one core, the plain recipe 27). Age, hair length, hair colour and
skin tone pass on every fit of both seeds; yaw passes on every fit of seed 0 and 3 of 7 of seed 1.
Projecting age out of the eyeglasses edit removes 80 % and 93 % of its age drag (fit 0) and keeps
99 % and 95 % of the eyeglasses change. But smile fails on every fit: its own change is +0.21 and
+0.01 (fit 0). Seed 1 holds smile less linearly in W (a ridge probe's R2 0.49, shipped 0.88); seed
0 holds it as linearly (R2 0.87, boundary accuracy 1.00) but its 2-std edit moves smile only +0.21
against the shipped +0.36: along the normal, the edit faces' mean smile reads 0.49, 0.69, 0.70,
0.59 at 0, 1, 2, 3 std (shipped 0.49, 0.71, 0.85, 0.90), and seed 1's stays at 0.48 to 0.50 from
-3 to +3 std. Trained on to 14,000 steps (resumed; the tie batches' generator restarted): FD 3.66,
0.023, 6 6 7 6 6 | 6 6 and FD 3.37, 0.021, 5 6 5 5 6 | 6 6 -- seed 1's yaw now passes on every fit,
smile still fails on 13 of 14, and its curves keep their shape (seed 0: 0.50, 0.70, 0.73, 0.61 at
0 to 3 std; seed 1: 0.44 to 0.49).
The generator trains against the predictor that re-scores it, so a second predictor judged too
(width 32, seed 1, never seen in training): the ties stay gone (mean gap 0.020 and 0.018, shipped
generator 0.076) and the same edits pass and fail (7 6 6 6 6 | 6 5 and 6 5 5 4 5 | 6 5; smile
fails on 13 of these 14 fits), but in its features the FD rises more: 8.46 and 6.00 against the
shipped generator's 2.36, so the penalty costs fidelity that the shipped predictor's features
underrate.
The penalty now lives in the package (`gentut.recipes.train_gan(tie_weight=...)`, the entry's train
dict naming `tie_predictor`; its run of the candidate below, 12,000 steps in 41 min on one core,
gives the scratch run's weights bit for bit, SHA-256 c0d95cdf...). A grid on a lent H200 GPU
(2026-12-04; six runs side by side, one process each: 14.5 steps/s with the penalty, 20 without) was
cut off by the session's 8-minute window at 6,900 and 9,600 steps; the G_ema of the last saved
states, screened here: mapping_lr_mult 0.3 without the penalty (9,500 steps) FD 3.48, 0.156, 3 3 3 3
3 | 4 4 and FD 3.30, 0.137, 3 4 5 6 6 | 6 4 (seeds 0, 1; faster mapping alone invents more ties);
the penalty at lambda 0.5 with mapping_lr_mult 0.1 (6,750 steps) FD 2.21, 0.023, 5 6 5 5 6 | 7 6 and
FD 2.54, 0.029, 4 5 4 6 3 | 5 5; lambda 1 with mapping_lr_mult 0.3 (6,750 steps) FD 2.79, 0.018, 5 4
5 6 5 | 7 4 and FD 2.75, 0.030, 6 6 6 6 6 | 6 6 (age fails on every fit). Smile lies flat along its
normal (0.39 to 0.54 from -3 to +3 std) in one run of each of the first two recipes, so a flat smile
is not the penalty's doing alone.
Lambda 1 with mapping_lr_mult 0.3 on the CPU (seeds 0 and 1, 12,000 steps, 47 min each on one core,
side by side), the checkpoints a run of 5,000 to 12,000 steps would end with screened on 5 fits of
2,000 (FD, mean tie gap, passes; then what fails): both seeds' smile lies flat at 5,000 steps (FD
4.73 and 2.67, 5 6 4 4 4 and 3 3 4 4 4) and moves its full range from 8,000 on (seed 0 from 0.13 to
0.83 between -3 and +3 std, seed 1 from 0.22 to 0.90). Seed 0 at 8,000 steps passes all seven on fit
0 (FD 2.67, 0.023, 7 7 6 5 7 | 6 5), but from 9,000 to 12,000 steps (FD 2.54 to 1.90) its age edit
weakens (own change +0.21 to +0.25 on fit 0) and projecting age out of the eyeglasses edit removes
only 32 to 38 % of the age drag (52 % at 8,000). Seed 1 at 8,000 steps: FD 2.53, 0.020, 7 7 8 7 8,
but the projection removes 42 %. Seed 1 at 12,000 steps is the first generator that meets issue 11's
bar: FD 2.33, 0.017, 7 6 7 7 7 | 7 7 -- all seven edits pass on 6 of 7 fits (background fails once)
and eyeglasses fails on all 7 (on fit 0 by its age drag). Fit 0, own change / largest side effect:
smile +0.39 / eyeglasses +0.05, age +0.39 / hair colour +0.05, yaw +0.42 / hair length -0.07, hair
length +0.38 / skin tone +0.05, hair colour +0.35 / background +0.06, skin tone +0.38 / hair length
+0.06, background +0.35 / hair colour -0.12; eyeglasses +0.57 / age +0.33, and projecting age out
keeps 100 % of the eyeglasses change and removes 70 % of the drag. Under the second predictor: FD
4.64 (shipped generator 2.36), 0.020, 6 7 6 7 7 | 7 7 (background fails on 2 fits). 36 of its
samples look as varied as the shipped generator's (readings' std 0.29 to 0.49 per factor, shipped
0.23 to 0.49). Its FD is worse than the shipped 1.32, and one seed of two meets the bar: the recipe
is not robust over training seeds, though this run's edits hold over fits.
It is the shipped faces_stylegan since 2026-12-04: the registry entry sets its recipe and seed, and
`python -m gentut.train faces_stylegan` remakes it (SHA-256 c0d95cdf... on one CPU thread).
"""

import sys

import torch

from gentut import zoo
from gentut.data.faces import FACE_FACTORS, make_faces
from gentut.data.procedural import MODEL_SIZE, load_split
from gentut.evaluate import generator_quality
from gentut.interpret.edits import broadcast_ws, render_ws, sample_latents
from gentut.interpret.rescoring import invented_ties, reliable, score_samples
from gentut.interpret.study import N_EDIT, draw_effects

NAMES = [f.name for f in FACE_FACTORS]
MIN_EFFECT, MARGIN = 0.25, 2.0                  # notebook 05's re-scoring test


def describe_ties(generated: torch.Tensor, real: torch.Tensor, top: int = 6) -> tuple[float, str]:
    """Readings (N, 8) of generated and real faces -> (mean |gap| over pairs, the `top` pairs as text)."""
    generated_r, real_r = torch.corrcoef(generated.T), torch.corrcoef(real.T)
    gap = invented_ties(generated, real)
    pairs = gap.abs().flatten().argsort(descending=True)[:top].tolist()
    text = ", ".join(f"{NAMES[k // 8]}-{NAMES[k % 8]} {generated_r.flatten()[k]:+.2f} (data {real_r.flatten()[k]:+.2f})"
                     for k in pairs)
    return gap[gap != 0].abs().mean().item(), text


def passing(G, predictor, samples, w_edit) -> str:
    """Re-score the plain W normals fitted on `samples`: 'P' or '.' per factor, then the count."""
    plain, _ = draw_effects(G, predictor, samples, w_edit)
    ok = reliable(plain, range(len(NAMES)), MIN_EFFECT, MARGIN)
    return "".join("P" if x else "." for x in ok.tolist()) + f" {int(ok.sum())}"


@torch.no_grad()
def screen(folder: str | None, predictor, real_read: torch.Tensor, test) -> None:
    G = zoo.load("faces_stylegan", device="cpu", checkpoint_dir=folder)
    generator = torch.Generator().manual_seed(0)
    samples = score_samples(G, predictor, 2000, generator)
    fd = generator_quality(render_ws(G, broadcast_ws(G, samples.w), 500), test, predictor, FACE_FACTORS)["fd"]
    gap, ties = describe_ties(samples.scores, real_read)
    print(f"== {folder or 'shipped faces_stylegan'}: FD {fd:.2f}; invented ties, mean gap {gap:.3f}: {ties}")
    _, w_edit = sample_latents(G, N_EDIT, generator)
    small = [passing(G, predictor, samples, w_edit)]
    small += [passing(G, predictor, score_samples(G, predictor, 2000, generator), w_edit) for _ in range(4)]
    large = [passing(G, predictor, score_samples(G, predictor, 10000, generator), w_edit) for _ in range(2)]
    print(f"   plain edits passing ({' '.join(NAMES)}): 5 fits on 2,000 {small}; 2 fits on 10,000 {large}",
          flush=True)


def main() -> None:
    torch.set_grad_enabled(False)
    predictor = zoo.load("faces_predictor", device="cpu")
    real_read = predictor.predict(make_faces(5000, seed=11, size=MODEL_SIZE).images)
    test = load_split("faces", "test", n=2000)
    for folder in sys.argv[1:] or [None]:
        screen(folder, predictor, real_read, test)


if __name__ == "__main__":
    main()
