"""Region slugs the platform deploys to, and the App Platform region of each.

The seam for a catalog of regions and sizes: when one exists (the emulator's catalog data), these names
are derived from it here, and every caller keeps importing them from this module.
"""

from __future__ import annotations

# Regions that offer droplets, managed Postgres, DOKS and App Platform.
REGIONS = ("ams3", "atl1", "blr1", "fra1", "lon1", "nyc1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1")
# App Platform has its own region names.
APP_REGIONS = {"ams3": "ams", "atl1": "atl", "blr1": "blr", "fra1": "fra", "lon1": "lon", "nyc1": "nyc",
               "nyc3": "nyc", "sfo2": "sfo", "sfo3": "sfo", "sgp1": "sgp", "syd1": "syd", "tor1": "tor"}
