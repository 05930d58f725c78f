from decimal import Decimal
from os import PathLike
from typing import Any

__version__: str

class JourneyCostError(ValueError): ...

class InputError(JourneyCostError):
    problems: list[dict[str, Any]]

class Ledger:
    @property
    def price_base(self) -> str: ...
    @property
    def total(self) -> Decimal: ...
    def __len__(self) -> int: ...

def cost(
    events: str | PathLike[str],
    catalogue: str | PathLike[str] | None = None,
    prices: str | PathLike[str] | None = None,
    price_year: str | None = None,
) -> Ledger: ...
def compare(ledger: Ledger, baseline: str = "old", alternative: str = "new", period: str = "month") -> dict[str, Any]: ...
