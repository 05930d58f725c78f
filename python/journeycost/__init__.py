"""journeycost: cost journeys through public services, exactly.

A first cut of the Python package (issue #7): ``cost`` and ``compare`` over CSV inputs, with
money as :class:`decimal.Decimal` and a specific exception hierarchy.

>>> import journeycost
>>> ledger = journeycost.cost("examples/anna/events.csv", catalogue="examples/anna/catalogue.csv",
...                           prices="examples/anna/deflators.csv")
>>> result = journeycost.compare(ledger, period="quarter")
>>> result["total"]["saving"]
Decimal('95376.6255')
"""

from journeycost._journeycost import InputError, JourneyCostError, Ledger, __version__, compare, cost

__all__ = ["InputError", "JourneyCostError", "Ledger", "__version__", "compare", "cost"]
