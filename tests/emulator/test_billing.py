"""Billing computed from the world: balance, the month's invoice preview and items, CSV/PDF, insights."""

from datetime import UTC, datetime

import httpx
import pytest

AUTH = {"Authorization": "Bearer billing"}


@pytest.fixture
def world(emulator, client):
    """Frozen at noon on the 11th: a droplet made on the 1st at midnight has run 252 hours."""
    emulator.state.clock.freeze(datetime(2026, 3, 1, tzinfo=UTC))
    client.droplets.create({"name": "web", "region": "nyc3", "size": "s-2vcpu-4gb", "image": "ubuntu-24-04-x64"})
    client.volumes.create({"name": "data", "region": "nyc3", "size_gigabytes": 100})
    emulator.state.clock.advance(10.5 * 86400)
    return emulator


def test_balance_is_the_month_to_date_usage(world, client):
    balance = client.balance.get()
    # droplet: 252 h × $24/672 = $9.00; volume: 252 h × $10/672 = $3.75
    assert balance["month_to_date_usage"] == "12.75" and balance["month_to_date_balance"] == "12.75"
    assert balance["account_balance"] == "0.00"


def test_invoice_preview_items_summary_csv_and_pdf(world, client):
    listed = client.invoices.list()
    assert listed["invoices"] == [] and listed["invoice_preview"]["amount"] == "12.75"
    assert listed["invoice_preview"]["invoice_period"] == "2026-03"
    uuid = listed["invoice_preview"]["invoice_uuid"]
    items = client.invoices.get_by_uuid(uuid)["invoice_items"]
    assert sorted((i["product"], i["amount"], i["duration"]) for i in items) == [
        ("Droplets", "9.00", "252"), ("Volumes", "3.75", "252")]
    summary = client.invoices.get_summary_by_uuid(uuid)
    assert summary["amount"] == "12.75" and {i["name"] for i in summary["product_charges"]["items"]} == {
        "Droplets", "Volumes"}
    http = httpx.Client(base_url=world.url, headers=AUTH)
    csv_text = http.get(f"/v2/customers/my/invoices/{uuid}/csv").text
    assert csv_text.splitlines()[0].startswith("product,") and len(csv_text.splitlines()) == 3
    pdf = http.get("/v2/customers/my/invoices/preview/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-1.4")
    assert http.get("/v2/customers/my/invoices/nope").status_code == 404


def test_usage_is_capped_at_the_monthly_price(world, client):
    world.state.clock.advance(20 * 86400)  # the 31st: 732 hours, past the 672-hour cap
    assert client.balance.get()["month_to_date_usage"] == "34.00"


def test_insights_one_point_per_resource_and_day(world, client):
    team = client.account.get()["account"]["team"]["uuid"]
    insights = client.billing_insights.list(f"do:team:{team}", "2026-03-01", "2026-03-03")
    assert insights["total_items"] == 6 and {p["region"] for p in insights["data_points"]} == {"nyc3"}
    http = httpx.Client(base_url=world.url, headers=AUTH)
    assert http.get("/v2/billing/do:team:other/insights/2026-03-01/2026-03-03").status_code == 404
    assert http.get(f"/v2/billing/do:team:{team}/insights/2026-03-03/2026-03-01").status_code == 422


def test_history_starts_empty(client):
    assert client.billing_history.list()["billing_history"] == []
