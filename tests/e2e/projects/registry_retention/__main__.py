"""A RegistryRetention on one emulator registry: the policy from stack config, the token a secret."""

import pulumi

from do_platform.dynamic.registry_retention import RegistryRetention, RegistryRetentionArgs

config = pulumi.Config()
retention = RegistryRetention("retention", RegistryRetentionArgs(
    registry=config.require("registry"),
    token=config.require_secret("token"),
    keep_last=config.require_int("keepLast"),
    keep_days=0,
    keep_patterns=(),
    include_stack_files=False,
    gc=False,
    api_endpoint=config.require("endpoint"),
))
pulumi.export("manifests_deleted", retention.manifests_deleted)
pulumi.export("tags_kept", retention.tags_kept)
pulumi.export("gc_status", retention.gc_status)
