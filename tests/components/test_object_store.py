"""ObjectStore: a private bucket with lifecycle rules, CORS, a key scoped to the bucket (secret), an optional CDN."""

from __future__ import annotations

import json

import pytest

from components import CorsRule, ObjectStore, ObjectStoreArgs
from components.object_store import (
    LIFECYCLE_OLD_VERSIONS,
    LIFECYCLE_UPLOADS,
    cdn_certificate_name,
    validate_object_store_args,
)

BASE = ObjectStoreArgs(env="dev", region="nyc3", bucket="acme-dev-objects")


def outputs(store: ObjectStore) -> dict:
    return {"bucket": store.bucket_name, "url": store.url, "access_key_id": store.access_key_id,
            "secret_access_key": store.secret_access_key, "urns": store.project_resources[0],
            "cdn_endpoint": store.cdn_endpoint}


def test_private_bucket_with_scoped_key_and_secret_outputs(run_component, provider_opts):
    run = run_component(lambda: outputs(ObjectStore("objects", BASE, provider_opts())))
    bucket = run.one("SpacesBucket")
    assert bucket.inputs["name"] == "acme-dev-objects" and bucket.inputs["region"] == "nyc3"
    assert bucket.inputs["acl"] == "private"
    assert bucket.inputs["versioning"] == {"enabled": False}
    # Not versioned: only the rule for incomplete uploads (an old-versions rule would never apply).
    assert bucket.inputs["lifecycleRules"] == [{"id": LIFECYCLE_UPLOADS, "enabled": True,
                                                "abortIncompleteMultipartUploadDays": 7}]
    key = run.one("SpacesKey")
    assert key.inputs["grants"] == [{"bucket": "acme-dev-objects", "permission": "readwrite"}]
    assert key.inputs["name"] == "dev-objects-key"
    assert set(run.requests[key.urn].additionalSecretOutputs) == {"accessKey", "secretKey"}
    assert "pulumi:providers:digitalocean::test-provider" in run.provider_of(key)  # inherited from the component
    got = run.returned
    assert got["access_key_id"].secret and got["access_key_id"].value.startswith("DO")
    assert got["secret_access_key"].secret and got["secret_access_key"].value == "mock-spaces-secret"
    assert got["bucket"].value == "acme-dev-objects" and not got["bucket"].secret
    assert got["url"].value == "https://acme-dev-objects.nyc3.digitaloceanspaces.com"
    assert got["urns"].value == "do:space:acme-dev-objects"
    assert got["cdn_endpoint"].value is None
    assert not run.of_type("SpacesBucketCorsConfiguration") and not run.of_type("Cdn")
    assert not run.of_type("SpacesBucketPolicy")


def test_versioned_bucket_expires_old_versions_and_is_protected(run_component):
    args = ObjectStoreArgs(env="prod", region="fra1", bucket="acme-prod-objects", versioning=True,
                           noncurrent_version_days=45, abort_incomplete_upload_days=3, key_permission="read",
                           protect=True)
    run = run_component(lambda: outputs(ObjectStore("objects", args)))
    bucket = run.one("SpacesBucket")
    assert bucket.protect and bucket.inputs["versioning"] == {"enabled": True}
    assert bucket.inputs["lifecycleRules"] == [
        {"id": LIFECYCLE_OLD_VERSIONS, "enabled": True, "noncurrentVersionExpiration": {"days": 45}},
        {"id": LIFECYCLE_UPLOADS, "enabled": True, "abortIncompleteMultipartUploadDays": 3}]
    assert run.one("SpacesKey").inputs["grants"][0]["permission"] == "read"
    assert not run.one("SpacesKey").protect  # keys rotate: never protected with the data


