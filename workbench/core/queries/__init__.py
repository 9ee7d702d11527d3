"""Read-only queries the UI (and the CLI) run against a workbook; they return plain objects."""
