"""The anonymised summary: one Summary object, rendered as Markdown and JSON."""
