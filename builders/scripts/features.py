"""The features a model trained by xgboost_train.py reads, in the order it reads them.

The training script orders the model's features with this function, and the designer checks
payload samples against it, so a sample request is one the model can score.
Runs inside SageMaker containers too: Python 3.8 and the standard library only.
"""

from __future__ import annotations

import math


def feature_columns(settings: dict) -> tuple:
    """(features in model order, the categorical ones). Defaults to every non-label column."""
    categorical = list(settings.get("cat_field_list") or [])
    numeric = list(settings.get("tab_field_list") or [])
    if numeric or categorical:
        return numeric + categorical, categorical
    excluded = {settings["label_name"], settings.get("id_name")}
    return [name for name in settings["full_field_list"] if name not in excluded], []


def value_key(value: object) -> str:
    """A value as a comparable string: 1, 1.0 and "1" all become "1". Categories and class
    labels are told apart by it, when training and when scoring."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    if math.isfinite(number) and number.is_integer():
        return str(int(number))
    return text
