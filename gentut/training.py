"""One small training loop for the kit's models, with a progress bar and a NaN guard.

    history = fit(model, loss_fn, data, epochs=30, lr=1e-2, generator=g)

`loss_fn(model, batch)` returns a scalar tensor; `data` is one tensor (N, ...) that is
shuffled every epoch with the given generator, so a run is repeatable from its seed.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn
from gentut.progress import tqdm

__all__ = ["TrainingDiverged", "fit"]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the model keeps its weights from the last good step."""


def fit(model: nn.Module, loss_fn: Callable[[nn.Module, torch.Tensor], torch.Tensor],
        data: torch.Tensor, *, epochs: int, lr: float, batch_size: int = 128,
        generator: torch.Generator | None = None, desc: str = "training",
        progress: bool = True) -> list[float]:
    """Train `model` with Adam on minibatches of `data`; return the mean loss of every epoch.

    data: tensor (N, ...) already on the model's device. A non-finite loss stops training
    *before* the bad update with `TrainingDiverged`, so nothing learnt so far is lost.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history: list[float] = []
    model.train()
    bar = tqdm(range(epochs), desc=desc, disable=not progress)
    for epoch in bar:
        order = torch.randperm(len(data), generator=generator).to(data.device)
        total = 0.0
        for start in range(0, len(data), batch_size):
            batch = data[order[start:start + batch_size]]
            loss = loss_fn(model, batch)
            if not torch.isfinite(loss):
                raise TrainingDiverged(
                    f"{desc}: the loss became {loss.item()} at epoch {epoch}, batch {start // batch_size}. "
                    f"The model keeps its last good weights; try a smaller learning rate than {lr}.")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        history.append(total / len(data))
        bar.set_postfix(loss=f"{history[-1]:.3f}")
    model.eval()
    return history
