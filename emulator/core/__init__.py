"""Shared mechanisms of the emulator: state, routing, errors, pagination, clock and ids, control."""
