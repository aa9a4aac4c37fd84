"""The MCP result models restate the rows of the operations' ``--json`` documents (the server does not import
the operations at start: ``ops.status`` brings in Pulumi). This holds the two declarations together."""

import dataclasses

import pytest

from do_platform.mcp_server import results
from do_platform.ops import plan, preflight, status


@pytest.mark.parametrize(("row", "model"), [
    (plan.PlanResource, results.PlanResourceResult),
    (plan.PlanComponent, results.PlanComponentResult),
    (preflight.Check, results.CheckResult),
    (status.ResourceStatus, results.ResourceStatusResult),
])
def test_each_result_model_declares_every_field_of_the_row_it_publishes(row, model):
    assert [f.name for f in dataclasses.fields(row)] == list(model.model_fields)
