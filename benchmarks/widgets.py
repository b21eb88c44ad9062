"""Print how long each slider update takes: the callback plus the PNG encode, median and p95.

    python benchmarks/widgets.py

A slider update must feel instant (tens of milliseconds). Each panel is built exactly as its
notebook builds it (models at their notebook size, untrained: the cost does not depend on the
weights), then one slider is moved through a range of values.
"""

import time

import numpy as np
import torch

from gentut.data.digits import load_binarized_digits, load_grey_digits
from gentut.models.autoregressive import NADE, PixelCNN
from gentut.widgets.autoregressive import completion_panel, sampling_panel, temperature_panel
from gentut.widgets.datasets import digits_browser, face_factor_panel, scene_factor_panel


def time_slider(panel, name: str, values: list) -> tuple[float, float]:
    """Set panel.controls[name] to each value in turn; return (median ms, p95 ms) per update."""
    times = []
    for value in values:
        start = time.perf_counter()
        panel.controls[name].value = value
        times.append(1000 * (time.perf_counter() - start))
    return float(np.median(times)), float(np.percentile(times, 95))


def report(cases: list[tuple]) -> None:
    """Time every (label, panel, control name, values) case and print a table: median and p95 ms."""
    print(f"{'panel':34s} {'median ms':>10s} {'p95 ms':>8s}")
    for label, panel, control, values in cases:
        median, p95 = time_slider(panel, control, values)
        print(f"{label:34s} {median:10.1f} {p95:8.1f}")


def main() -> None:
    torch.manual_seed(0)
    torch.set_grad_enabled(False)
    x_test, _ = load_binarized_digits("test")
    grey, _ = load_grey_digits()
    models = {"NADE": NADE(64, 128), "PixelCNN": PixelCNN(32, 3, 7)}
    cases = [("00 digits browser", digits_browser(grey), "threshold", [2, 14] * 15),
             ("00 face factors (smile)", face_factor_panel(), "smile", [0.1, 0.9] * 15),
             ("00 scene factors (daylight)", scene_factor_panel(), "daylight", [0.1, 0.9] * 15)]
    for model_name, model in models.items():
        cases += [
            (f"01 temperature ({model_name})", temperature_panel(model), "temperature", [0.5, 1.5] * 15),
            (f"01 sampling step ({model_name})", sampling_panel(model), "step", list(range(30))),
            (f"01 completion ({model_name})", completion_panel(model, x_test), "index", list(range(30))),
        ]
    report(cases)


if __name__ == "__main__":
    main()
