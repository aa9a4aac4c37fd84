"""Database log sinks as the DigitalOcean Terraform provider's acceptance suite makes them (through PyDo)."""

import pytest
from azure.core.exceptions import HttpResponseError

RSYSLOG = {"sink_name": "logs", "sink_type": "rsyslog",
           "config": {"server": "192.168.1.100", "port": 514, "format": "rfc5424"}}


def test_a_mongodb_cluster_takes_no_rsyslog_sink(client):
    """The provider's LogsinkRsyslog_MongoDB_ShouldFail test expects "log sink not supported"."""
    mongo = client.databases.create_cluster({"name": "mongo", "engine": "mongodb", "version": "7",
                                             "region": "nyc1", "size": "db-s-1vcpu-1gb", "num_nodes": 1})["database"]
    with pytest.raises(HttpResponseError) as err:
        client.databases.create_logsink(mongo["id"], RSYSLOG)
    assert err.value.status_code == 422 and "log sink not supported" in err.value.response.json()["message"]
