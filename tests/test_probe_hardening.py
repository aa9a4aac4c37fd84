"""The hardening probe script stays runnable and its fast groups stay all clear."""

from __future__ import annotations

from benchmarks import probe_hardening


def test_config_and_flag_probes_are_all_clear_errors():
    probes = probe_hardening.config_probes() + probe_hardening.flag_probes()
    assert len(probes) >= 50
    assert [p for p in probes if p.outcome != "clear"] == []
