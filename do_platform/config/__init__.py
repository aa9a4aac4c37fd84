"""Typed stack config: one pydantic model for every ``do-platform:*`` key and the provider keys we read.

The program (``__main__.py``, through :func:`from_pulumi_config`), the offline evaluation and the
tools (through :func:`load_config` by stack name, or :func:`load_stack_config` on the raw ``config:``
mapping of a ``Pulumi.<stack>.yaml``) all go through :func:`load_stack_config`, so a bad value fails the
same way everywhere: a :class:`~do_platform.errors.ConfigError` naming the exact key
(``do-platform:web.count``), the bad value and what is allowed. Keys are documented in ``Pulumi.yaml``'s
``config:`` block; defaults there must equal the defaults here (a test compares them).

The package follows the config's jobs:

- :mod:`~do_platform.config.enums`: the closed sets (environments, components, policy levels).
- :mod:`~do_platform.config.models`: the models and their field rules (patterns from :mod:`do_vocab`).
- :mod:`~do_platform.config.rules`: cross-field rules (what a component needs, production, policy level).
- :mod:`~do_platform.config.messages`: validation errors as one-line messages naming the key.
- :mod:`~do_platform.config.loading`: raw mapping, Pulumi or stack name -> :class:`StackConfig`.
"""

from do_platform.config.enums import (
    PROJECT,
    PROJECT_ENVIRONMENTS,
    PROVIDER_NS,
    Component,
    Environment,
    PolicyEnforcement,
)
from do_platform.config.loading import (
    SECRET_CONFIG_KEYS,
    from_pulumi_config,
    load_apps,
    load_config,
    load_stack_config,
    plaintext_secrets,
    program_keys,
    secret_command,
)
from do_platform.config.messages import Encrypted
from do_platform.config.models import (
    MAX_CIDRS,
    MAX_ENV,
    MAX_ITEMS,
    AppConfig,
    DatabaseConfig,
    ImageConfig,
    KubernetesConfig,
    NetworkConfig,
    ObjectStoreConfig,
    ProviderConfig,
    RegistryRetentionConfig,
    StackConfig,
    WebConfig,
)
from do_platform.config.rules import (
    POLICY_OVERRIDE_ENV,
    PUBLIC_SITE_KEY,
    REQUIRES,
    default_enforcement,
    enforcement_problem,
    public_bucket_problem,
)

__all__ = [
    "PROJECT", "PROJECT_ENVIRONMENTS", "PROVIDER_NS", "Component", "Environment", "PolicyEnforcement",
    "SECRET_CONFIG_KEYS", "from_pulumi_config", "load_apps", "load_config", "load_stack_config",
    "plaintext_secrets", "program_keys", "secret_command", "Encrypted",
    "MAX_CIDRS", "MAX_ENV", "MAX_ITEMS", "AppConfig", "DatabaseConfig", "ImageConfig", "KubernetesConfig",
    "NetworkConfig", "ObjectStoreConfig", "ProviderConfig", "RegistryRetentionConfig", "StackConfig", "WebConfig",
    "POLICY_OVERRIDE_ENV", "PUBLIC_SITE_KEY", "REQUIRES", "default_enforcement", "enforcement_problem",
    "public_bucket_problem",
]
