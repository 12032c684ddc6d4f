"""The append-only audit trail and the one ``audit(...)`` service every feature uses."""
