"""Subject names as compared: the ``name_key`` an enterprise or public body is looked up by.

Registries, courts and screeners write one name in several ways: full-width or
half-width letters and digits (ＡＢＣ, ABC), full-width or ASCII brackets
(哈尔滨泰富电气（集团）有限公司, …(集团)…), with or without spaces. The key folds all of
them to one spelling, so a name typed either way finds the subject. Persons get no key:
a person is never found by name alone.
"""

from __future__ import annotations

import unicodedata

__all__ = ["name_key"]

# After NFKC (which makes （）［］ ASCII) the brackets a name may still carry.
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "[": "(", "]": ")", "【": "(", "】": ")"})


def name_key(name: str) -> str:
    """``name`` as compared: NFKC (full-width letters, digits and brackets become
    half-width), ASCII round brackets for every kind, no whitespace, case folded.

    >>> name_key(" 哈尔滨泰富电气（集团） 有限公司") == name_key("哈尔滨泰富电气(集团)有限公司")
    True
    >>> name_key("ＡＢＣ科技有限公司")
    'abc科技有限公司'
    """
    folded = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    return "".join(folded.split()).casefold()
