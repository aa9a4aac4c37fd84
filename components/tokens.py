"""Every component type token in one place: changing one changes URNs, so they never move."""

PACKAGE = "do-platform"

TYPE_TOKENS: dict[str, str] = {
    name: f"{PACKAGE}:index:{name}"
    for name in ("SecureNetwork", "WebCluster", "AppService", "ManagedPostgres", "Kubernetes", "Dns", "ObjectStore")
}
