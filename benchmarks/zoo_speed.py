"""Print what one slider update costs for each zoo generator: one image forward + PNG encode.

    python benchmarks/zoo_speed.py

Target (face generator): median <= 30 ms, p95 <= 50 ms on a 2-core CPU. The image is enlarged
4x (to 128x128), as the widgets show it, before encoding.
"""

import time

import numpy as np
import torch

from gentut import zoo
from gentut.widgets.render import image_grid, png_bytes, upscale

GENERATORS = ["faces_dcgan", "faces_stylegan", "faces_vae", "scenes_stylegan"]
REPEATS = 200


def slider_update(G, z: torch.Tensor) -> bytes:
    """What a slider callback does: one forward pass, then the PNG the widget displays."""
    with torch.no_grad():
        image = G.decode(z) if hasattr(G, "decode") else G(z)
    return png_bytes(upscale(image_grid(image, nrow=1, pad=0), 4))


def main() -> None:
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"{'generator':18s} {'median ms':>10s} {'p95 ms':>8s}")
    for name in GENERATORS:
        G = zoo.load(name, device="cpu")
        codes = torch.randn(REPEATS, G.z_dim, generator=torch.Generator().manual_seed(0))
        slider_update(G, codes[:1])                                    # warm-up
        times = []
        for i in range(REPEATS):
            start = time.perf_counter()
            slider_update(G, codes[i:i + 1])
            times.append(1000 * (time.perf_counter() - start))
        print(f"{name:18s} {np.median(times):10.1f} {np.percentile(times, 95):8.1f}")


if __name__ == "__main__":
    main()
