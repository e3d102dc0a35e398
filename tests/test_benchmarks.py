"""The arithmetic behind `make bench`'s limits, and how `make bench-profile` reads perf (the timings themselves are never asserted)."""

import pytest

from benchmarks.limits import products


def test_a_training_steps_products_add_up_to_the_tutorials_flops():
    flops = {name: (count * 2 * m * k * n / 1e9, count) for name, ((m, k, n), count) in products(64, 100, 1024, 256, 65).items()}
    recurrent = sum(v for v, count in flops.values() if count > 1)  # the products inside the time loop
    assert recurrent == pytest.approx(2 * 100 * 2 * 64 * 1024 * 3072 / 1e9)  # 80.5: forward and backward, step by step
    # the input projection and its two gradients, the recurrent kernel's gradient, the dense layer and its two
    batched = 3 * 6400 * 256 * 3072 + 6400 * 1024 * 3072 + 3 * 6400 * 1024 * 65  # 73.0 GFLOP, as multiply-adds
    assert sum(v for v, _ in flops.values()) - recurrent == pytest.approx(2 * batched / 1e9)


def test_perf_samples_are_sorted_by_kind_of_work():
    from benchmarks.profile import samples, shares

    report = """# Samples: 710  of event 'cpu-clock:ppp'
# Overhead  Shared Object                                      Symbol
# ........  .................................................  ......
#
    73.24%  libtensorflow_cc.so.2                              [.] ynn::dot_fp32_6x16x1_1x8x1_fma3
     8.87%  libc.so.6                                          [.] __memmove_avx_unaligned_erms
     4.65%  libtensorflow_framework.so.2                       [.] Eigen::ThreadPoolTempl<tsl::thread::EigenEnvironment>::GlobalSteal
     0.70%  [kernel.kallsyms]                                  [k] finish_task_switch.isra.0
     0.70%  ld-linux-x86-64.so.2                               [.] __tls_get_addr
     0.14%  [JIT] tid 9936                                     [.] 0x00007f5e7983d292
"""  # lines of a real `perf report --sort dso,sym --stdio` of an XLA loop
    rows = samples(report)
    assert rows[0] == (pytest.approx(0.7324), "libtensorflow_cc.so.2 ynn::dot_fp32_6x16x1_1x8x1_fma3")
    assert rows[-1] == (pytest.approx(0.0014), "[JIT] tid 9936 0x00007f5e7983d292")
    assert shares(rows) == {"matrix products (library kernels)": 0.732, "weight packing (transposes, copies)": 0.089,
                            "element-wise work (gates, activations, sums)": 0.0, "code generated at run time": 0.001,
                            "thread pool (handing out and waiting for work)": 0.054, "other": 0.007}
