"""gentut: a course kit for deep generative models and how to interpret and steer them.

Nothing heavy happens at import: submodules are imported where they are used,
e.g. ``from gentut.models.autoregressive import PixelCNN``.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
