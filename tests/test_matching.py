"""The matcher (`migmodule.matching`): cleaning, names and labels in three languages, value labels
as evidence, levels, identifiers, weight and recodes."""

from __future__ import annotations

import pytest

from migmodule.matching import Item, match
from migmodule.matching.text import clean_label, short_name
from tables import parse_table

CENSUS = "census-key-questions"


def proposed(items, module=CENSUS, **options) -> dict[str, object]:
    """Accepted proposals as {target: Proposal}."""
    return {
        p.target: p for p in match(items, module, **options) if p.accepted and p.kind != "level"
    }


def items_from(table: str) -> list[Item]:
    """Items from a markdown table: name | label | values (code=label; code=label) | group | level."""
    items = []
    for row in parse_table(table):
        values = {}
        for pair in filter(None, (row.get("values") or "").split(";")):
            code, _, label = pair.partition("=")
            values[int(code) if code.strip().isdigit() else code.strip()] = label.strip()
        items.append(
            Item(
                row["name"],
                {"": row["label"]} if row.get("label") else {},
                {"": values} if values else {},
                group=row.get("group", ""),
                level=row.get("level") or None,
            )
        )
    return items


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("5. In which country was ${name_individual} born?", "In which country was born?"),
        ("Q12. <b>Pays</b> de naissance", "Pays de naissance"),
        ("P5a) Edad", "Edad"),
        (
            "(E02) Has the head lived in this village since birth?",
            "Has the head lived in this village since birth?",
        ),
        ("Dans quel pays est né.e [NAME] ?", "Dans quel pays est né ?"),
        ("12 months", "12 months"),
    ],
)
def test_labels_lose_references_markup_and_question_numbers(raw, clean):
    assert clean_label(raw) == clean


def test_kobo_group_paths_are_dropped_from_names():
    assert short_name("grp_roster/person/sexo") == "sexo"


def test_spanish_census_names_and_labels():
    items = items_from(
        """
        | name         | label                        | values                          |
        |--------------|------------------------------|---------------------------------|
        | EDAD         |                              |                                 |
        | SEXO         |                              | 1=Hombre; 3=Mujer               |
        | NACIONALIDAD |                              |                                 |
        | P9           | ¿En qué país nació?          |                                 |
        | P12          | Año de llegada al país       |                                 |
        """
    )
    found = proposed(items)
    assert {t: p.item for t, p in found.items() if p.kind == "question"} == {
        "age": "EDAD",
        "sex": "SEXO",
        "citizenship": "NACIONALIDAD",
        "country_of_birth": "P9",
        "year_of_arrival": "P12",
    }
    # Mujer is 3 in the national file and 2 in the standard; Hombre is 1 in both
    assert found["sex"].recode == {"3": 2}


def test_registration_of_birth_is_not_country_of_birth():
    items = items_from(
        """
        | name | label                  | values          |
        |------|------------------------|-----------------|
        | P7   | Registro de nacimiento | 1=Sí; 2=No      |
        | P8   | Birth certificate seen | 1=Yes; 2=No     |
        """
    )
    assert not {"country_of_birth", "place_of_birth"} & set(proposed(items))


def test_a_country_list_decides_which_birth_place_item_is_the_country():
    items = items_from(
        """
        | name   | label       | values                                                        |
        |--------|-------------|---------------------------------------------------------------|
        | BP_OPT | Birth place | 1=This country; 2=Abroad                                      |
        | BP     | Birth place | 1=Mombasa; 600=Algeria; 601=Angola; 612=Côte d'Ivoire; 700=France |
        """
    )
    found = proposed(items)
    assert found["country_of_birth"].item == "BP"
    assert any("countries" in why for why in found["country_of_birth"].evidence)
    # national country codes to M49 by name (UN names); the county is left for review
    assert found["country_of_birth"].recode == {"600": 12, "601": 24, "612": 384, "700": 250}


def test_one_variable_holding_county_or_country_is_split():
    items = items_from(
        """
        | name | label       | values                                                        |
        |------|-------------|---------------------------------------------------------------|
        | P19  | Birth place | 1=Mombasa; 2=Kwale; 3=Kilifi; 600=Algeria; 601=Angola; 999=Not stated |
        """
    )
    found = proposed(items)
    assert found["country_of_birth"].item == "P19" and found["country_of_birth"].where is None
    assert found["place_of_birth"].item == "P19"
    assert found["place_of_birth"].where == "P19 >= 1 and P19 <= 3"
    assert found["country_of_birth"].recode == {"600": 12, "601": 24}


def test_residence_five_years_ago_by_label_and_its_abroad_code():
    items = items_from(
        """
        | name     | label                    | values                                                 |
        |----------|--------------------------|--------------------------------------------------------|
        | MIG5     | Residence 5 years ago    | 11=Same house; 20=Other locality; 30=Abroad; 99=Unknown |
        | MIG1     | Where did NAME live one year ago? |                                               |
        """
    )
    found = proposed(items)
    assert found["residence_5y_ago"].item == "MIG5"
    assert found["residence_1y_ago"].item == "MIG1"
    assert found["residence_5y_ago"].recode["30"] == 4  # Abroad


