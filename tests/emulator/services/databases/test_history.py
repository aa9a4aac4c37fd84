"""A cluster's backups as the DigitalOcean Terraform provider's backup-restore test waits for them."""

from datetime import UTC, datetime

import httpx

from tests.helpers.emulator import TEST_TOKEN

PG = {"name": "pg-original", "engine": "pg", "version": "15", "region": "nyc1", "size": "db-s-1vcpu-2gb",
      "num_nodes": 1}


def test_the_first_backup_is_taken_once_the_cluster_is_online(emulator, client):
    """The provider's WithBackupRestore test polls the backups (through 412s) until there is one to restore
    from; a cluster made a minute ago had none, so the restore never started."""
    emulator.state.clock.freeze(datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    emulator.control.configure(lifecycle_delay=20)
    cluster = client.databases.create_cluster(PG)["database"]
    early = httpx.get(f"{emulator.url}/v2/databases/{cluster['id']}/backups",
                      headers={"Authorization": f"Bearer {TEST_TOKEN}"})
    assert early.status_code == 412 and "no backup yet" in early.json()["message"]
    emulator.state.clock.advance(21)
    backups = client.databases.list_backups(cluster["id"])["backups"]
    assert [b["created_at"] for b in backups] == ["2026-03-01T09:30:00Z"]
    restored = client.databases.create_cluster({**PG, "name": "pg-restored", "backup_restore": {
        "database_name": "pg-original", "backup_created_at": backups[0]["created_at"]}})["database"]
    assert restored["status"] == "creating"
