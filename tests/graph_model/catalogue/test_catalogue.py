"""The catalogue a policy officer edits: validated, cross-checked, versioned."""

from __future__ import annotations


import pytest

from graph_model.catalogue.model import load_catalogue
from graph_model.errors import InvalidCatalogue
from graph_model.vocabulary.kinds import SubjectKind
from tests.factories import edit_yaml as _edit


def test_bundled_catalogue_covers_pr1_and_its_measures():
    catalogue = load_catalogue()
    jp = catalogue.lists["joint_punishment"]
    [pr1] = jp.propagation
    assert pr1.rule == "PR1" and jp.rule == "PR1"
    assert pr1.roles == ["LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF"]
    actions = {m.action for f in catalogue.families.values() for m in f.measures}
    assert {"bidding", "finance.credit", "travel.flight", "travel.rail_high_grade", "securities.issue",
            "fiscal.subsidy", "tax.preference"} <= actions
    for family in catalogue.families.values():
        for measure in family.measures:
            assert measure.legal_basis and measure.source and measure.type
    legal_rep = {m.action for m in catalogue.measures_for("joint_punishment", "LEGAL_REP_OF", SubjectKind.person)}
    assert legal_rep == {"finance.credit", "travel.flight", "travel.rail_high_grade"}


def test_version_changes_with_content(editable):
    before = load_catalogue(editable).version
    _edit(editable / "measures" / "joint_punishment.yaml",
          lambda d: d["measures"][0].update(name_en="Restrict IPOs and share issuance"))
    after = load_catalogue(editable).version
    assert before != after and before[:10] == after[:10]


def test_errors_name_file_and_field(editable):
    path = editable / "measures" / "joint_punishment.yaml"
    _edit(path, lambda d: d["measures"][1].update(type="punitive"))
    with pytest.raises(InvalidCatalogue, match=r"joint_punishment.yaml: measures.1.type: Input should be"):
        load_catalogue(editable)


def test_unknown_keys_are_refused(editable):
    _edit(editable / "lists" / "joint_punishment.yaml", lambda d: d.update(duraton_years=3))
    with pytest.raises(InvalidCatalogue, match="duraton_years: Extra inputs are not permitted"):
        load_catalogue(editable)


def test_link_pass_checks_targets_and_lists(editable):
    path = editable / "measures" / "joint_punishment.yaml"
    _edit(path, lambda d: d["measures"][0].update(targets=["entity", "MANAGES"]))
    with pytest.raises(InvalidCatalogue, match=r"measures.0.targets \['MANAGES'\]: list 'joint_punishment' does not"):
        load_catalogue(editable)
    _edit(path, lambda d: (d["measures"][0].update(targets=["entity"]), d.update(list="no_such_list")))
    with pytest.raises(InvalidCatalogue, match="list 'no_such_list' is not defined"):
        load_catalogue(editable)


def test_file_name_is_the_id(editable):
    (editable / "lists" / "joint_punishment.yaml").rename(editable / "lists" / "jp.yaml")
    with pytest.raises(InvalidCatalogue, match="must equal the file name 'jp'"):
        load_catalogue(editable)


def test_link_pass_checks_region_groups_and_incentive_types(editable):
    _edit(editable / "lists" / "yangtze_delta_env.yaml", lambda d: d.update(region_group="pearl_delta"))
    with pytest.raises(InvalidCatalogue, match="region_group 'pearl_delta' is not defined in rules.yaml"):
        load_catalogue(editable)


def test_an_incentive_measure_only_on_an_incentive_list(editable):
    _edit(editable / "measures" / "joint_punishment.yaml", lambda d: d["measures"][0].update(type="incentive"))
    with pytest.raises(InvalidCatalogue, match="does not fit list 'joint_punishment' with effect 'restrict'"):
        load_catalogue(editable)


def test_a_role_in_two_rules_of_one_list_is_refused(editable):
    def twice(d):
        d["propagation"].append({**d["propagation"][0], "rule": "PR99", "roles": ["LEGAL_REP_OF"]})
    _edit(editable / "lists" / "joint_punishment.yaml", twice)
    with pytest.raises(InvalidCatalogue, match=r"roles \['LEGAL_REP_OF'\] are in more than one propagation rule"):
        load_catalogue(editable)


def test_rules_file_is_required(editable):
    (editable / "rules.yaml").unlink()
    with pytest.raises(InvalidCatalogue, match="rules.yaml: missing"):
        load_catalogue(editable)
