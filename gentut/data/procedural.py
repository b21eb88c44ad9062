"""The fixed splits of the kit's procedural datasets, shared by training, notebooks and benchmarks.

    train = load_split("faces", "train")          # LabeledImages, 32x32 by default

A split is a seed: the same split is the same images on every machine, with no files to ship.
"""

from __future__ import annotations

from gentut.data.batch import Factor, LabeledImages

__all__ = ["DATASETS", "SPLIT_SEEDS", "SPLIT_SIZES", "MODEL_SIZE", "load_split", "dataset_factors"]

DATASETS = ("faces", "scenes")
SPLIT_SEEDS = {"train": 1, "val": 2, "test": 3}
SPLIT_SIZES = {"train": 20000, "val": 2000, "test": 2000}
MODEL_SIZE = 32     # the resolution the zoo's models are trained at (see gentut/zoo.py for why)


def _maker(dataset: str):
    if dataset == "faces":
        from gentut.data.faces import make_faces
        return make_faces
    if dataset == "scenes":
        from gentut.data.scenes import make_scenes
        return make_scenes
    raise ValueError(f"unknown dataset {dataset!r}; choose one of {DATASETS}")


def load_split(dataset: str, split: str, n: int | None = None, size: int = MODEL_SIZE) -> LabeledImages:
    """`n` images (default: the split's size) of a fixed split: images (n, 3, size, size), factors, masks.

    The same (dataset, split, n, size) always gives the same images; a different n draws a
    different set (factors are drawn per batch), so compare methods on the same n.
    """
    if split not in SPLIT_SEEDS:
        raise ValueError(f"unknown split {split!r}; choose one of {tuple(SPLIT_SEEDS)}")
    n = SPLIT_SIZES[split] if n is None else n
    return _maker(dataset)(n, seed=SPLIT_SEEDS[split], size=size)


def dataset_factors(dataset: str) -> tuple[Factor, ...]:
    """The factors of `dataset`, in the order the attribute predictors output them."""
    if dataset == "faces":
        from gentut.data.faces import FACE_FACTORS
        return FACE_FACTORS
    if dataset == "scenes":
        from gentut.data.scenes import SCENE_FACTORS
        return SCENE_FACTORS
    raise ValueError(f"unknown dataset {dataset!r}; choose one of {DATASETS}")
