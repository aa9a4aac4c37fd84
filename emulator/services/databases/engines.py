"""The database engines as the emulator offers them: versions, endpoints, default users and databases, default
settings, sizes (from the one catalog) and the names the API accepts for firewall rules, pools and ACLs.

Shared by every part of the databases backend (clusters, settings, users, pools, replicas, rendering).
"""

from __future__ import annotations

from do_vocab import catalog

ENGINES = ["pg", "mysql", "redis", "valkey", "mongodb", "kafka", "opensearch"]
DEFAULT_VERSIONS = {
    "pg": ["13", "14", "15", "16", "17"],
    "mysql": ["8"],
    "redis": ["7"],
    "valkey": ["8"],
    "mongodb": ["6.0", "7.0"],
    "kafka": ["3.5", "3.6", "3.7", "3.8"],
    "opensearch": ["1", "2"],
}
# The versions a create offers, oldest first: the description's options example (MongoDB 6.0/7.0, Kafka 3.8,
# OpenSearch 1/2) and the older ones the provider's acceptance suite still creates (Kafka 3.5, 3.7). Seedable.
CACHING_ENGINES = ("redis", "valkey")
# engine → (scheme, port, pool-port); the hosts are the emulator's own names.
ENDPOINTS = {
    "pg": ("postgresql", 25060, 25061),
    "mysql": ("mysql", 25060, None),
    "redis": ("rediss", 25061, None),
    "valkey": ("rediss", 25061, None),
    "mongodb": ("mongodb+srv", 27017, None),
    "kafka": ("kafka", 25073, None),
    "opensearch": ("https", 25060, None),
}
DEFAULT_DB = {"pg": "defaultdb", "mysql": "defaultdb", "mongodb": "admin"}
ADMIN_USER = {"pg": "doadmin", "mysql": "doadmin", "redis": "default", "valkey": "default", "mongodb": "doadmin",
              "kafka": "doadmin", "opensearch": "doadmin"}
CATALOG = catalog.load()  # sizes, per-engine layouts and regions: the one catalog (do_vocab/catalog.json)
SIZES = {s["slug"]: (s["vcpus"], s["memory"], s["disk"]) for s in CATALOG.database_sizes}  # vcpu, MiB, disk MiB
KAFKA_ACL_PERMISSIONS = ["admin", "consume", "produce", "produceconsume"]
FIREWALL_TYPES = ["ip_addr", "droplet", "k8s", "tag", "app"]
POOL_MODES = ["transaction", "session", "statement"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
EVICTION_POLICIES = ["noeviction", "allkeys_lru", "allkeys_random", "volatile_lru", "volatile_random", "volatile_ttl"]
DEFAULT_SQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")
DEFAULT_CONFIG = {
    "pg": {"autovacuum_naptime": 60, "max_connections": 100, "timezone": "UTC", "log_min_duration_statement": -1},
    "mysql": {"connect_timeout": 10, "default_time_zone": "SYSTEM", "sql_require_primary_key": True,
              "max_allowed_packet": 67108864},
    # with the description's defaults (redis_advanced_config, valkey_advanced_config, mongo_advanced_config)
    "redis": {"redis_maxmemory_policy": "noeviction", "redis_timeout": 300, "redis_ssl": True,
              "redis_lfu_log_factor": 10, "redis_lfu_decay_time": 1, "redis_notify_keyspace_events": "",
              "redis_persistence": "rdb"},
    "valkey": {"valkey_maxmemory_policy": "noeviction", "valkey_timeout": 300, "valkey_ssl": True,
               "valkey_lfu_log_factor": 10, "valkey_lfu_decay_time": 1, "valkey_notify_keyspace_events": "",
               "frequent_snapshots": True, "valkey_active_expire_effort": 1, "valkey_persistence": "rdb"},
    "mongodb": {"default_read_concern": "local", "default_write_concern": "majority",
                "transaction_lifetime_limit_seconds": 60, "slow_op_threshold_ms": 100, "verbosity": 0},
    "kafka": {"auto_create_topics_enable": True, "log_retention_hours": 168},
    "opensearch": {"http_max_content_length_bytes": 100000000},
}
ZERO_TIME = "0001-01-01T00:00:00Z"  # what the provider sends for "not set yet"
