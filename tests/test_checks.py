"""gentut.checks and the entry points that use it: devices, seeds, counts and image tensors are
refused up front with a message that names the argument and says what to do (issue 14)."""

import argparse
import os

import numpy as np
import pytest
import torch

from gentut.checks import (GentutError, check_count, check_device, check_images, check_seed, positive_int_arg)
from gentut.data.faces import make_faces
from gentut.data.scenes import make_scenes
from gentut import runtime                # not `from ... import setup`: pytest 7 would call a
                                         # module-level `setup` as nose-style module set-up
from gentut.runtime import seed_everything

no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")


@pytest.mark.parametrize("seed", ["x", 1.5, None, True])
def test_a_seed_that_is_no_int_is_refused(seed):
    with pytest.raises(TypeError, match=r"seed must be an int in \[0, 2\*\*32 - 1\]"):
        runtime.setup(seed=seed, verbose=False)


@pytest.mark.parametrize("seed", [2 ** 40, -1, 2 ** 32])
def test_a_seed_out_of_numpys_range_is_refused_with_the_range(seed):
    with pytest.raises(ValueError, match=r"\[0, 4294967295\].*NumPy") as error:
        runtime.setup(seed=seed, verbose=False)
    assert isinstance(error.value, GentutError) and str(seed) in str(error.value)


def test_seeds_numpy_accepts_still_work():
    assert check_seed(np.int64(7)) == 7 and check_seed(2 ** 32 - 1) == 2 ** 32 - 1
    assert torch.equal(torch.rand(3, generator=seed_everything(np.uint32(5))),
                       torch.rand(3, generator=torch.Generator().manual_seed(5)))


@pytest.mark.parametrize("device", ["gpu", "GPU", "cdua"])
def test_a_misspelt_device_suggests_the_right_name(device):
    with pytest.raises(ValueError, match="did you mean 'cuda'.*Available here: cpu"):
        runtime.setup(device=device, verbose=False)


@no_cuda
@pytest.mark.parametrize("device", ["cuda", "cuda:0", torch.device("cuda")])
def test_cuda_without_a_gpu_says_what_there_is_and_how_to_get_one(device):
    with pytest.raises(ValueError, match="cannot use a GPU here.*Available here: cpu.*Colab") as error:
        runtime.setup(device=device, verbose=False)
    assert "Torch not compiled" not in str(error.value)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_a_gpu_index_that_does_not_exist():
    with pytest.raises(ValueError, match="only .* GPU"):
        check_device("cuda:99")


def test_device_none_picks_one_and_wrong_types_are_refused():
    assert check_device(None).type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert check_device("cpu") == torch.device("cpu")
    with pytest.raises(TypeError, match="device must be a string"):
        check_device(0.5)


@pytest.mark.parametrize("make, n, error, message", [
    (make_faces, 2.5, TypeError, r"n must be a whole number \(int\) >= 0; got float 2.5"),
    (make_faces, -1, ValueError, "n must be >= 0; got -1"),
    (make_scenes, -3, ValueError, "n must be >= 0; got -3"),
    (make_scenes, "4", TypeError, "n must be a whole number"),
])
def test_datasets_refuse_bad_counts(make, n, error, message):
    with pytest.raises(error, match=message):
        make(n)


def test_datasets_refuse_bad_seeds_and_keep_good_ones():
    with pytest.raises(ValueError, match="seed must lie in"):
        make_faces(2, seed=-1)
    with pytest.raises(TypeError, match="seed must be an int"):
        make_scenes(2, seed=0.5)
    assert torch.equal(make_faces(2, seed=np.int64(3), size=16).images, make_faces(2, seed=3, size=16).images)


def test_counts_and_the_cli_type():
    assert check_count(np.int32(4), "steps", minimum=1) == 4
    with pytest.raises(TypeError, match=r"use int\(steps\) if you meant 100"):
        check_count(100.0, "steps", minimum=1)
    with pytest.raises(TypeError):
        check_count(True, "steps")
    assert positive_int_arg("12") == 12
    for text in ["0", "-3", "2.5", "many"]:
        with pytest.raises(argparse.ArgumentTypeError, match="positive whole number"):
            positive_int_arg(text)


