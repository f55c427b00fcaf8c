"""sitegen: a static site generator for archives of Chinese news and government documents."""

__version__ = "0.1.0"
