"""Sparring: live dilemma sessions for Danish public administration."""
