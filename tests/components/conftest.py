"""One recording Mocks for every component test, and a runner that awaits everything before asserting.

Computed outputs and invoke answers (the Kubernetes versions lookup) come from ``do_platform.offline``
so the component tests, the stack tests and ``do-platform plan`` share one fake cloud.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest

from do_platform.offline import PlannedResource, Resolved, answer_invoke, computed_outputs, mock_id, run_with_mocks


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every new resource (type, name, inputs, provider) and every invoke."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        return mock_id(args.typ, args.name), {**args.inputs, **computed_outputs(args.typ, args.name, args.inputs)}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.calls.append((args.token, dict(args.args)))
        return answer_invoke(args.token, args.args)


@dataclass
class ComponentRun:
    """Everything a component registered, after every registration and returned Output has settled."""

    records: list[PlannedResource]
    returned: dict[str, Resolved]
    calls: list[tuple[str, dict[str, Any]]]
    requests: dict[str, Any] = field(default_factory=dict)  # urn -> raw RegisterResourceRequest

    def of_type(self, short: str) -> list[PlannedResource]:
        """Resources whose type ends with ``:<short>`` (``Firewall``, ``Droplet``, ``WebCluster``)."""
        return [r for r in self.records if r.type.rsplit(":", 1)[-1] == short]

    def one(self, short: str) -> PlannedResource:
        found = self.of_type(short)
        assert len(found) == 1, f"expected one {short}, got {[r.name for r in found]}"
        return found[0]

    def named(self, name: str) -> PlannedResource:
        return next(r for r in self.records if r.name == name)

    def ignore_changes(self, record: PlannedResource) -> list[str]:
        return list(self.requests[record.urn].ignoreChanges)

    def provider_of(self, record: PlannedResource) -> str:
        return self.requests[record.urn].provider


TAGGABLE = ("Droplet", "Volume", "DatabaseCluster", "KubernetesCluster", "KubernetesNodePool")


@pytest.fixture
def run_component():
    """``run_component(build)``: build components under fresh mocks; returns a :class:`ComponentRun`."""

    def run(build, *, stack: str = "test", preview: bool = False) -> ComponentRun:
        mocks = RecordingMocks()
        requests: dict[str, Any] = {}
        result = run_with_mocks(build, stack=stack, mocks=mocks, preview=preview,
                                on_register=lambda request, urn: requests.__setitem__(urn, request))
        return ComponentRun(result.records, result.returned, mocks.calls, requests)

    return run


@pytest.fixture
def provider_opts():
    """An explicit provider passed the way the program passes it."""
    import pulumi_digitalocean as do

    def make() -> pulumi.ResourceOptions:
        provider = do.Provider("test-provider", api_endpoint="http://127.0.0.1:8089", http_retry_max=5,
                               requests_per_second=4)
        return pulumi.ResourceOptions(providers={"digitalocean": provider})

    return make
