"""Data files shipped with do-platform (the bundled, dated price table)."""
