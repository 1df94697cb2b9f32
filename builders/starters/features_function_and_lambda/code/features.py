"""Features for the fraud model, as a function step: the step calls `add_features` with the
folders of its inputs (`data`, headerless CSV, and `signature`, its column names, from a
data loading step) and the folder its `features` output is made of."""

from pathlib import Path

import pandas as pd


def add_features(data: str, signature: str, features: str, amount_cap: float = 5000.0) -> dict:
    """Every CSV under `data`, with two more columns, as one CSV with a header in `features`."""
    columns = (Path(signature) / "signature").read_text().strip().split(",")
    files = sorted(Path(data).rglob("*.csv"))
    if not files:
        raise ValueError(f"No CSV files under {data}: connect a data loading step.")
    frame = pd.concat([pd.read_csv(path, header=None, names=columns) for path in files])
    frame["amount"] = frame["amount"].clip(upper=amount_cap)
    frame["amount_per_transaction"] = frame["amount"] / (frame["transaction_count"] + 1)
    frame["young_account"] = (frame["account_age"] < 90).astype(int)
    frame.to_csv(Path(features) / "features.csv", index=False)
    return {"rows": len(frame), "columns": list(frame.columns)}
