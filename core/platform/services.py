"""What a page may ask of core: service functions of its family, each returning a frozen result.

A service that reads settings says which, so the app caches its result on the workspace's data version
and the version of those settings alone: saving a touch-plan text does not retrain the churn model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

Service = TypeVar("Service", bound=Callable)


def reads_settings(*keys: str) -> Callable[[Service], Service]:
    """Mark a service with the settings keys its result depends on."""
    def mark(service: Service) -> Service:
        service.settings_keys = tuple(keys)
        return service
    return mark


def settings_keys(service: Callable) -> tuple[str, ...]:
    return getattr(service, "settings_keys", ())
