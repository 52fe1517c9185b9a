"""Tool providers (LANGUAGE.md §12.5): the interface, the registry, one module per provider."""

from lumen.runtime.providers.base import Provider
from lumen.runtime.providers.registry import provider_for

__all__ = ["Provider", "provider_for"]
