"""Print how good the zoo's models are, on held-out data, and save sample grids for the README.

    python benchmarks/zoo_quality.py

1. Predictors: accuracy of every binary attribute and MAE of continuous factors (test split).
2. Segmenter: pixel accuracy and IoU per class (test split).
3. Generators: Fréchet distance (FD) between 2,000 samples and 2,000 held-out images in the
   dataset's attribute-predictor feature space, next to the floor: FD between two real splits.
   Then the factor statistics the predictor reads off samples vs off real images.
   Sample grids go to docs/images/NAME.png.
"""

from pathlib import Path

import torch
from PIL import Image

from gentut import zoo
from gentut.data.procedural import dataset_factors, load_split
from gentut.data.scenes import SCENE_CLASSES
from gentut.evaluate import evaluate_predictor, evaluate_segmenter, generator_quality, predictor_features, sample_images
from gentut.metrics import frechet_distance
from gentut.widgets.render import image_grid, upscale

DOCS = Path(__file__).resolve().parent.parent / "docs" / "images"
GENERATORS = {"faces": ["faces_dcgan", "faces_stylegan", "faces_vae"], "scenes": ["scenes_stylegan"]}
N = 2000


def main() -> None:
    torch.manual_seed(0)
    for dataset, generators in GENERATORS.items():
        factors = dataset_factors(dataset)
        test, val = load_split(dataset, "test", N), load_split(dataset, "val", N)
        predictor = zoo.load(f"{dataset}_predictor", device="cpu")
        print(f"\n== {dataset}: {dataset}_predictor on the test split ==")
        for key, value in evaluate_predictor(predictor, test, factors).items():
            print(f"  {key:24s} {value:.3f}")
        if dataset == "scenes":
            print("\n== scenes_segmenter on the test split ==")
            for key, value in evaluate_segmenter(zoo.load("scenes_segmenter", device="cpu"), test, SCENE_CLASSES).items():
                print(f"  {key:24s} {value:.3f}")
        floor = frechet_distance(predictor_features(predictor, test.images), predictor_features(predictor, val.images))
        print(f"\n== {dataset} generators: FD to {N} held-out images (floor, test vs val: {floor:.3f}) ==")
        rows = {}
        for name in generators:
            G = zoo.load(name, device="cpu")
            images = sample_images(G, N, torch.Generator().manual_seed(0))
            rows[name] = generator_quality(images, val, predictor, factors)
            print(f"  {name:18s} FD {rows[name]['fd']:8.3f}")
            grid = upscale(image_grid(images[:32], nrow=8), 2)
            DOCS.mkdir(parents=True, exist_ok=True)
            Image.fromarray(grid).save(DOCS / f"{name}.png")
        print(f"\n  factors as the predictor reads them, mean ± std:")
        print(f"  {'factor':12s} {'real':>13s} " + " ".join(f"{n:>16s}" for n in generators))
        for factor in factors:
            real = rows[generators[0]]
            line = f"  {factor.name:12s} {real[f'real_mean/{factor.name}']:6.3f}±{real[f'real_std/{factor.name}']:.3f} "
            line += " ".join(f"{rows[n][f'mean/{factor.name}']:9.3f}±{rows[n][f'std/{factor.name}']:.3f}" for n in generators)
            print(line)
    real_faces = load_split("faces", "test", 32)
    Image.fromarray(upscale(image_grid(real_faces.images, nrow=8), 2)).save(DOCS / "faces_real.png")
    real_scenes = load_split("scenes", "test", 32)
    Image.fromarray(upscale(image_grid(real_scenes.images, nrow=8), 2)).save(DOCS / "scenes_real.png")
    print(f"\nsample grids written to {DOCS}")


if __name__ == "__main__":
    main()
