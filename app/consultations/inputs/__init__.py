"""Input of a consultation: inputs with their themes, co-signatories and attachments, and the
answers that cover them. Layers: ``views`` → ``forms`` → ``services``, ``answers``,
``attachments`` (the rules) → ``models``."""
