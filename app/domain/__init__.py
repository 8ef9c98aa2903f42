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

    @property
    def status(self) -> int:
        """404: what was asked for does not exist ("none.*": a code, a slug); 403: it exists but
        is another facilitator's ("access.*"); 400: the rules refuse it."""
        if self.key.startswith("none."):
            return 404
        return 403 if self.key.startswith("access.") else 400

    @property
    def in_form(self) -> bool:
        """Shown beside the form that asked (else on an error page of its own)."""
        return self.status == 400

    def __str__(self) -> str:
        facts = ", ".join(f"{name}={value}" for name, value in self.params.items())
        return f"{self.key}({facts})"
