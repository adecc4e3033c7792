"""waqai: Arabic news about armed conflict in, an ACLED-style event dataset out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("waqai")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
