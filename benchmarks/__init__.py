"""Benchmarks: each ``bench_*.py`` runs as ``python -m benchmarks.bench_<name>`` and prints its figures."""
