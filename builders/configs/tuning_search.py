"""How a tuning job sets each hyperparameter: fixed, a range, or a list of values to try.

`search_space(hyperparameters_class, names)` makes the form's model: one group per tunable
hyperparameter, typed after the hyperparameter's own field, so its bounds and choices hold
for the range too (an `eta` range cannot go above 1, a `tree_method` list offers the
methods). A number offers a range (continuous or integer, with the scaling SageMaker allows
for it) or values; a choice offers values. "fixed" keeps the value under Hyperparameters.
"""

from __future__ import annotations

import functools
import typing
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from builders.configs.fields import unwrap
from builders.configs.form_schema import form_modes
from builders.configs.types import FieldRuleError

FIXED, RANGE, VALUES = "fixed", "range", "values"
MAX_VALUES = 30  # SageMaker's ParameterValues: at most 30 values per hyperparameter
Scaling = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]
IntegerScaling = Literal["Auto", "Linear", "Logarithmic"]  # reverse-log is continuous only


class Search(BaseModel):
    """A hyperparameter's search: `search` (fixed, range or values), `values` and, for a
    number, `min_value`, `max_value` and `scaling`. The fields are made per hyperparameter
    (`_search_class`), in the form's order, typed after the hyperparameter; the rules that
    hold for all of them are here."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)
    KIND: ClassVar[str]  # "continuous", "integer" or "categorical": SageMaker's range kinds

    @property
    def searched(self) -> bool:
        return self.search != FIXED

    @model_validator(mode="after")
    def _check_values(self) -> Search:
        if self.search == VALUES:
            if not self.values:
                raise FieldRuleError("values", "lists no value: add the values to try")
            if len({str(v) for v in self.values}) != len(self.values):
                raise FieldRuleError("values", "lists a value twice")
        return self


class NumberSearch(Search):
    """A number: a range from min to max, or values."""

    model_config = ConfigDict(
        json_schema_extra=form_modes(
            search={"range": ("min_value", "max_value", "scaling"), "values": ("values",)}
        )
    )

    @model_validator(mode="after")
    def _check_range(self) -> NumberSearch:
        if self.search != RANGE:
            return self
        for name in ("min_value", "max_value"):
            if getattr(self, name) is None:
                raise FieldRuleError(name, "is required for a range")
        if self.min_value >= self.max_value:
            raise FieldRuleError("max_value", f"must be more than the minimum {self.min_value}")
        if self.scaling == "Logarithmic" and self.min_value <= 0:
            raise FieldRuleError(
                "min_value", "must be more than 0 for Logarithmic scaling (SageMaker's rule)"
            )
        if self.scaling == "ReverseLogarithmic" and not (0 <= self.min_value < self.max_value < 1):
            raise FieldRuleError(
                "scaling",
                "ReverseLogarithmic works for ranges within 0 <= x < 1 only (SageMaker's rule)",
            )
        return self


class ContinuousSearch(NumberSearch):
    KIND: ClassVar[str] = "continuous"


class IntegerSearch(NumberSearch):
    KIND: ClassVar[str] = "integer"


class ChoiceSearch(Search):
    KIND: ClassVar[str] = "categorical"
    model_config = ConfigDict(json_schema_extra=form_modes(search={"values": ("values",)}))


_SEARCH_HELP = (
    "fixed: the value under Hyperparameters; range: any value from the minimum to the "
    "maximum; values: the tuning job tries each listed value."
)
_SCALING_HELP = (
    "How the range is searched: Linear, Logarithmic (for ranges over several orders of "
    "magnitude, above 0), ReverseLogarithmic (for values close to 1); Auto lets SageMaker "
    "choose."
)


@functools.cache
def search_space(hyperparameters: type[BaseModel], names: tuple[str, ...]) -> type[BaseModel]:
    """The form's model: a search group for each of `names`, fields of `hyperparameters`."""
    fields: dict[str, Any] = {}
    for name in names:
        info = hyperparameters.model_fields[name]
        group = _search_class(hyperparameters.__name__, name, info.annotation, info.metadata)
        fields[name] = (
            group,
            Field(default_factory=group, description=f"How the tuning job sets {name}."),
        )
    return create_model(
        hyperparameters.__name__.replace("Hyperparameters", "Search"),
        __config__=ConfigDict(extra="forbid", validate_assignment=True),
        __doc__=f"How the tuning job sets each hyperparameter of {hyperparameters.__name__}.",
        **fields,
    )


def _search_class(owner: str, name: str, annotation: Any, metadata: list) -> type[Search]:
    core, _, inner = unwrap(annotation)
    bounds = [item for item in [*metadata, *inner] if _is_bound(item)]
    value = Annotated[(core, *bounds)] if bounds else core  # the hyperparameter's own rules
    title = "".join(part.title() for part in name.split("_"))
    if typing.get_origin(core) is Literal:
        return create_model(
            f"{title}Search",
            __base__=ChoiceSearch,
            __module__=__name__,
            search=(Literal["fixed", "values"], Field(FIXED, description=_SEARCH_HELP)),
            values=(
                list[core],
                Field([], max_length=MAX_VALUES, description="The values to try."),
            ),
        )
    if core not in (int, float):
        raise TypeError(f"{owner}.{name} is neither a number nor a choice: it cannot be tuned")
    base, scaling = (IntegerSearch, IntegerScaling) if core is int else (ContinuousSearch, Scaling)
    return create_model(
        f"{title}Search",
        __base__=base,
        __module__=__name__,
        search=(Literal["fixed", "range", "values"], Field(FIXED, description=_SEARCH_HELP)),
        min_value=(value | None, Field(None, description="Smallest value of the range.")),
        max_value=(value | None, Field(None, description="Largest value of the range.")),
        scaling=(scaling, Field("Auto", description=_SCALING_HELP)),
        values=(list[value], Field([], max_length=MAX_VALUES, description="The values to try.")),
    )


def _is_bound(item: Any) -> bool:
    return any(getattr(item, bound, None) is not None for bound in ("ge", "gt", "le", "lt"))


def searched(space: BaseModel) -> dict[str, Search]:
    """The hyperparameters the tuning job searches, by name, in the form's order."""
    return {
        name: group for name in type(space).model_fields if (group := getattr(space, name)).searched
    }
