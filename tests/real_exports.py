"""The real exports in tests/data/real (sources and licences in SOURCES.md): where they are,
the ones several tests read, and the API call that imports them."""

from pathlib import Path

import httpx
from fastapi.testclient import TestClient

REAL = Path(__file__).parent / "data" / "real"

LIME = "limesurvey-limonaid-998192.csv"
FLYING = "surveymonkey-fivethirtyeight-flying-etiquette-first-20.csv"
STEAK = "surveymonkey-fivethirtyeight-steak-first-20.csv"
SALARY = "googleforms-askamanager-salary-2021-first-20.csv"
RUDE = ['["Yes, very rude", "Yes, somewhat rude", "No, not rude at all"]',
        '["Yes, very rude", "Yes, somewhat rude", "No, not at all rude"]']  # fmt: skip


def import_over_api(
    client: TestClient, token: str, survey: str, file: str, form: dict
) -> httpx.Response:
    """A real export sent to the survey import API as an analyst's script would send it."""
    with (REAL / file).open("rb") as handle:
        return client.post(
            f"/api/v1/surveys/{survey}/import",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": (file, handle, "text/csv")},
            data=form,
        )
