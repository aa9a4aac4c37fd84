"""A local, stateful emulator of the DigitalOcean v2 API (see docs/emulator.md)."""

from emulator.core.app import EmulatorApp, create_app
from emulator.server import EmulatorServer

__all__ = ["EmulatorApp", "EmulatorServer", "create_app"]
