"""The job runtime: helpers every built-in job script imports (container paths, feature
columns, metrics). Staged with each step type's job/ folder; keep them Python 3.8."""
