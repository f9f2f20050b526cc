"""The keyed hash that stands in for ID numbers."""

from __future__ import annotations

import os
import stat

import pytest

from graph_model.errors import InvalidInput
from graph_model.identity.pii import IdHasher
from graph_model.settings import Settings

ID = "11010519491231002X"


def test_key_file_is_created_once_and_private(tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = IdHasher.from_settings(settings)
    mode = stat.S_IMODE(os.stat(tmp_path / "id_hash.key").st_mode)
    assert mode == 0o600
    assert IdHasher.from_settings(settings)(ID) == first(ID)
    # Another folder, another key: the hash is not a plain function of the number.
    assert IdHasher.from_settings(Settings(data_dir=tmp_path / "other"))(ID) != first(ID)


def test_lower_case_x_hashes_like_upper_case(tmp_path):
    hasher = IdHasher.from_settings(Settings(data_dir=tmp_path, id_hash_key="k"))
    assert hasher(ID.lower()) == hasher(ID) and ID not in hasher(ID)


def test_neo4j_store_needs_an_explicit_key(tmp_path):
    with pytest.raises(InvalidInput, match="SANCTIONNET_ID_HASH_KEY must be set"):
        IdHasher.from_settings(Settings(data_dir=tmp_path, store="neo4j"))
