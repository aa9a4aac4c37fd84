"""The closed sets of the stack config: environments, components, policy levels, and the namespaces."""

from __future__ import annotations

from enum import StrEnum

PROJECT = "do-platform"
PROVIDER_NS = "digitalocean"


class Environment(StrEnum):
    development = "development"
    staging = "staging"
    production = "production"


class Component(StrEnum):
    network = "network"
    web = "web"
    apps = "apps"
    database = "database"
    kubernetes = "kubernetes"
    dns = "dns"


# DigitalOcean project environment labels.
PROJECT_ENVIRONMENTS = {"development": "Development", "staging": "Staging", "production": "Production"}


class PolicyEnforcement(StrEnum):
    advisory = "advisory"
    mandatory = "mandatory"
    disabled = "disabled"
