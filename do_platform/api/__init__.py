"""The one way to talk to the DigitalOcean API (or the emulator standing in for it).

- :mod:`~do_platform.api.endpoints`: where a token may be sent (the one URL rule; no heavy imports, the
  Pulumi program's config loads it).
- :mod:`~do_platform.api.client`: the one PyDo client factory (token, endpoint, retries, rate pacing).
- :mod:`~do_platform.api.pagination`: walking paged lists (page numbers and the registry's cursor).
- :mod:`~do_platform.api.reader`: the one seam every operation reads through (cached, 404 as ``None``,
  other failures as :class:`~do_platform.errors.PlatformError`).

Nothing is imported here, so ``do_platform.api.endpoints`` stays cheap to load.
"""
