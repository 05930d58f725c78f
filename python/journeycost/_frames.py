"""DataFrame conversions for journeycost tables: pyarrow, pandas and polars, all optional.

Tables leave journeycost through the Arrow PyCapsule interface (``__arrow_c_stream__``), so
each conversion here is one call into the library that does the work. Money stays exact:
Arrow ``decimal128`` columns become ``decimal.Decimal`` objects in pandas and ``pl.Decimal`` in
polars; counts become pandas' nullable ``Int64`` rather than floats.
"""

from __future__ import annotations

from typing import Any


def _need(module: str, extra: str) -> Any:
    try:
        return __import__(module)
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            f"this needs {module}, which is not installed: pip install 'journeycost[{extra}]' (or pip install {module})"
        ) from e


def to_arrow(table: Any) -> Any:
    """The table as a ``pyarrow.Table``."""
    pa = _need("pyarrow", "arrow")
    return pa.RecordBatchReader.from_stream(table).read_all()


def to_pandas(table: Any) -> Any:
    """The table as a pandas DataFrame: decimals as ``Decimal``, dates as ``datetime.date``,
    integers and booleans as pandas' nullable types (never floats)."""
    pd = _need("pandas", "pandas")
    pa = _need("pyarrow", "pandas")
    mapping = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return to_arrow(table).to_pandas(types_mapper=mapping.get, date_as_object=True)


def to_polars(table: Any) -> Any:
    """The table as a polars DataFrame (decimals as ``pl.Decimal``, dates as ``pl.Date``)."""
    pl = _need("polars", "polars")
    return pl.DataFrame(table)


def pandas_to_arrow(df: Any) -> Any:
    """A pandas DataFrame as a ``pyarrow.Table`` for :meth:`Events.from_pandas`: ``Decimal``
    objects become ``decimal128`` and ``datetime.date`` objects ``date32``; the index is dropped."""
    pd = _need("pandas", "pandas")
    pa = _need("pyarrow", "pandas")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"from_pandas: expected a pandas DataFrame, found {type(df).__name__}")
    try:
        return pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        from journeycost._journeycost import InputError

        raise InputError(f"DataFrame: a column mixes types that cannot be read exactly ({e})") from e
