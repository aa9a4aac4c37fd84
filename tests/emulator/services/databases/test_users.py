"""Database users as the DigitalOcean Terraform provider's acceptance suite reads them (through PyDo)."""

import base64

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.helpers.emulator import TEST_TOKEN

KAFKA = {"name": "kafka-main", "engine": "kafka", "version": "3.7", "region": "nyc1", "size": "gd-2vcpu-8gb",
         "num_nodes": 3}
AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}
ACL = [{"topic": "topic-1", "permission": "admin"}, {"topic": "topic-*", "permission": "consume"}]


def test_a_kafka_user_gets_a_client_certificate_the_clusters_ca_issued(client):
    """The provider's User_KafkaACLs test checks access_cert and access_key are set."""
    cluster = client.databases.create_cluster(KAFKA)["database"]
    user = client.databases.add_user(cluster["id"], {"name": "app", "settings": {"acl": ACL}})["user"]
    cert = x509.load_pem_x509_certificate(user["access_cert"].encode())
    key = serialization.load_pem_private_key(user["access_key"].encode(), password=None)
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    ca = x509.load_pem_x509_certificate(base64.b64decode(client.databases.get_ca(cluster["id"])["ca"]["certificate"]))
    cert.verify_directly_issued_by(ca)
    assert client.databases.get_user(cluster["id"], "app")["user"]["access_cert"] == user["access_cert"]


def test_kafka_acls_get_ids_that_an_update_keeps(emulator, client):
    cluster = client.databases.create_cluster(KAFKA)["database"]
    user = client.databases.add_user(cluster["id"], {"name": "app", "settings": {"acl": ACL}})["user"]
    ids = [a["id"] for a in user["settings"]["acl"]]
    assert all(ids) and len(set(ids)) == 2
    updated = client.databases.update_user(cluster["id"], "app", {"settings": {"acl": [
        *ACL, {"topic": "topic-2", "permission": "produce"}]}})["user"]
    assert [a["id"] for a in updated["settings"]["acl"]][:2] == ids
    # (PyDo's update_user does not raise on a 422, so the refusal is read over plain HTTP)
    refused = httpx.put(f"{emulator.url}/v2/databases/{cluster['id']}/users/app", headers=AUTH,
                        json={"settings": {"acl": [{"topic": "t", "permission": "x"}]}})
    assert refused.status_code == 422 and "settings.acl[0].permission" in refused.json()["message"]


def test_other_engines_users_have_no_client_certificate(client):
    pg = client.databases.create_cluster({**KAFKA, "name": "pg-main", "engine": "pg", "version": "16",
                                          "size": "db-s-1vcpu-1gb", "num_nodes": 1})["database"]
    assert "access_cert" not in client.databases.add_user(pg["id"], {"name": "app"})["user"]
