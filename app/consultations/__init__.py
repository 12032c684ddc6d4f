"""Consultations: meetings and comment periods (ter inzage) of a plan, with what came out of
them in sub-packages by subject — ``inputs`` (input, answers, attachments), ``feedback``
(letters to participants) and ``nota`` (the nota van beantwoording). See
docs/consultations.md, "Where the code lives"."""
