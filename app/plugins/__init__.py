"""Plugin runtime: discovery of municipality plugins through the ``koers.plugins`` entry points."""
