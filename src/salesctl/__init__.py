"""salesctl: the sales department's management system in a terminal."""

__version__ = "0.1.0"
