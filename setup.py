"""The one compiled part of the package: matching/_netsimplex.c, the network simplex of the
transportation LPs, built as a plain shared library (no Python or NumPy headers: matching.netsimplex
loads it with ctypes). Everything else is declared in pyproject.toml. Without a C compiler the
build fails; matching then keeps its HiGHS path only if the library is absent at run time."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("matching._netsimplex", sources=["matching/_netsimplex.c"],
                             extra_compile_args=["-O2"], libraries=["m"])])
