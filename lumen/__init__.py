"""Lumen: an AI-native programming language and its toolchain."""

__version__ = "0.1.0"
