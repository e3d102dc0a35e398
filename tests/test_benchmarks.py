"""The arithmetic behind `make bench`'s limits (the timings themselves are never asserted)."""

import pytest

from benchmarks.limits import products


def test_a_training_steps_products_add_up_to_the_tutorials_flops():
    flops = {name: (count * 2 * m * k * n / 1e9, count) for name, ((m, k, n), count) in products(64, 100, 1024, 256, 65).items()}
    recurrent = sum(v for v, count in flops.values() if count > 1)  # the products inside the time loop
    assert recurrent == pytest.approx(2 * 100 * 2 * 64 * 1024 * 3072 / 1e9)  # 80.5: forward and backward, step by step
    # the input projection and its two gradients, the recurrent kernel's gradient, the dense layer and its two
    batched = 3 * 6400 * 256 * 3072 + 6400 * 1024 * 3072 + 3 * 6400 * 1024 * 65  # 73.0 GFLOP, as multiply-adds
    assert sum(v for v, _ in flops.values()) - recurrent == pytest.approx(2 * batched / 1e9)

