"""The nota van beantwoording: what it says (``content``), its three formats (``render``),
generating and storing it as a background job (``jobs``), and its pages (``views``)."""
