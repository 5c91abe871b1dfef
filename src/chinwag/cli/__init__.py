"""The chinwag command line."""
