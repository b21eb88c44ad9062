"""Print how fast the procedural faces are made: images per second, at 64x64 and 32x32.

    python benchmarks/datasets_faces.py [N]

Target: tens of thousands of faces in a few seconds on a 2-core CPU (>= 5,000 images/s at
64x64), so that a notebook can make its training set on the fly. Timed with 2 threads, then
1 (on a busy shared machine 2 threads can be far slower than 1), the best of 3 runs of
make_faces(N) (default N = 20,000), after one small warm-up.

Measured on the 2-core development machine (N = 20,000), quiet: 2 threads 9,400 images/s at
64x64 and 25,700 at 32x32. While another process kept one core busy (N = 5,000): 1 thread
6,600 and 17,200, but 2 threads only 170 and 440 (OpenMP threads waiting for each other).
"""

import sys
import time

import torch

from gentut.data.faces import make_faces


def images_per_second(n: int, size: int, repeats: int = 3) -> float:
    """Best rate of `repeats` calls of make_faces(n, size=size)."""
    best = float("inf")
    for seed in range(repeats):
        start = time.perf_counter()
        make_faces(n, seed=seed, size=size)
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    make_faces(256)  # warm-up
    for threads in (2, 1):
        torch.set_num_threads(threads)
        print(f"make_faces({n:,}), {torch.get_num_threads()} thread(s)")
        for size in (64, 32):
            rate = images_per_second(n, size)
            print(f"  {size}x{size}: {rate:9,.0f} images/s  ({n / rate:.2f} s)", flush=True)


if __name__ == "__main__":
    main()
