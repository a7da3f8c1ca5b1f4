"""Exceptions of the layers package."""
from __future__ import annotations


class LayerError(ValueError):
    """A layer file, a layer id or an "as of" date is not usable; the message says why."""
