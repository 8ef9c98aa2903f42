"""Pure session rules: no I/O, only the standard library (a test enforces it)."""


class RuleError(Exception):
    """An action the rules refuse; the message says what was expected and what was found."""
