"""Walkabout: face-to-face findings held against the IT satisfaction survey."""
