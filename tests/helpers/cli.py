"""The CLI under test: a fixed terminal width so tables are not wrapped, and no colour codes."""

WIDE = {"COLUMNS": "200", "NO_COLOR": "1"}
