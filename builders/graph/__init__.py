"""The pipeline graph and its checks, without the SageMaker SDK.

`dag.py` is the DAG (topological order from graphlib, cycles refused), `wiring.py` resolves
each input to a parent's output of its kind (the ports step types declare, builders/ports.py),
`validation.py` turns Pydantic errors into Problems per field, `checks.py` reports every
problem of a design (graph, names, values, region, wiring) and `cross_checks.py` compares
what connected nodes declare (features, content types, inference code, metrics), naming no
step type; `layout.py` places nodes on the canvas.
"""
