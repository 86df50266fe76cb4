"""Builds narrate's optional compiled kernels (narrate/_kernels.c); everything else is in pyproject.toml.

Without a C compiler the build is skipped and narrate runs the same computations in numpy
(narrate/native.py chooses), only slower.
"""

import sys

from setuptools import Extension, setup

# -ffp-contract=off: no fused multiply-adds, so the float32 results match numpy's to the bit.
# -fno-trapping-math lets the clipping and rounding loops vectorize (no value changes: no FP traps are used).
FLAGS = [] if sys.platform == "win32" else ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math"]

setup(ext_modules=[Extension("narrate._kernels", ["narrate/_kernels.c"], extra_compile_args=FLAGS, optional=True)])
