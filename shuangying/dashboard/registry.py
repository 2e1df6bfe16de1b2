"""The home page's panels, found in each installed app's ``dashboard`` module.

Discovery instead of imports: the dashboard names no domain app, so a new module appears on
the home page by adding ``<app>/dashboard.py`` with ``panel(user)``, and removing an app
removes its panel."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from shuangying.core.panels import Panel

PanelProvider = Callable[[object], Panel | None]

_providers: list[PanelProvider] = []


def discover() -> list[PanelProvider]:
    """Collect ``panel`` from every installed app's ``dashboard`` module (AppConfig.ready)."""
    _providers.clear()
    for config in apps.get_app_configs():
        if config.name == __package__ or not module_has_submodule(config.module, "dashboard"):
            continue
        module = import_module(f"{config.name}.dashboard")
        provider = getattr(module, "panel", None)
        if callable(provider):
            _providers.append(provider)
    return list(_providers)


def panels_for(user) -> list[Panel]:
    """The panels this user has a part in, in their modules' order."""
    panels = [p for provider in _providers if (p := provider(user)) is not None]
    return sorted(panels, key=lambda p: p.order)
