"""The one compiled part of the package: matching/_netsimplex.c, the network simplex of the
transportation LPs, built as a plain shared library (no Python or NumPy headers: matching.netsimplex
loads it with ctypes). Everything else is declared in pyproject.toml. The build is optional: without a
C compiler Hamyar still installs and matching keeps its HiGHS path (exact, several times slower on
large counties; it logs a warning). `./dev test` installs gcc first, and
tests/matching/test_netsimplex.py fails when the library is not built."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("matching._netsimplex", sources=["matching/_netsimplex.c"],
                             extra_compile_args=["-O2"], libraries=["m"], optional=True)])
