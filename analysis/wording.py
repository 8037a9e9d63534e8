"""How the flags' evidence sentences write their numbers."""


def pct(value: float) -> str:
    return f"{round(value * 100):.0f}%"


def points(value: float) -> str:
    return f"{abs(round(value)):.0f}"


# A flag as the report's reader reads it (the codes are the contract's, in CSV and JSON).
FLAG_WORDS = {"non_response_bias": "non-response bias", "im_fine": "I'm fine"}


def flag_name(code: str) -> str:
    return FLAG_WORDS.get(code, code.replace("_", " "))
