"""A training run's saved state: what `--resume` continues, checked before it is trusted.

`gentut.recipes.run_steps` saves, every few hundred steps, everything needed to continue a run
exactly: the step reached, the run's length (`steps`), the weights, optimizer moments, schedules,
the random generator and the loss history, plus `meta` -- a description of the run (model,
config, recipe, data) that a resumed run must match. Saves are atomic, so a run killed while
saving leaves the previous state intact.

What the training CLI does with an existing state (`plan_state`), so that nothing is lost silently:

    no state             --resume: stop and say so;      otherwise: start
    interrupted state    --resume: continue it;           otherwise: refuse, naming --resume and --restart
    finished state       --resume: evaluate and save;     otherwise: keep it as NAME.state.previous.pt, start
    unreadable / foreign --resume: refuse, naming the file; otherwise: refuse unless --restart
    --restart            keep the old state as NAME.state.previous.pt, start from step 0
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import torch
import torch.nn as nn

from gentut.checks import GentutError, InputError
from gentut.manifest import atomic_path

__all__ = ["TrainingStateError", "save_state", "read_state", "restore_state", "plan_state", "previous_path"]

REQUIRED = ("step", "history", "generator", "modules", "optimizers")


class TrainingStateError(GentutError, RuntimeError):
    """A saved training state that cannot be used as asked; the message names the file and what to do."""


def encode_meta(meta: dict | None) -> str | None:
    """The run description as canonical JSON (sorted keys, tuples as lists), compared verbatim on resume."""
    return None if meta is None else json.dumps(meta, sort_keys=True, default=str)


def save_state(path: Path, *, step: int, steps: int, meta: dict | None, history: list[dict[str, float]],
               generator: torch.Generator, modules: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer],
               schedulers: dict[str, torch.optim.lr_scheduler.LRScheduler]) -> None:
    """Write the state of a run at `step` (of `steps`) to `path`, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"step": step, "steps": steps, "meta": encode_meta(meta), "history": history,
             "generator": generator.get_state(),
             "modules": {k: m.state_dict() for k, m in modules.items()},
             "optimizers": {k: o.state_dict() for k, o in optimizers.items()},
             "schedulers": {k: s.state_dict() for k, s in schedulers.items()}}
    with atomic_path(path) as temporary:
        torch.save(state, temporary)


def read_state(path: Path, meta: dict | None = None) -> dict:
    """The state saved at `path` (tensors on the CPU), checked readable and, given `meta`, saved by this run.

    Raises TrainingStateError naming the file: unreadable (cut short, not a state), or saved by
    another run (another model, config or data; or by an older gentut that recorded no run).
    """
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:                  # torch raises several types for a broken file
        raise TrainingStateError(f"{path} is not a readable training state (torch.load: {type(error).__name__}; "
                                 "the file was cut short, damaged, or is no training state). Start over with "
                                 f"--restart (the file is kept as {previous_path(path).name}).") from None
    if not isinstance(state, dict) or not all(key in state for key in REQUIRED):
        raise TrainingStateError(f"{path} is not a gentut training state (it lacks {', '.join(REQUIRED)}). "
                                 f"Start over with --restart (the file is kept as {previous_path(path).name}).")
    if meta is not None and state.get("meta") != encode_meta(meta):
        raise TrainingStateError(f"{path} was saved by another run ({meta_difference(state.get('meta'), meta)}), "
                                 "so it cannot continue this one. Start over with --restart (the old state is "
                                 f"kept as {previous_path(path).name}).")
    return state


def meta_difference(saved: str | None, meta: dict) -> str:
    """What differs between a saved run description and `meta`, e.g. "name: faces_dcgan, not faces_vae"."""
    if saved is None:
        return "an older gentut that recorded no description of the run"
    old, new = json.loads(saved), json.loads(encode_meta(meta))
    keys = sorted((k for k in old.keys() | new.keys() if old.get(k) != new.get(k)), key=lambda k: (k != "name", k))
    shown = "; ".join(f"{k}: {str(old.get(k))[:60]}, not {str(new.get(k))[:60]}" for k in keys[:2])
    return shown + (f"; {len(keys) - 2} more" if len(keys) > 2 else "")


def restore_state(state: dict, path: Path, modules: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer],
                  schedulers: dict[str, torch.optim.lr_scheduler.LRScheduler],
                  generator: torch.Generator) -> tuple[int, list[dict[str, float]]]:
    """Load `state` into the modules, optimizers, schedulers and generator; return (step, history)."""
    try:
        for name, module in modules.items():
            module.load_state_dict(state["modules"][name])
        for name, optimizer in optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
        for name, scheduler in schedulers.items():
            scheduler.load_state_dict(state["schedulers"][name])
        generator.set_state(state["generator"])
    except (KeyError, RuntimeError, ValueError) as error:
        raise TrainingStateError(f"{path} does not fit this run's networks ({type(error).__name__}: "
                                 f"{str(error).splitlines()[0][:200]}). Start over with --restart.") from None
    return state["step"], list(state["history"])


def previous_path(path: Path) -> Path:
    """Where an old state is kept when a run starts over: NAME.state.pt -> NAME.state.previous.pt."""
    return path.with_name(f"{path.stem}.previous{path.suffix}")


def plan_state(path: Path, meta: dict, steps: int | None, *, resume: bool = False, restart: bool = False,
               say: Callable[[str], None] = print) -> int | None:
    """Decide what happens to the state at `path` before a run starts (see the module docstring).

    Returns the number of steps to train: `steps`, or on --resume the saved run's length when
    `steps` is None. Moves an old state aside where a new run starts; raises TrainingStateError
    where going on would lose an interrupted run or mix two runs. `say` reports what it did.
    """
    if resume and restart:
        raise InputError("choose --resume (continue the saved run) or --restart (start over), not both")
    if not path.exists():
        if resume:
            raise TrainingStateError(f"--resume: there is no saved state at {path}, so there is nothing to resume. "
                                     "Start a new run without --resume.")
        return steps
    if not resume:
        if not restart:
            state = read_state(path)
            if state.get("steps") is None or state["step"] < state["steps"]:
                raise TrainingStateError(
                    f"{path} holds an interrupted run (step {state['step']} of {state.get('steps', '?')}); a new "
                    f"run would replace it. Continue it with --resume, or start over with --restart (the old state "
                    f"is kept as {previous_path(path).name}).")
        start_over(path, say)
        return steps
    state = read_state(path, meta)
    if steps is not None and steps != state["steps"]:
        raise TrainingStateError(f"{path} is a run of {state['steps']} steps, not --steps {steps}: resume it "
                                 f"without --steps (or with --steps {state['steps']}), or start over with --restart.")
    done = " (finished: evaluating and saving it, no more training)" if state["step"] >= state["steps"] else ""
    say(f"resuming from {path}: step {state['step']} of {state['steps']}{done}")
    return state["steps"]


def start_over(path: Path, say: Callable[[str], None]) -> None:
    """Move the state at `path` to previous_path(path) (replacing an older one) and say so."""
    previous = previous_path(path)
    path.replace(previous)
    say(f"starting over: the previous state is kept as {previous}")
