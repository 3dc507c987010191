"""The instructor's command line of the gradient-checking course: ``python -m course --help``."""
