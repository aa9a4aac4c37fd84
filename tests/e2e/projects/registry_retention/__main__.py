"""A RegistryRetention on one emulator registry: the policy from stack config, the token a secret."""

import pulumi

from do_platform.dynamic.registry_retention import RegistryRetention, RegistryRetentionArgs

config = pulumi.Config()
PROTECT = tuple(config.get_object("protect") or ())
retention = RegistryRetention("retention", RegistryRetentionArgs(
    registry=config.require("registry"),
    token=config.require_secret("token"),
    keep_last=config.require_int("keepLast"),
    keep_days=0,
    keep_patterns=(),
    protect=PROTECT,
    allow_empty_protect=not PROTECT,  # a throwaway registry nothing deploys from, unless `protect` is set
    apply_on_every_up=config.get_bool("everyUp") or False,
    gc=False,
    api_endpoint=config.require("endpoint"),
))
pulumi.export("manifests_deleted", retention.manifests_deleted)
pulumi.export("tags_kept", retention.tags_kept)
pulumi.export("gc_status", retention.gc_status)
