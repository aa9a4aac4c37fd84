"""One emulator tag managed by a dynamic resource through the project's PyDo client factory.

It needs no provider plugin, so it proves the parts of the offline engine that exist everywhere: the CLI,
the Python language host, dynamic providers, secret config (the API token) and the file:// backend.
"""

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider


class TagProvider(ResourceProvider):
    """Creates and deletes a tag; a new name replaces it."""

    @staticmethod
    def _client(props):
        from do_platform.api.client import make_client

        return make_client(token=props["token"], endpoint=props["endpoint"], retry_backoff_factor=0.01)

    def create(self, props):
        self._client(props).tags.create({"name": props["name"]})
        return CreateResult(id_=props["name"], outs=dict(props))

    def diff(self, _id, olds, news):
        replaces = ["name"] if olds.get("name") != news.get("name") else []
        changes = replaces or [k for k in ("endpoint", "token") if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changes), replaces=replaces, delete_before_replace=True)

    def delete(self, _id, props):
        self._client(props).tags.delete(tag_id=props["name"])


class EmulatorTag(Resource):
    name: pulumi.Output[str]

    def __init__(self, resource_name, name, endpoint, token, opts=None):
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["token"]))
        super().__init__(TagProvider(), resource_name, {"name": name, "endpoint": endpoint, "token": token}, opts)


config = pulumi.Config()
tag = EmulatorTag("tag", config.require("tagName"), config.require("endpoint"), config.require_secret("token"))
pulumi.export("tag", tag.name)
pulumi.export("stack", pulumi.get_stack())
