"""Training the tiny CLIP on captioned faces and scenes, and reading factors with it zero-shot.

    history = train_clip(clip, {"faces": faces, "scenes": scenes}, steps=3000, generator=g)
    zero_shot_accuracy(clip, val_faces, "faces")     # {factor: share read right from text alone}

Zero-shot: the model was never told what a factor is. To read "smile" from an image it compares
the image with the captions "a face, frowning" and "a face, smiling" and takes the closer one.
This is how CLIP classifies ImageNet without an ImageNet label, and how StyleCLIP
(gentut/interpret/styleclip.py) gets an edit from a sentence.

Each batch holds half faces and half scenes, each with a freshly drawn caption per image
(captions.sample_captions): the same image is described differently from step to step.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from gentut.data.batch import LabeledImages
from gentut.data.captions import caption_matches, caption_of, clear_phrases, phrase_list, sample_captions, tokenize
from gentut.data.degrade import degrade
from gentut.models.clip import clip_loss
from gentut.recipes import random_batch, run_steps

__all__ = ["phrase_columns", "train_clip", "zero_shot_correct", "zero_shot_accuracy", "evaluate_clip"]


def phrase_columns(datasets: list[str]) -> dict[str, slice]:
    """Where each dataset's phrases sit in one shared phrase matrix: a domain column ("a face") and
    then the dataset's phrases, datasets side by side. Returns {dataset: slice of its columns}."""
    columns, start = {}, 0
    for name in datasets:
        width = 1 + len(phrase_list(name))
        columns[name] = slice(start, start + width)
        start += width
    return columns


def _shared_phrases(phrases: torch.Tensor, columns: slice, total: int) -> torch.Tensor:
    """A dataset's phrases (n, P) bool -> (n, total) with its domain column set."""
    shared = torch.zeros(len(phrases), total, dtype=torch.bool)
    shared[:, columns.start] = True
    shared[:, columns.start + 1:columns.stop] = phrases
    return shared


def train_clip(clip: nn.Module, datasets: dict[str, LabeledImages], *, steps: int, batch_size: int = 256,
               lr: float = 2e-3, degrade_inputs: bool = True, mention: float = 0.5, generator: torch.Generator,
               **run_args) -> list[dict[str, float]]:
    """Train a TinyCLIP with clip_loss on image-caption pairs, Adam with a one-cycle schedule.

    datasets: name -> LabeledImages ("faces", "scenes"); each batch takes batch_size / len(datasets)
    images of each. degrade_inputs: blur and noise at random (gentut.data.degrade), so that the
    image encoder also reads a generator's softer samples. Returns the loss history.
    """
    columns = phrase_columns(list(datasets))
    total = max(c.stop for c in columns.values())
    true_phrases = {name: clear_phrases(name, {k: v.cpu() for k, v in data.factors.items()})
                    for name, data in datasets.items()}
    per_dataset = batch_size // len(datasets)
    optimizer = torch.optim.Adam(clip.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps)

    def step_fn(step):
        images, texts, image_rows, caption_rows = [], [], [], []
        for name, data in datasets.items():
            index = random_batch(len(data), per_dataset, generator, data.images.device)
            phrases = true_phrases[name][index.cpu()]
            captions, mentioned = sample_captions(name, phrases, generator, mention)
            images.append(data.images[index])
            texts += captions
            image_rows.append(_shared_phrases(phrases, columns[name], total))
            caption_rows.append(_shared_phrases(mentioned, columns[name], total))
        x = torch.cat(images)
        x = degrade(x, generator) if degrade_inputs else x
        matches = caption_matches(torch.cat(image_rows), torch.cat(caption_rows)).to(x.device)
        loss = clip_loss(clip(x, *tokenize(texts)), matches)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        return {"loss": loss.item(), "temperature": 1 / clip.logit_scale.exp().item()}

    return run_steps(step_fn, steps=steps, modules={"clip": clip}, optimizers={"clip": optimizer},
                     schedulers={"clip": schedule}, generator=generator, **run_args)


@torch.no_grad()
def zero_shot_correct(clip: nn.Module, data: LabeledImages, dataset: str) -> dict[str, torch.Tensor]:
    """Read each factor by comparing images with its phrases' captions; which images it reads right.

    For a factor with phrases p_1..p_k, the images with exactly one of them true are compared
    with the captions "a face, p_1" ... "a face, p_k"; the most similar caption is the answer.
    Chance is 1 / k. Returns {factor: bool (m,)}, one entry per image that has one of its phrases
    (a factor none of the images has a phrase for is left out).
    """
    device = clip.logit_scale.device
    image_vectors = torch.cat([clip.encode_image(data.images[i:i + 512].to(device))
                               for i in range(0, len(data), 512)])
    truth = clear_phrases(dataset, {k: v.cpu() for k, v in data.factors.items()})
    phrases = phrase_list(dataset)
    correct = {}
    for factor in dict.fromkeys(f for f, *_ in phrases):
        columns = [j for j, (f, *_rest) in enumerate(phrases) if f == factor]
        text_vectors = clip.encode_text([caption_of(dataset, [phrases[j][3]]) for j in columns])
        known = truth[:, columns].sum(1) == 1
        if not known.any():
            continue
        guess = (image_vectors[known.to(device)] @ text_vectors.T).argmax(1).cpu()
        correct[factor] = guess == truth[known][:, columns].float().argmax(1)
    return correct


def zero_shot_accuracy(clip: nn.Module, data: LabeledImages, dataset: str) -> dict[str, float]:
    """The share of images whose factor `zero_shot_correct` reads right: {factor: accuracy}."""
    return {factor: right.float().mean().item() for factor, right in zero_shot_correct(clip, data, dataset).items()}


def evaluate_clip(clip: nn.Module, val: dict[str, LabeledImages]) -> dict[str, float]:
    """Held-out metrics for the zoo: zero-shot accuracy per factor ("faces/smile": ...) and their mean."""
    metrics = {f"{name}/{factor}": value for name, data in val.items()
               for factor, value in zero_shot_accuracy(clip, data, name).items()}
    metrics["mean zero-shot accuracy"] = sum(metrics.values()) / len(metrics)
    return metrics
