"""Terugkoppeling: mailings of a consultation, with a letter per participant. Layers:
``views`` → ``forms`` → ``services`` → ``models``."""