def test_cors_and_policy_are_their_own_resources_under_the_bucket(run_component):
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    args = ObjectStoreArgs(env="dev", region="nyc3", bucket="acme-dev-objects", policy=policy, cors=(
        CorsRule(("https://app.example.com",), ("GET", "PUT"), ("Content-Type",), 600),))
    run = run_component(lambda: outputs(ObjectStore("objects", args)))
    bucket, cors, pol = run.one("SpacesBucket"), run.one("SpacesBucketCorsConfiguration"), run.one("SpacesBucketPolicy")
    assert "corsRules" not in bucket.inputs  # the deprecated in-bucket CORS would not detect drift
    assert cors.parent_urn == bucket.urn and pol.parent_urn == bucket.urn
    assert cors.inputs["corsRules"] == [{"allowedOrigins": ["https://app.example.com"],
                                         "allowedMethods": ["GET", "PUT"], "allowedHeaders": ["Content-Type"],
                                         "maxAgeSeconds": 600}]
    assert cors.inputs["bucket"] == "acme-dev-objects" and pol.inputs["policy"] == policy


def test_cdn_with_custom_subdomain_gets_certificate_and_cname(run_component):
    args = ObjectStoreArgs(env="staging", region="nyc3", bucket="acme-staging-objects", cdn=True, cdn_ttl=600,
                           cdn_subdomain="cdn", zone="staging.example.com")
    run = run_component(lambda: outputs(ObjectStore("objects", args)))
    cdn, cert, cname = run.one("Cdn"), run.one("Certificate"), run.one("DnsRecord")
    assert cdn.inputs["origin"] == "acme-staging-objects.nyc3.digitaloceanspaces.com"
    assert cdn.inputs["customDomain"] == "cdn.staging.example.com" and cdn.inputs["ttl"] == 600
    assert cdn.inputs["certificateName"] == cert.inputs["name"] == cdn_certificate_name(
        "staging", "objects", "cdn.staging.example.com")
    assert cert.inputs["name"].startswith("staging-objects-cdn-cert-")
    assert cert.inputs["type"] == "lets_encrypt" and cert.inputs["domains"] == ["cdn.staging.example.com"]
    assert cname.inputs == {"domain": "staging.example.com", "type": "CNAME", "name": "cdn", "ttl": 300,
                            "value": "acme-staging-objects.nyc3.cdn.digitaloceanspaces.com."}
    assert run.returned["url"].value == "https://cdn.staging.example.com"
    assert run.returned["cdn_endpoint"].value == "acme-staging-objects.nyc3.cdn.digitaloceanspaces.com"


def test_cdn_without_subdomain_serves_its_endpoint(run_component):
    args = ObjectStoreArgs(env="dev", region="ams3", bucket="acme-dev-objects", cdn=True)
    run = run_component(lambda: outputs(ObjectStore("objects", args)))
    assert "customDomain" not in run.one("Cdn").inputs and not run.of_type("Certificate")
    assert run.returned["url"].value == "https://acme-dev-objects.ams3.cdn.digitaloceanspaces.com"


@pytest.mark.parametrize(("change", "message"), [
    ({"region": "nyc1"}, r"\[region\] 'nyc1' has no Spaces; allowed: ams3"),
    ({"bucket": "Acme.Objects"}, r"\[bucket\] 'Acme.Objects' is not a bucket name"),
    ({"acl": "public-read-write"}, r"\[acl\] 'public-read-write' is not allowed; allowed: private, public-read"),
    ({"key_permission": "fullaccess"}, r"\[key_permission\].*allowed: read, readwrite"),
    ({"cdn": True, "cdn_ttl": 5}, r"\[cdn_ttl\] 5 is not allowed; allowed: 60, 600"),
    ({"cdn_subdomain": "cdn", "zone": "example.com"}, r"\[cdn_subdomain\] set without cdn=True"),
    ({"cdn": True, "cdn_subdomain": "cdn"}, r"\[cdn_subdomain\] 'cdn' needs a DNS label \(not @\) and a zone"),
    ({"cors": (CorsRule(("*",), ("PATCH",)),)}, r"\[cors\[0\]\] needs origins and methods from GET"),
])
def test_bad_arguments_name_the_argument(change, message):
    with pytest.raises(ValueError, match=message):
        validate_object_store_args(ObjectStoreArgs(**{**BASE.__dict__, **change}))


def test_a_new_cdn_host_gets_a_certificate_of_another_name():
    """Created before the old one is deleted, the replacement must not reuse its name."""
    assert cdn_certificate_name("prod", "objects", "cdn.example.com") != \
        cdn_certificate_name("prod", "objects", "static.example.com")
