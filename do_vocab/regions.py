"""Region slugs the platform deploys to, and the App Platform region of each, derived from the one catalog.

:mod:`do_vocab.catalog` (``do_vocab/catalog.json``, what the emulator serves too) is the only list of
regions: a region DigitalOcean opens is one edit there, and the config, the components and the emulator
follow.
"""

from __future__ import annotations

from types import MappingProxyType

from do_vocab import catalog

_CATALOG = catalog.load()

# Data centers open to new resources that also host Managed Databases (so every component can live there).
REGIONS: tuple[str, ...] = tuple(sorted(
    slug for slug in _CATALOG.region_slugs(available_only=True) if slug in _CATALOG.database_regions))
# App Platform has its own region names; a data center without an App Platform region (ric1) is absent.
APP_REGIONS: MappingProxyType = MappingProxyType({
    slug: app for slug in REGIONS if (app := _CATALOG.app_region_of(slug)) is not None})
