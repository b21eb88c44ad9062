"""Print how fast the procedural scenes render: images/s for make_scenes(N) at 64x64 and 32x32.

    python benchmarks/datasets_scenes.py [N] [THREADS]      # defaults: 20000 images, 2 threads

Target: >= 5,000 images/s at 64x64 on a 2-core CPU, so that a notebook can make a GAN's training
set (tens of thousands of scenes) in seconds. Each size is timed twice (best of two, the first
run includes the allocator warming up); the class pixel shares of the 64x64 set are printed too.
On a machine whose other core is busy (shared CI, a second job), OpenMP waits on the busy core
dominate and 2 threads can be many times slower than 1: compare with THREADS=1.
"""

import sys
import time

import torch

from gentut.data.scenes import SCENE_CLASSES, make_scenes


def images_per_second(n: int, size: int) -> float:
    """Best of two timings of make_scenes(n, size=size), in images per second."""
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        batch = make_scenes(n, seed=0, size=size)
        best = min(best, time.perf_counter() - start)
        del batch
    return n / best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(threads)
    print(f"make_scenes({n}), {torch.get_num_threads()} threads")
    for size in (64, 32):
        print(f"  {size}x{size}: {images_per_second(n, size):8.0f} images/s", flush=True)
    batch = make_scenes(2000, seed=0)
    shares = torch.bincount(batch.masks.flatten(), minlength=len(SCENE_CLASSES)).float()
    shares /= shares.sum()
    print("class pixel shares (2,000 scenes, 64x64):")
    print("  " + "  ".join(f"{name} {100 * share:.1f}%" for name, share in zip(SCENE_CLASSES, shares)))


if __name__ == "__main__":
    main()
