"""Kubernetes quantities, parsed exactly and rounded as Kubernetes rounds them."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from planner.knowledge.capacity import QUANTITY_MAX, cpu_milli, memory_mib, quantity, quantity_exact

# ---------------------------------------------------------------- quantities


@pytest.mark.parametrize(("text", "cores"), [
    ("1", 1), ("0.5", Fraction(1, 2)), (".5", Fraction(1, 2)), ("1.", 1), ("+2", 2), ("100m", Fraction(1, 10)),
    ("1n", Fraction(1, 10**9)), ("1u", Fraction(1, 10**6)), ("1k", 1000), ("1M", 10**6), ("1G", 10**9),
    ("1T", 10**12), ("1P", 10**15), ("1E", 10**18), ("1Ki", 2**10), ("1Mi", 2**20), ("1Gi", 2**30), ("1Ti", 2**40),
    ("1Pi", 2**50), ("1Ei", 2**60), (".5Ei", 2**59), ("1.5Gi", 3 * 2**29), ("1.G", 10**9),
    ("1e3", 1000), ("1E3", 1000), ("1e+3", 1000), ("1E-3", Fraction(1, 1000)), ("2.5e-1", Fraction(1, 4)),
    ("0", 0), ("000", 0), ("0.0Gi", 0),
])
def test_every_quantity_form(text, cores):
    assert quantity_exact(text) == cores


def test_E_alone_is_exa_and_E_with_digits_is_an_exponent():
    assert memory_mib("1E") == -(-10**18 // 2**20)
    assert memory_mib("1Ei") == 2**40
    assert memory_mib(".5Ei") == 2**39
    assert cpu_milli("1E3") == 1_000_000


@pytest.mark.parametrize("text", ["", ".", "e3", "1e", "1E+", "1K", "1Ki3", "1.2.3", "lots", "1 Gi", "-1", "-100m",
                                  "1Mib", "0x10", "1e3.5"])
def test_malformed_or_negative_quantities_are_refused(text):
    with pytest.raises(ValueError):
        quantity_exact(text)


def test_cpu_rounds_up_to_whole_millicores_exactly():
    assert cpu_milli("0.1m") == 1
    assert cpu_milli("1n") == 1
    assert cpu_milli("1001u") == 2
    assert all(cpu_milli(f"{i}m") == i for i in range(1, 5000))
    assert all(cpu_milli(str(i / 1000)) == i for i in range(1, 5000))  # e.g. 2.007 and 9m were off by one


def test_memory_rounds_up_to_whole_mib():
    assert memory_mib("1Mi") == 1
    assert memory_mib("1048577") == 2
    assert memory_mib("0.1Gi") == 103  # 102.4Mi
    assert memory_mib("128M") == 123  # 122.07Mi
    assert memory_mib("1") == 1


def test_yaml_numbers_are_quantities_too():
    assert cpu_milli(2) == 2000
    assert cpu_milli(0.3) == 300
    assert memory_mib(1048576) == 1
    with pytest.raises(ValueError):
        quantity_exact(float("inf"))
    with pytest.raises(ValueError):
        quantity_exact(True)


def test_huge_and_tiny_values_are_bounded_at_once():
    start = time.monotonic()
    assert quantity_exact("1e99999999") == QUANTITY_MAX
    assert quantity_exact("1E999999999999999999999") == QUANTITY_MAX
    assert quantity_exact("8Ei") == QUANTITY_MAX  # 2^63 is one more than Kubernetes can hold
    assert quantity_exact("1e-99999999") == Fraction(1, 10**9)  # non-zero rounds up to 1n, as ParseQuantity does
    assert quantity_exact("0." + "0" * 900 + "1") == Fraction(1, 10**9)
    assert cpu_milli("1e99999999") == QUANTITY_MAX * 1000
    assert time.monotonic() - start < 1
    with pytest.raises(ValueError):
        quantity_exact("1" * 5000)


def test_the_float_helper_still_works():
    assert quantity("1.5Gi") == 1.5 * 2**30
    assert quantity("250m") == 0.25
