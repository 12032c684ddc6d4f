"""A meeting's report (verslag): per table its input and what was done with it."""
