"""Pure session rules: no I/O, only the standard library (a test enforces it)."""


class RuleError(Exception):
    """An action the rules refuse: a catalogue key and the facts (expected, found) that fill it in.

    The words live in app/i18n (`refusal.<key>`), so each person reads the refusal in their own
    language; the domain only names what it expected and what it found.
    """

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        facts = ", ".join(f"{name}={value}" for name, value in self.params.items())
        return f"{self.key}({facts})"
