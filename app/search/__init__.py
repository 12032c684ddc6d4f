"""Search everywhere: one full-text index over plans, sections, themes, actions, consultations,
inputs, answers and stakeholders, with Dutch stemming and accents ignored.

``text`` folds and stems (the same on both databases), ``models`` holds the index table,
``backends`` speaks PostgreSQL (``dutch`` text search) or SQLite (FTS5), ``indexing`` keeps the
index current from a session event, ``inputs`` is the helper other areas use to filter inputs.
See docs/search.md."""
