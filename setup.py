"""Build of quotetrail's compiled modules; all other metadata is in pyproject.toml.

Both modules are optional: where no C compiler is found, the install goes on
without them and quotetrail runs the same computations in Python (HanTa's
searches) or pycrfsuite (the taggers), with the same results, only slower.

- ``quotetrail._morphsearch``: HanTa's morpheme and sentence searches on C arrays;
- ``quotetrail._crf``: CRF inference on the taggers' crfsuite models, built without
  fused multiply-adds so that every sum is rounded as crfsuite rounds it.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension("quotetrail._morphsearch", ["src/quotetrail/_morphsearch.pyx"], optional=True),
            Extension(
                "quotetrail._crf",
                ["src/quotetrail/_crf.pyx"],
                extra_compile_args=["-ffp-contract=off"],
                optional=True,
            ),
        ],
        compiler_directives={"language_level": 3},
    )
)
