"""Fault injection: what happens when parts fail, processes die and files are hostile."""