def test_residence_on_two_dates_four_years_apart_is_one_and_five_years_ago():
    items = items_from(
        """
        | name | label                                  | values                                   |
        |------|----------------------------------------|------------------------------------------|
        | P27  | Residence on 24 August 2028            | 1=Same dwelling; 4=Another county; 5=Outside Kenya |
        | P29  | Where did NAME live on 24 August 2024? | 1=Same dwelling; 4=Another county; 5=Outside Kenya |
        | P31  | Year of arrival                        |                                          |
        """
    )
    found = proposed(items)
    assert (found["residence_1y_ago"].item, found["residence_5y_ago"].item) == ("P27", "P29")
    # "Outside Kenya" is the standard "Abroad" (4)
    assert found["residence_1y_ago"].recode["5"] == 4
    alone = proposed(items[:1])  # one date alone says nothing about the census date
    assert "residence_1y_ago" not in alone and "residence_5y_ago" not in alone


def test_french_labels_and_special_codes():
    items = items_from(
        """
        | name  | label                         | values                                         |
        |-------|-------------------------------|------------------------------------------------|
        | Q3    | Sexe                          | 1=Masculin; 2=Féminin; 8=Ne sait pas           |
        | Q10   | Pays de naissance du père     |                                                |
        | Q11   | Nationalité                   | 1=Ivoirienne; 2=Autre; 9=Refus de répondre     |
        """
    )
    found = proposed(items)
    assert found["country_of_birth_father"].item == "Q10"
    assert "country_of_birth" not in found  # the father's, not the person's
    assert found["sex"].recode == {"8": 9} or found["sex"].recode is None
    assert found["citizenship"].item == "Q11"


def test_no_person_question_in_a_household_group():
    items = items_from(
        """
        | name | label                                         | group | level     |
        |------|-----------------------------------------------|-------|-----------|
        | H1   | Sex                                           | hh    | household |
        | H2   | Any former household member now living abroad | hh    | household |
        """
    )
    found = proposed(items)
    assert "sex" not in found and found["emigrants_any"].item == "H2"


def test_each_record_gets_its_level_and_its_own_identifier():
    items = items_from(
        """
        | name     | label                      | group     |
        |----------|----------------------------|-----------|
        | HHID     |                            | HOUSING   |
        | LINE     | Line number                | PERSONS   |
        | P3       | Sex                        | PERSONS   |
        | P4       | Age                        | PERSONS   |
        | D1       | Serial number              | DEATHS    |
        | D2       | Age at death               | DEATHS    |
        | E1       | Serial number              | EMIGRANTS |
        | E3       | Sex                        | EMIGRANTS |
        | E7       | Country of destination     | EMIGRANTS |
        | E8       | Year of departure          | EMIGRANTS |
        """
    )
    proposals = match(items, CENSUS)
    levels = {p.item: p.target for p in proposals if p.kind == "level"}
    assert levels["PERSONS"] == "person" and levels["EMIGRANTS"] == "emigrant"
    assert "DEATHS" not in levels  # a serial number alone does not make a level
    found = proposed(items)
    assert found["sex"].item == "P3" and found["emigrant_sex"].item == "E3"
    assert found["emigrant_no"].item == "E1" and found["person_no"].item == "LINE"
    assert found["hh_id"].item == "HHID"
    assert "age" in found and found["age"].item == "P4"


def test_identifiers_and_the_weight_of_the_files_level():
    items = items_from(
        """
        | name   | label             |
        |--------|-------------------|
        | SERIAL | Household serial number |
        | PERNUM | Person number     |
        | HHWT   | Household weight  |
        | PERWT  | Person weight     |
        | SEX    | Sex               |
        """
    )
    found = proposed(items)
    assert (found["hh_id"].item, found["person_no"].item) == ("SERIAL", "PERNUM")
    assert found["weight"].item == "PERWT" and found["weight"].kind == "weight"


def test_iso_codes_propose_the_builtin_recode():
    items = items_from(
        """
        | name  | label           | values                                            |
        |-------|-----------------|---------------------------------------------------|
        | REF02 | Citizenship     | AFG=Afghanistan; KEN=Kenya; FRA=France; 98=Don't know |
        """
    )
    found = proposed(items)
    assert found["country_of_citizenship"].recode == "iso3"


def test_a_weak_match_is_a_guess_not_a_proposal():
    items = items_from(
        """
        | name | label                                      |
        |------|--------------------------------------------|
        | X1   | Age group                                  |
        """
    )
    proposals = match(items, CENSUS, threshold=0.95)
    assert not [p for p in proposals if p.accepted and p.kind == "question"]
    assert [p for p in proposals if not p.accepted]  # shown as a best guess
    assert match(items, CENSUS, threshold=0.95, floor=0.95) == [
        p for p in match(items, CENSUS, threshold=0.95, floor=0.95) if p.kind == "level"
    ]


def test_one_call_several_modules():
    items = items_from(
        """
        | name | label |
        |------|-------|
        | EDAD | Edad  |
        """
    )
    modules = {p.module.split("@")[0] for p in match(items, [CENSUS, "labour-migration"])}
    assert modules == {CENSUS, "labour-migration"}
