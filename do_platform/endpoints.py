"""Old import path of :mod:`do_platform.api.endpoints`, kept for ``do_platform/config.py`` only.

The endpoint rule lives in ``do_platform/api/endpoints.py``; this module re-exports it and decides nothing.
"""

from do_platform.api.endpoints import EndpointError, normalise_endpoint, shown_endpoint

__all__ = ["EndpointError", "normalise_endpoint", "shown_endpoint"]
