"""The local S3 server that stands in for Spaces (no engine needed): the AWS SDK's virtual-host requests reach it.

The provider's SDK (AWS SDK for Go v1) puts the bucket in the host name; boto3 with ``addressing_style=virtual``
sends the same requests, through the same proxy setting the engine gets (``engine_environment``).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from do_platform.engine.spaces_server import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, buckets, engine_environment


def client(port: int, *, proxied: bool):
    env = engine_environment(port)
    return boto3.client(
        "s3", endpoint_url=env["SPACES_ENDPOINT_URL"], region_name="us-east-1", aws_access_key_id=LOCAL_ACCESS_KEY,
        aws_secret_access_key=LOCAL_SECRET_KEY,
        config=Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1},
                      proxies={"http": env["HTTP_PROXY"]} if proxied else {}))


def test_virtual_host_requests_reach_the_server_through_its_proxy_setting(spaces):
    port = spaces
    s3 = client(port, proxied=True)
    s3.create_bucket(Bucket="acme-assets")
    s3.put_bucket_versioning(Bucket="acme-assets", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket="acme-assets", LifecycleConfiguration={"Rules": [
        {"ID": "abort-incomplete-uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]})
    s3.put_object(Bucket="acme-assets", Key="a.txt", Body=b"one")
    s3.put_object(Bucket="acme-assets", Key="a.txt", Body=b"two")
    assert s3.get_object(Bucket="acme-assets", Key="a.txt")["Body"].read() == b"two"
    assert len(s3.list_object_versions(Bucket="acme-assets")["Versions"]) == 2
    rules = s3.get_bucket_lifecycle_configuration(Bucket="acme-assets")["Rules"]
    assert rules[0]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert buckets(port) == ["acme-assets"]


def test_without_the_proxy_the_bucket_host_does_not_resolve(spaces):
    """Why the engine gets HTTP_PROXY: ``<bucket>.localhost`` is not a name this machine's resolver knows."""
    from botocore.exceptions import EndpointConnectionError

    with pytest.raises(EndpointConnectionError):
        client(spaces, proxied=False).create_bucket(Bucket="acme-direct")


def test_the_proxy_leaves_loopback_literals_alone():
    env = engine_environment(8090)
    assert env["NO_PROXY"] == "127.0.0.1,::1" and "localhost" not in env["NO_PROXY"]
    assert env["SPACES_ENDPOINT_URL"] == "http://localhost:8090" and env["HTTP_PROXY"] == "http://127.0.0.1:8090"
