"""Background jobs: one interface with progress, run by RQ on Redis or in-process."""
