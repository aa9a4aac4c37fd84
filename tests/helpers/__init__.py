"""Helpers shared across test folders: plain functions and constants (fixtures live in conftest.py files)."""
