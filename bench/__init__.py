"""`make bench`: figures beside the machine's own limits, written to bench/results.json."""
