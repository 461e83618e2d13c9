"""The simulator's native engine: the heavy layers and the write faults in C, compiled for
this host on first use.

The numpy kernels (host_tools/sim/kernels.py) spend most of their time outside the
arithmetic: gathering windows, requantising in several passes, converting types, one
call per small op. Here each layer is one C call over the whole batch:

- convolutions (sim_conv.c) multiply with AVX-512 VNNI or AVX2, whichever the CPU has,
  reading the padded image in place (numpy runs them on other CPUs);
- depthwise convolutions (sim_depthwise.c) and same-shape ADD/MUL (sim_pair.c, exact
  tables of all 65,536 input pairs) in portable C;
- pooling, softmax and the reductions are the firmware's own kernels_c/ sources, run
  once per sample (sim_batch.c);
- write faults are the firmware's own firmware/nvm/fault_prng.c (sim_faults.c).

Every result is identical to the numpy kernels (tests/sim/test_sim_native.py), which stay
the reference and the fallback: Simulator(engine="auto") uses this engine where the
library builds, and $TP_SIM_ENGINE=numpy forces numpy.

loader.py builds and loads the library, layers.py wraps the layers, faults.py the fault
draws.
"""
from .faults import error_words, flip
from .layers import (BUILDERS, avgpool, conv, depthwise, maxpool, reduce_max, reduce_mean,
                     softmax)
from .loader import NativeError, conv_kind, enabled, library, library_path

__all__ = ["BUILDERS", "NativeError", "avgpool", "conv", "conv_kind", "depthwise", "enabled",
           "error_words", "flip", "library", "library_path", "maxpool",
           "reduce_max", "reduce_mean", "softmax"]
