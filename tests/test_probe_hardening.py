"""The hardening probe script stays runnable and its fast groups stay all clear."""

from __future__ import annotations

from benchmarks import probe_hardening


def test_config_and_flag_probes_are_all_clear_errors():
    probes = probe_hardening.config_probes() + probe_hardening.flag_probes()
    assert len(probes) >= 50
    assert [p for p in probes if p.outcome != "clear"] == []


def test_guardrail_bypass_attempts_are_all_caught_and_benign_sources_pass():
    probes = probe_hardening.guardrail_probes()
    assert len([p for p in probes if p.area == "firewall" and not p.name.startswith("benign")]) >= 138
    assert [p for p in probes if p.outcome != "clear"] == []


def test_guardrail_probes_count_a_literal_only_rule_as_bypassed(monkeypatch):
    """The probe can fail: a rule that only knows the literal world ranges lets the split ones through."""
    from do_platform import guardrails

    def literal_only(resource_type, props, ctx, protect=None):
        return [f"{rule}" for rule in props.get("inboundRules", [])
                if {"0.0.0.0/0", "::/0"} & set(rule.get("sourceAddresses", []))]

    monkeypatch.setattr(guardrails, "no_public_admin_ports", literal_only)
    silent = [p for p in probe_hardening.guardrail_probes() if p.area == "firewall" and p.outcome == "silent"]
    assert any("0.0.0.0/1" in p.name for p in silent)
    assert any("::ffff:0.0.0.0/96" in p.name for p in silent)


def test_cleanup_under_faults_and_a_concurrent_retag_keeps_every_index_whole():
    probes = probe_hardening.cleanup_probes(trials=3)
    assert len(probes) == 3
    assert [p for p in probes if p.outcome != "clear"] == []


def test_cleanup_probe_sees_a_broken_index_when_the_plan_is_not_reverified(monkeypatch):
    """The probe can fail: without the re-read before deleting, the re-tagged index loses its child."""
    from do_platform.ops import registry_cleanup

    monkeypatch.setattr(registry_cleanup, "verified_plan", lambda client, registry, repository, manifests, plan,
                        *args, **kwargs: plan)
    probes = probe_hardening.cleanup_probes(trials=3)
    assert any(p.outcome == "silent" and "lost 1 child" in p.detail for p in probes)
