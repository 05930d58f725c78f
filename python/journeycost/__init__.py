"""journeycost: cost a person's journey through public services, exactly, and compare the old
way of working with the new.

Money is :class:`decimal.Decimal` and dates are :class:`datetime.date` on both sides of the
boundary; tables leave through the Arrow PyCapsule interface with money as ``decimal128``
columns, and ``to_pandas()``, ``to_polars()`` and ``to_arrow()`` keep them exact.

>>> import journeycost
>>> anna = journeycost.Scenario.load("examples/anna/scenario.toml")
>>> c = anna.compare()
>>> c.baseline_cost, c.alternative_cost, c.saving
(Decimal('101374.6005'), Decimal('5997.9750'), Decimal('95376.6255'))
>>> c.agencies.rows()[0]
{'agency': 'Criminal Justice System', 'baseline_cost': Decimal('23495.83'), 'alternative_cost': Decimal('0.00'), 'saving': Decimal('23495.83')}

The same from your own data:

>>> events = journeycost.Events.from_csv("examples/anna/events.csv")
>>> ledger = journeycost.cost(events, catalogue="examples/anna/catalogue.csv", prices="examples/anna/deflators.csv")
>>> journeycost.compare(ledger, period="quarter").saving == c.saving
True

Errors are specific and carry every problem:

>>> try:
...     journeycost.Events.from_records([{"person_id": "A", "pathway": "old", "date": "2024-02-30", "code": "X"}])
... except journeycost.InputError as e:
...     print(e.problems[0]["row"], e.problems[0]["field"], e.problems[0]["message"])
0 date expected a date YYYY-MM-DD, found "2024-02-30"

Data
----
The built-in catalogue (:meth:`Catalogue.builtin`, used when no catalogue is given) is the Unit
Cost Database v1.4 by New Economy / GMCA, under CC BY 4.0; see :data:`UCD_ATTRIBUTION`. The
built-in price index (:meth:`PriceIndex.builtin`) is HM Treasury's GDP deflator, under the Open
Government Licence v3.0; see :data:`HMT_DEFLATOR_ATTRIBUTION`. Anything you publish from them
must carry these attributions; ``Scenario.report`` adds them for you.
"""

from journeycost._journeycost import (
    HMT_DEFLATOR_ATTRIBUTION,
    UCD_ATTRIBUTION,
    Appraisal,
    Catalogue,
    CatalogueError,
    Comparison,
    DisclosureError,
    Events,
    Extrapolation,
    InputError,
    JourneyCostError,
    Ledger,
    PriceIndex,
    Scenario,
    ScenarioError,
    Table,
    __version__,
    compare,
    cost,
)

__all__ = [
    "HMT_DEFLATOR_ATTRIBUTION",
    "UCD_ATTRIBUTION",
    "Appraisal",
    "Catalogue",
    "CatalogueError",
    "Comparison",
    "DisclosureError",
    "Events",
    "Extrapolation",
    "InputError",
    "JourneyCostError",
    "Ledger",
    "PriceIndex",
    "Scenario",
    "ScenarioError",
    "Table",
    "__version__",
    "compare",
    "cost",
]
