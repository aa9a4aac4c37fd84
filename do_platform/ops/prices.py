"""``prices check``: the bundled price table against what the API prices today.

Three families have a price API: Droplet sizes (``/v2/sizes``), App Platform instance sizes
(``/v2/apps/tiers/instance_sizes``) and registry tiers (``/v2/registries/options``). Drift is a price that
differs, a slug the table has and the API no longer lists, or one the API lists that the table lacks; the
fix is an edit of ``do_vocab/catalog.json`` (Droplet and app sizes) or ``do_platform/data/prices.json``
(registry tiers), with a new ``as_of``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from do_platform import pricing
from do_platform.errors import from_http_error

# Where each family's bundled figures live, for the message that says what to edit.
BUNDLED_FILE = {"droplet_sizes": "do_vocab/catalog.json", "app_instance_sizes": "do_vocab/catalog.json",
                "registry_tiers": "do_platform/data/prices.json"}
ENDPOINT = {"droplet_sizes": "/v2/sizes", "app_instance_sizes": "/v2/apps/tiers/instance_sizes",
            "registry_tiers": "/v2/registries/options"}


@dataclass
class Drift:
    family: str
    slug: str
    bundled: float | None  # None: the API lists a slug the table lacks
    live: float | None  # None: the table has a slug the API no longer lists

    @property
    def kind(self) -> str:
        if self.bundled is None:
            return "new"
        return "gone" if self.live is None else "changed"


@dataclass
class PriceCheck:
    as_of: str
    drift: list[Drift] = field(default_factory=list)
    compared: dict[str, int] = field(default_factory=dict)  # family -> slugs compared

    @property
    def clean(self) -> bool:
        return not self.drift

    def to_json(self) -> dict:
        return {"as_of": self.as_of, "clean": self.clean, "compared": self.compared,
                "drift": [{**asdict(d), "kind": d.kind, "edit": BUNDLED_FILE[d.family]} for d in self.drift]}


def _family(table: pricing.PriceTable, family: str) -> dict[str, float]:
    return getattr(table, family)


def check(client, table: pricing.PriceTable | None = None) -> PriceCheck:
    """Compare ``table`` (the bundled one by default) with the API; an API failure is raised, not guessed."""
    table = table or pricing.load_bundled()
    try:
        live = pricing.fetch_live(client)
    except Exception as exc:  # noqa: BLE001 - PyDo/azure errors: one message naming what failed
        raise from_http_error(exc, "price check") from exc
    result = PriceCheck(as_of=table.as_of)
    for family in pricing.LIVE_FAMILIES:
        bundled, api = _family(table, family), live[family]
        result.compared[family] = len(set(bundled) | set(api))
        for slug in sorted(set(bundled) | set(api)):
            b, a = bundled.get(slug), api.get(slug)
            if b is None or a is None or abs(b - a) > 0.005:
                result.drift.append(Drift(family, slug, b, a))
    return result
