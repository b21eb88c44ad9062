"""The diffusion model's quality and cost beside the GAN's: FD over sample seeds, seconds per image.

    python benchmarks/diffusion.py                       # the README's protocol: 2,000 samples, 5 seeds
    python benchmarks/diffusion.py --n 500 --seeds 2     # a quick look
    python benchmarks/diffusion.py --guidance 1 --steps 25   # only the conditional row, at 25 steps

1. Fréchet distance to the test split in the face predictor's feature space (the protocol of
   benchmarks/zoo_quality.py), for `faces_diffusion` sampled with DDIM at --steps steps and for
   `faces_stylegan`, over the same sample seeds. The diffusion model is sampled conditioned on
   factors drawn from the training split (guidance 1): a draw from the model's p(x), the same
   thing an unconditional GAN sample is; and unconditionally (guidance 0) for comparison.
2. Seconds per image (a batch of 64, median of 3) for DDIM at 5 to 50 steps, DDPM's 1,000 steps
   (timed on 8 images), and one GAN forward pass.

Run it alone on the machine: two torch processes on two cores slow each other many-fold.
"""

import argparse
import time

import torch

from gentut import zoo
from gentut.data.faces import FACE_FACTORS
from gentut.data.procedural import load_split
from gentut.diffusion import ddim_sample, ddpm_sample
from gentut.diffusion_study import seconds_per_image
from gentut.evaluate import predictor_features, sample_images
from gentut.evidence import spread
from gentut.metrics import frechet_distance


def diffusion_images(model, n: int, steps: int, guidance: float, seed: int, train_factors: torch.Tensor,
                     batch_size: int = 250) -> torch.Tensor:
    """n DDIM samples (n, 3, 32, 32); conditions drawn from the training split's factors with `seed`."""
    generator = torch.Generator().manual_seed(seed)
    out = []
    for i in range(0, n, batch_size):
        m = min(batch_size, n - i)
        cond = train_factors[torch.randint(len(train_factors), (m,), generator=generator)]
        out.append(ddim_sample(model, model.schedule(), m, steps=steps, cond=cond, guidance=guidance,
                               generator=generator, progress=False))
    return torch.cat(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=50, help="DDIM steps for the FD rows")
    parser.add_argument("--guidance", default="1,0", help="guidance scales of the diffusion rows (default: 1,0)")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    model = zoo.load("faces_diffusion", device="cpu")
    G = zoo.load("faces_stylegan", device="cpu")
    predictor = zoo.load("faces_predictor", device="cpu")
    names = [f.name for f in FACE_FACTORS]
    train_factors = load_split("faces", "train").factor_matrix(names)
    test_features = predictor_features(predictor, load_split("faces", "test", args.n).images)
    print(f"== FD to {args.n} test faces, {args.seeds} sample seeds (DDIM {args.steps} steps) ==")
    rows = {"faces_stylegan": lambda s: sample_images(G, args.n, torch.Generator().manual_seed(s))}
    for scale in (float(g) for g in args.guidance.split(",")):
        rows[f"faces_diffusion, guidance {scale:g}"] = (
            lambda s, scale=scale: diffusion_images(model, args.n, args.steps, scale, s, train_factors))
    for name, draw in rows.items():
        fds = [frechet_distance(predictor_features(predictor, draw(seed)), test_features) for seed in range(args.seeds)]
        print(f"  {name:30s} FD {spread(fds):.2f}")

    print("\n== seconds per image (batch of 64, median of 3; DDPM on 8 images) ==")
    cond = train_factors[:64]
    g = torch.Generator().manual_seed(0)
    print(f"  {'GAN forward':14s} {seconds_per_image(lambda: sample_images(G, 64, g), 64) * 1000:9.2f} ms")
    for steps in (5, 10, 25, 50):
        s = seconds_per_image(lambda: ddim_sample(model, model.schedule(), 64, steps=steps, cond=cond, generator=g,
                                                  progress=False), 64)
        print(f"  {f'DDIM {steps} steps':14s} {s * 1000:9.2f} ms")
    start = time.perf_counter()
    ddpm_sample(model, model.schedule(), 8, cond=cond[:8], generator=g, progress=False)
    print(f"  {'DDPM 1000':14s} {(time.perf_counter() - start) / 8 * 1000:9.2f} ms (one run of 8 images)")


if __name__ == "__main__":
    main()
