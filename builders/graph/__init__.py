"""The pipeline graph and its checks, without the SageMaker SDK.

`dag.py` is the DAG (topological order from graphlib, cycles refused), `ports.py` the typed
ports step types declare, `wiring.py` resolves each input to a parent's output of its kind,
`validation.py` turns Pydantic errors into Problems per field, `checks.py` reports every
problem of a design (graph, names, values, region, wiring) and `cross_checks.py` the rules
between nodes (payload vs registration formats, inference code vs models); `layout.py`
places nodes on the canvas.
"""
