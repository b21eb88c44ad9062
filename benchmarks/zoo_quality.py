"""Print how good every zoo model is on the held-out TEST split, and save the README's sample grids.

    python benchmarks/zoo_quality.py            # about 3 minutes on a 2-core CPU

Every row of the README's zoo table comes from here (none from training-time records):
1. predictors: accuracy of every binary attribute and MAE of continuous factors;
2. segmenter: pixel accuracy, mean IoU and the lowest class IoU;
3. generators: Fréchet distance (FD) between 2,000 samples and 2,000 test images in the dataset's
   attribute-predictor feature space, for 5 sample seeds (mean, min to max), next to the floor:
   the FD between the test images and 2,000 fresh real images, for 5 fresh real seeds;
   then the factor statistics the predictor reads off samples vs off real images;
4. faces VAE: -ELBO of the 8-bit test images in nats per image and bits per sub-pixel;
5. faces encoder: PSNR of G(E(x)) on the test faces and on generated faces;
6. pix2pix: FCN-score on the test scenes' label maps; CycleGAN: day -> night scores on test scenes.
Sample grids go to docs/images/NAME.png.
"""

from pathlib import Path

import torch
from PIL import Image

from gentut import zoo
from gentut.data.procedural import dataset_factors, load_split
from gentut.data.scenes import SCENE_CLASSES, make_scenes
from gentut.data.faces import make_faces
from gentut.evaluate import (evaluate_predictor, evaluate_segmenter, evaluate_vae, generator_quality,
                             predictor_features, sample_images)
from gentut.evidence import spread
from gentut.invert.encoder import evaluate_encoder
from gentut.metrics import frechet_distance
from gentut.translation import evaluate_cyclegan, evaluate_pix2pix
from gentut.widgets.render import image_grid, upscale

DOCS = Path(__file__).resolve().parent.parent / "docs" / "images"
GENERATORS = {"faces": ["faces_dcgan", "faces_stylegan", "faces_vae"], "scenes": ["scenes_stylegan"]}
MAKERS = {"faces": make_faces, "scenes": make_scenes}
N, SEEDS = 2000, range(5)
FRESH_REAL_SEEDS = range(100, 105)          # procedural seeds no split uses (train 1, val 2, test 3)


def show(title: str, metrics: dict[str, float]) -> None:
    print(f"\n== {title} ==")
    for key, value in metrics.items():
        print(f"  {key:28s} {value:.3f}")


def generator_rows(dataset: str, test, predictor) -> None:
    """FD over sample seeds for each generator of `dataset`, the real floor, factor statistics, grids."""
    factors = dataset_factors(dataset)
    test_features = predictor_features(predictor, test.images)
    floor = spread([frechet_distance(predictor_features(predictor, MAKERS[dataset](N, seed=s, size=32).images),
                                     test_features) for s in FRESH_REAL_SEEDS], unit="fresh real sets")
    print(f"\n== {dataset} generators: FD to {N} test images, {len(SEEDS)} sample seeds ==")
    print(f"  {'real (floor)':18s} FD {floor:.2f}")
    stats = {}
    for name in GENERATORS[dataset]:
        G = zoo.load(name, device="cpu")
        fds = []
        for seed in SEEDS:
            images = sample_images(G, N, torch.Generator().manual_seed(seed))
            quality = generator_quality(images, test, predictor, factors)
            fds.append(quality["fd"])
            stats.setdefault(name, quality)
            if seed == 0:
                DOCS.mkdir(parents=True, exist_ok=True)
                Image.fromarray(upscale(image_grid(images[:32], nrow=8), 2)).save(DOCS / f"{name}.png")
        print(f"  {name:18s} FD {spread(fds):.2f}")
    print("\n  factors as the predictor reads them (sample seed 0), mean ± std:")
    names = GENERATORS[dataset]
    print(f"  {'factor':12s} {'real':>13s} " + " ".join(f"{n:>16s}" for n in names))
    for factor in factors:
        real = stats[names[0]]
        line = f"  {factor.name:12s} {real[f'real_mean/{factor.name}']:6.3f}±{real[f'real_std/{factor.name}']:.3f} "
        line += " ".join(f"{stats[n][f'mean/{factor.name}']:9.3f}±{stats[n][f'std/{factor.name}']:.3f}" for n in names)
        print(line)


def main() -> None:
    torch.manual_seed(0)
    tests = {dataset: load_split(dataset, "test", N) for dataset in GENERATORS}
    for dataset, test in tests.items():
        predictor = zoo.load(f"{dataset}_predictor", device="cpu")
        show(f"{dataset}_predictor, test split", evaluate_predictor(predictor, test, dataset_factors(dataset)))
        if dataset == "scenes":
            show("scenes_segmenter, test split", evaluate_segmenter(zoo.load("scenes_segmenter", device="cpu"),
                                                                    test, SCENE_CLASSES))
        generator_rows(dataset, test, predictor)
    generator = torch.Generator().manual_seed(0)
    show("faces_vae, 8-bit test faces", evaluate_vae(zoo.load("faces_vae", device="cpu"), tests["faces"], generator))
    show("faces_encoder, test faces (real) and 1,000 generated faces",
         evaluate_encoder(zoo.load("faces_encoder", device="cpu"), zoo.load("faces_stylegan", device="cpu"),
                          tests["faces"].images, generator))
    segmenter, scene_predictor = zoo.load("scenes_segmenter", device="cpu"), zoo.load("scenes_predictor", device="cpu")
    for name in ("scenes_pix2pix", "scenes_pix2pix_l1", "scenes_pix2pix_cgan"):
        show(f"{name}, FCN-score on test label maps", evaluate_pix2pix(zoo.load(name, device="cpu"), tests["scenes"],
                                                                       segmenter))
    for name in ("scenes_cyclegan", "scenes_cyclegan_nocycle"):
        scores = evaluate_cyclegan(zoo.load(name, device="cpu"), tests["scenes"], segmenter, scene_predictor)
        show(f"{name}, test scenes", {k: v for k, v in scores.items() if k.startswith("day2night")})
    Image.fromarray(upscale(image_grid(tests["faces"].images[:32], nrow=8), 2)).save(DOCS / "faces_real.png")
    Image.fromarray(upscale(image_grid(tests["scenes"].images[:32], nrow=8), 2)).save(DOCS / "scenes_real.png")
    print(f"\nsample grids written to {DOCS}")


if __name__ == "__main__":
    main()
