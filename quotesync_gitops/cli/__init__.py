"""The CLI layer: the only place that prints or knows about exit codes."""
