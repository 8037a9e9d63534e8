"""Reading the files users bring: CSV in any of its usual encodings, and XLSX."""
