"""Consultations: meetings, comment periods (ter inzage), input and answers."""
