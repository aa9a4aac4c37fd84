"""Pulumi dynamic resources that fill gaps in the DigitalOcean provider (run through PyDo)."""

from do_platform.dynamic.registry_retention import RegistryRetention, RegistryRetentionArgs

__all__ = ["RegistryRetention", "RegistryRetentionArgs"]