@pytest.mark.parametrize("images, error, message", [
    (torch.full((1, 3, 8, 8), 200, dtype=torch.uint8), TypeError, r"uint8 \(0-255\).*images.float\(\) / 255"),
    (torch.ones(1, 3, 8, 8, dtype=torch.bool), TypeError, r"images.float\(\)"),
    (torch.ones(1, 3, 8, 8, dtype=torch.int64), TypeError, "dtype torch.int64"),
    (torch.full((1, 3, 8, 8), float("nan")), ValueError, "192 of the 192 values of images are NaN"),
    (torch.full((1, 3, 8, 8), 200.0), ValueError, "divide by 255"),
    (torch.full((1, 3, 8, 8), -0.5), ValueError, r"\[-1, 1\]: map it with \(x \+ 1\) / 2"),
    (torch.rand(3, 8, 8), ValueError, r"\(B, C, H, W\); got \(3, 8, 8\); add the batch axis with images\[None\]"),
    (torch.rand(0, 3, 8, 8), ValueError, "empty"),
    (np.zeros((1, 3, 8, 8)), TypeError, "to_model_image"),
])
def test_check_images_names_the_problem_and_the_conversion(images, error, message):
    with pytest.raises(error, match=message):
        check_images(images)


def test_check_images_channels_dtype_device_and_rounding():
    x = torch.rand(2, 3, 8, 8)
    assert check_images(x) is x
    assert check_images(torch.full((1, 1, 4, 4), 1 + 1e-6), channels=(1,)) is not None     # rounding error is fine
    with pytest.raises(ValueError, match=r"\(B, 1, H, W\)"):
        check_images(x, channels=(1,))
    with pytest.raises(TypeError, match=r"bfloat16, but the model computes in torch.float32"):
        check_images(x.bfloat16(), like=torch.zeros(1))
    with pytest.raises(ValueError, match=r"on cpu but the model is on meta: pass images.to\('meta'\)"):
        check_images(x, like=torch.zeros(1, device="meta"))


def test_choose_threads_leaves_busy_cores_alone():
    from gentut.runtime import choose_threads
    assert choose_threads(cores=2, load=0.1) == 2            # an idle laptop: every core
    assert choose_threads(cores=2, load=1.2) == 1            # another program busy: one thread, not a fight
    assert choose_threads(cores=8, load=2.6) == 5
    assert choose_threads(cores=2, load=7.0) == 1            # never fewer than one
    assert 1 <= choose_threads() <= (os.cpu_count() or 1)


def test_setup_sets_the_threads_it_prints(capsys):
    import torch
    from gentut.runtime import setup
    before = torch.get_num_threads()
    try:
        runtime.setup(seed=1, threads=1)
        assert torch.get_num_threads() == 1 and "CPU threads: 1" in capsys.readouterr().out
        with pytest.raises(ValueError, match="threads"):
            runtime.setup(seed=1, threads=0)
    finally:
        torch.set_num_threads(before)


def test_setup_gives_blas_one_thread():
    from threadpoolctl import threadpool_info, threadpool_limits
    with threadpool_limits(limits=None):                      # restored after the test
        runtime.setup(seed=1, verbose=False)
        blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        assert blas and all(n == 1 for n in blas)


def test_busy_cores_reads_the_cpus_time_not_the_lagging_load_average():
    from gentut.runtime import busy_cores, cpu_times
    before = "cpu  9 9 9 9 9 0 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\ncpu1 10 0 10 900 0 0 0 0 0 0\nintr 5\n"
    after = "cpu  9 9 9 9 9 0 0 0\ncpu0 180 0 70 800 50 0 0 0 0 0\ncpu1 10 0 10 1000 0 0 0 0 0 0\nintr 5\n"
    assert cpu_times(before, {0, 1}) == (170, 1920)                # the "cpu" total line is not counted twice
    b, a = cpu_times(before, {0, 1}), cpu_times(after, {0, 1})
    assert 2 * (a[0] - b[0]) / (a[1] - b[1]) == 1.0                # cpu0 fully busy, cpu1 idle: one core busy
    assert cpu_times(after, {1}) == (20, 1020)                     # only the CPUs asked for
    measured = busy_cores(interval=0.05)
    assert measured is None or 0 <= measured <= len(os.sched_getaffinity(0)) + 1e-9


def test_seeded_from_gives_the_same_networks_on_every_torch_and_restores_the_global_rng():
    from gentut.runtime import seeded_from
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    with seeded_from(torch.Generator().manual_seed(0)):
        first = torch.nn.Linear(4, 3).weight.clone()
    assert torch.equal(torch.rand(3), before)                    # the caller's RNG is untouched
    with seeded_from(torch.Generator().manual_seed(0)):
        assert torch.equal(torch.nn.Linear(4, 3).weight, first)
    with seeded_from(torch.Generator().manual_seed(1)):
        assert not torch.equal(torch.nn.Linear(4, 3).weight, first)
    # The seed the recorded studies were made with (torch 2.13). randint(2**31) gave 209652396 on
    # torch 2.3 instead, which is why seeded_from draws from a range of 2**32 (its docstring).
    generator = torch.Generator().manual_seed(0)
    with seeded_from(generator):
        assert torch.initial_seed() == 398764591
    assert torch.randint(8, (3,), generator=generator).tolist() == [5, 0, 3]   # one draw was taken
