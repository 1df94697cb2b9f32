"""The job script of this step type, staged with builders/scripts/; keep it Python 3.8."""
