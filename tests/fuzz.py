"""`make fuzz`: the schemathesis test with many more examples per operation."""

import os
import sys

import pytest

if __name__ == "__main__":
    os.environ.setdefault("FUZZ_EXAMPLES", "200")
    sys.exit(pytest.main(["-q", "tests/test_fuzz.py"]))
