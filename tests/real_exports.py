"""The real exports in tests/data/real (sources and licences in SOURCES.md): where they are,
the ones several tests read, and the command line that imports them."""

import sys
from pathlib import Path

REAL = Path(__file__).parent / "data" / "real"
WALKABOUT = [sys.executable, "-m", "app.cli"]

LIME = "limesurvey-limonaid-998192.csv"
FLYING = "surveymonkey-fivethirtyeight-flying-etiquette-first-20.csv"
STEAK = "surveymonkey-fivethirtyeight-steak-first-20.csv"
SALARY = "googleforms-askamanager-salary-2021-first-20.csv"
RUDE = ['["Yes, very rude", "Yes, somewhat rude", "No, not rude at all"]',
        '["Yes, very rude", "Yes, somewhat rude", "No, not at all rude"]']  # fmt: skip
