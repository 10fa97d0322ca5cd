"""Build of quotetrail's one compiled module; all other metadata is in pyproject.toml.

The module (``quotetrail._morphsearch``, HanTa's morpheme search on C arrays) is
optional: where no C compiler is found, the install goes on without it and
quotetrail uses the same search in Python, with the same results, only slower.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("quotetrail._morphsearch", ["src/quotetrail/_morphsearch.pyx"], optional=True)],
        compiler_directives={"language_level": 3},
    )
)
