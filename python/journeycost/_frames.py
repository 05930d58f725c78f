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


#: The columns of ``events.csv``: the only ones read from a DataFrame (others are ignored, as
#: in the CSV file).
EVENT_COLUMNS = (
    "person_id",
    "pathway",
    "date",
    "code",
    "quantity",
    "end_date",
    "cost",
    "demand",
    "probability",
    "note",
)


def _input_error(message: str, field: Any = None, kind: str = "invalid_value") -> Exception:
    """An ``InputError`` with one problem record, as the library raises them."""
    from journeycost._journeycost import InputError

    err = InputError(f"DataFrame: {message}" if field is None else f'DataFrame, field "{field}": {message}')
    err.problems = [
        {"source": "DataFrame", "line": None, "row": None, "field": field, "kind": kind, "message": message}
    ]
    err.omitted = 0
    return err


def pandas_to_arrow(df: Any) -> Any:
    """A pandas DataFrame as a ``pyarrow.Table`` for :meth:`Events.from_pandas`: ``Decimal``
    objects become ``decimal128`` and ``datetime.date`` objects ``date32``; the index is dropped,
    and so are columns ``events.csv`` does not name."""
    pd = _need("pandas", "pandas")
    pa = _need("pyarrow", "pandas")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"from_pandas: expected a pandas DataFrame, found {type(df).__name__}")
    names = [str(c) for c in df.columns]
    for c in sorted({c for c in names if names.count(c) > 1}):
        raise _input_error(f"column {c!r} appears more than once", field=c, kind="duplicate_column")
    keep = [c for c in df.columns if str(c) in EVENT_COLUMNS]
    columns = {}
    for c in keep:
        try:
            columns[str(c)] = pa.array(df[c], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            raise _input_error(f"the column mixes values that cannot be read as one type ({e})", field=str(c)) from None
    return pa.table(columns)


def polars_events(df: Any) -> Any:
    """A polars DataFrame ready for :meth:`Events.from_polars`: only the columns of
    ``events.csv``, with all-null (``pl.Null``) columns given a type Arrow readers accept."""
    pl = _need("polars", "polars")
    if not isinstance(df, pl.DataFrame):
        raise TypeError(f"from_polars: expected a polars DataFrame, found {type(df).__name__}")
    keep = [c for c in df.columns if c in EVENT_COLUMNS]
    return df.select([pl.col(c).cast(pl.String) if df.schema[c] == pl.Null else pl.col(c) for c in keep])
