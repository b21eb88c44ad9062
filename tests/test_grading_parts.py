"""The autograder's parts on their own: plain data, test helpers, references, magics, the seccomp program."""

import math
import re

import numpy as np
import pytest
import torch

from gentut.grading.magics import to_python
from gentut.grading.plain import Opaque, TooLarge, from_plain, to_plain
from gentut.grading.references import BLOCKED, reference_uses, stub_module
from gentut.grading.seccomp import program
from gentut.grading.submissions import student_name
from gentut.grading.testing import close, max_error, raised, replaced

REFERENCES = {"q1": [("gentut.losses", "d_logistic_loss")], "q2": [("gentut.models.autoregressive", "MaskedConv2d")]}


def roundtrip(value):
    import json

    return from_plain(json.loads(json.dumps(to_plain(value))))


def test_plain_data_keeps_values_dtypes_and_types():
    tensor = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    back = roundtrip({"t": tensor, "a": np.ones(3, np.float32), "n": (1, 2.5, "x", None, True), "s": torch.Size([2, 3]),
                      "big": 2 ** 70, "inf": -math.inf, "dtype": torch.float16, "half": tensor.bfloat16()})
    assert isinstance(back["t"], torch.Tensor) and back["t"].dtype == torch.float64 and torch.equal(back["t"], tensor)
    assert back["a"].dtype == np.float32 and back["n"] == (1, 2.5, "x", None, True) and back["s"] == (2, 3)
    assert back["big"] == 2 ** 70 and back["inf"] == -math.inf and back["dtype"] == torch.float16
    assert back["half"].dtype == torch.bfloat16
    assert roundtrip(torch.tensor(2.5)).shape == () and roundtrip(np.float32(1.5)).dtype == np.float32


def test_exceptions_come_back_as_the_nearest_builtin_class():
    class MyError(ValueError):
        pass

    error = roundtrip(MyError("bad mask type"))
    assert isinstance(error, ValueError) and str(error) == "bad mask type" and error.raised_as == "MyError"
    assert isinstance(roundtrip(NotImplementedError("x")), NotImplementedError)


def test_what_cannot_travel_is_described_and_what_is_too_big_is_refused():
    assert isinstance(roundtrip(lambda x: x), Opaque) and isinstance(roundtrip(np.array(["a"], dtype=object)), Opaque)
    with pytest.raises(TooLarge):
        to_plain(np.zeros(40 << 20, np.uint8))
    nested = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(TooLarge):
        to_plain(nested)
    with pytest.raises(ValueError):
        from_plain({"$": "ndarray", "npdtype": "|O", "dtype": "object", "shape": [1], "data": ""})
    with pytest.raises(ValueError):
        from_plain({"$": "pickle", "data": ""})


def test_close_judges_values_not_dtypes():
    expected = torch.tensor([1.0, 2.0])
    assert close(expected.double() + 1e-9, expected) and close(np.array([1.0, 2.0]), expected)
    assert not close(expected[None], expected) and not close(None, expected) and not close(torch.tensor([1.0, math.nan]),
                                                                                             torch.tensor([1.0, math.nan]))
    assert max_error(expected + 0.5, expected) == 0.5 and max_error(expected[:1], expected) == math.inf


def test_raised_and_replaced():
    assert isinstance(raised(int, "x"), ValueError) and raised(int, "3") is None
    namespace = {"f": 1}
    with pytest.raises(RuntimeError):
        with replaced(namespace, f=2, g=3):
            assert namespace == {"f": 2, "g": 3}
            raise RuntimeError
    assert namespace == {"f": 1}


def test_answers_that_name_a_reference_are_found():
    assert reference_uses("from gentut.losses import d_logistic_loss as mine", REFERENCES) == \
        [("q1", "gentut.losses.d_logistic_loss")]
    assert reference_uses("import gentut.losses as L\ndef f(a, b):\n    return L.d_logistic_loss(a, b)", REFERENCES) == \
        [("q1", "gentut.losses.d_logistic_loss")]
    assert reference_uses("from gentut.models import autoregressive\nLayer = autoregressive.MaskedConv2d", REFERENCES) == \
        [("q2", "gentut.models.autoregressive.MaskedConv2d")]
    assert reference_uses("from gentut.losses import bernoulli_nll\ndef d_logistic_loss(r, f):\n    return 0",
                          REFERENCES) == []
    assert reference_uses("def f(:", REFERENCES) == []


def test_a_stubbed_module_raises_where_the_reference_was_and_nowhere_else():
    source = "import math\n\n\n@staticmethod\ndef ref(x):\n    return x\n\n\ndef other(x):\n    return ref(x)\n\n\nclass Ref:\n    pass\n"
    stubbed = stub_module(source, "gentut.fake", {"ref": "q1", "Ref": "q2"})
    namespace = {}
    exec(stubbed, namespace)
    for call in (lambda: namespace["ref"](1), lambda: namespace["other"](1), lambda: namespace["Ref"]()):
        with pytest.raises(RuntimeError, match=re.escape(BLOCKED)):
            call()
    assert "return x" not in stubbed and "import math" in stubbed
    with pytest.raises(ValueError, match="defines no function or class"):
        stub_module(source, "gentut.fake", {"missing": "q1"})


def test_magics_are_found_by_ipython_not_by_a_line_prefix():
    assert to_python("x = (5\n% 3)\n") == ("x = (5\n% 3)\n", False)
    assert to_python('s = """\n%not a magic\n"""\n')[1] is False
    code, magic = to_python("%matplotlib inline\n!ls\nx = 1\n")
    assert magic and "get_ipython().run_line_magic('matplotlib', 'inline')" in code and code.endswith("x = 1\n")


def test_student_names_escape_only_what_they_must():
    assert [student_name(n) for n in ("alice", "x y", "x!y", "x_y", "é")] == ["alice", "x%20y", "x%21y", "x_y", "%C3%A9"]


def test_the_seccomp_program_jumps_to_allow_or_deny():
    code = program(0xC000003E, [41, 101])
    assert code[-2] == (0x06, 0, 0, 0x7FFF0000) and code[-1][3] & 0xFFFF0000 == 0x00050000
    x32_jump = code[4]
    assert 4 + 1 + x32_jump[1] == len(code) - 1                     # x32 calls go to "deny"
    for i in (5, 6):
        assert i + 1 + code[i][1] == len(code) - 1                  # each listed call goes to "deny"
