"""The province of a region code, as every detector of leads compares them."""

from __future__ import annotations

__all__ = ["province"]


def province(region: str | None) -> str | None:
    """The province part of a region code: its first two digits.

    Parameters
    ----------
    region : str or None
        A region code (``"440305"``), or None when the subject has none.

    Returns
    -------
    str or None
        The first two digits, or None when there are fewer than two.

    Examples
    --------
    >>> province("440305"), province("4"), province(None)
    ('44', None, None)
    """
    return region[:2] if region and len(region) >= 2 else None
