"""Balance, invoices (the current month's preview) and billing insights, computed from the world (see usage)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from emulator.core import links
from emulator.core.errors import NotFound, Unprocessable, not_found
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

from . import usage

routes = Routes()
INVOICES = "/v2/customers/my/invoices"


def _account(req: Request) -> dict:
    backend = links.optional_neighbour(req.state, "account")
    return backend.get() if backend is not None else {"uuid": "", "name": "", "email": "", "team": {"uuid": ""}}


def _preview(req: Request) -> dict:
    items = usage.lines(req.state)
    return {"invoice_uuid": usage.preview_uuid(req.state, _account(req)["uuid"]), "invoice_id": "preview",
            "amount": usage.money(sum(i.amount for i in items)), "invoice_period": usage.period(req.state),
            "updated_at": req.state.clock.stamp()}


def _invoice_lines(req: Request) -> list[usage.Line]:
    """The invoice's lines: only the current month's preview exists (no month has closed in the emulator)."""
    wanted = req.params["invoice_uuid"]
    if wanted not in ("preview", usage.preview_uuid(req.state, _account(req)["uuid"])):
        raise not_found("invoice", wanted)
    return usage.lines(req.state)


@routes.get("/v2/customers/my/balance")
def balance_get(req: Request):
    used = usage.money(sum(i.amount for i in usage.lines(req.state)))
    return {"month_to_date_balance": used, "account_balance": "0.00", "month_to_date_usage": used,
            "generated_at": req.state.clock.stamp()}


@routes.get("/v2/customers/my/billing_history")
def billing_history_list(req: Request):
    """No month has closed, no payment was made: an account's history starts empty."""
    body = paginate(req, [], "billing_history")
    body["meta"] = {"total": 0}
    return body


@routes.get(INVOICES)
def invoices_list(req: Request):
    return paginate(req, [], "invoices", extra={"invoice_preview": _preview(req)})


@routes.get(INVOICES + "/{invoice_uuid}")
def invoices_get(req: Request):
    return paginate(req, [usage.item_view(i) for i in _invoice_lines(req)], "invoice_items")


@routes.get(INVOICES + "/{invoice_uuid}/csv")
def invoices_get_csv(req: Request):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["product", "group_description", "description", "hours", "start", "end", "USD", "project_name"])
    for item in map(usage.item_view, _invoice_lines(req)):
        writer.writerow([item["product"], item["group_description"], item["description"], item["duration"],
                         item["start_time"], item["end_time"], item["amount"], item["project_name"]])
    return Reply(200, out.getvalue(), content_type="text/csv; charset=utf-8")


@routes.get(INVOICES + "/{invoice_uuid}/pdf")
def invoices_get_pdf(req: Request):
    lines = _invoice_lines(req)
    text = f"Invoice preview {usage.period(req.state)}: USD {usage.money(sum(i.amount for i in lines))}"
    return Reply(200, _pdf(text), content_type="application/pdf")


@routes.get(INVOICES + "/{invoice_uuid}/summary")
def invoices_get_summary(req: Request):
    lines = _invoice_lines(req)
    account = _account(req)
    groups: dict[str, list[usage.Line]] = {}
    for line in lines:
        groups.setdefault(line.product, []).append(line)
    total = usage.money(sum(i.amount for i in lines))
    return {"invoice_uuid": usage.preview_uuid(req.state, account["uuid"]), "invoice_id": "preview",
            "billing_period": usage.period(req.state), "amount": total, "user_name": account.get("name", ""),
            "user_company": (account.get("team") or {}).get("name", ""), "user_email": account.get("email", ""),
            "product_charges": {"name": "Product usage charges", "amount": total, "items": [
                {"name": name, "amount": usage.money(sum(i.amount for i in items)), "count": str(len(items))}
                for name, items in sorted(groups.items())]},
            "overages": {"name": "Overages", "amount": "0.00"}, "taxes": {"name": "Taxes", "amount": "0.00"},
            "credits_and_adjustments": {"name": "Credits & adjustments", "amount": "0.00"}}


@routes.get("/v2/billing/{account_urn}/insights/{start_date}/{end_date}")
def billing_insights_list(req: Request):
    """One data point per billable resource and day of the window (``YYYY-MM-DD``, both included)."""
    team = (_account(req).get("team") or {}).get("uuid", "")
    if req.params["account_urn"] != f"do:team:{team}":
        raise NotFound(f"account_urn {req.params['account_urn']!r} is not this account (do:team:{team})")
    try:
        start, end = (date.fromisoformat(req.params[k]) for k in ("start_date", "end_date"))
    except ValueError:
        raise Unprocessable("start_date and end_date must be dates YYYY-MM-DD") from None
    if end < start:
        raise Unprocessable(f"end_date {end} is before start_date {start}")
    points = []
    for line in usage.lines(req.state):
        day = max(start, line.start.date())
        while day <= min(end, line.end.date()):
            points.append({"usage_team_urn": f"do:team:{team}", "start_date": day.isoformat(),
                           "total_amount": usage.money(line.monthly / 28), "region": line.region, "sku": line.sku,
                           "description": line.name, "group_description": ""})
            day += timedelta(days=1)
    page, per_page = req.int_arg("page", 1), req.int_arg("per_page", 20)
    if page < 1 or not 1 <= per_page <= 200:
        raise Unprocessable("page must be >= 1 and per_page within 1..200")
    return {"data_points": points[(page - 1) * per_page:page * per_page], "total_items": len(points),
            "total_pages": max(1, -(-len(points) // per_page)), "current_page": page}


def _pdf(text: str) -> bytes:
    """A one-page PDF carrying ``text`` (a real PDF: readers open it)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
