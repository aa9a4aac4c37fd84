"""DigitalOcean vocabulary: the names, slugs, regions, image references and network rules, written once.

Components, the stack config, the guardrails and the tools all import these, so bumping a Kubernetes
prefix or tightening a slug rule is one edit. Standard library only: the components package (usable from
any Pulumi project), the platform package and the emulator can all depend on it.

- :mod:`do_vocab.names`: patterns of DigitalOcean names and slugs, weekdays, Postgres versions, defaults.
- :mod:`do_vocab.regions`: region slugs and the App Platform region of each (the seam for a region/size
  catalog: a catalog module replaces these tuples, callers keep importing them from here).
- :mod:`do_vocab.images`: one container-image reference type and its one formatter.
- :mod:`do_vocab.addresses`: address space (is a set of sources world-open?), admin ports.
- :mod:`do_vocab.firewall_rules`: Cloud Firewall rules as values (ports, baselines, CIDR parsing).
- :mod:`do_vocab.http_paths`: the health-check path rule.
"""
