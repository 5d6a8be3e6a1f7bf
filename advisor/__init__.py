"""advisor: migration assessment and lift-and-shift advice from server inventories."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("advisor")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
