"""Regenerate the national census sample: Kenya-style codes, 17-digit household ids, planted defects.

    python samples/make_national_sample.py            # writes into samples/ and checks the result
    python samples/make_national_sample.py OUT --no-verify

A census person file for census-key-questions@1.0.0 coded the way a national statistical office
delivers it (national variable names and codes, one variable for county or country of birth,
national country codes, a "not asked" code, a richer list of reasons for migration, dates instead
of ages), and the profiles that adapt it to the module (`national.profile.yaml` for the .sav and
.dta, `national_csv.profile.yaml` for the CSV with text answers). The persons are drawn by rules
that keep every answer consistent with the module's universes and edits; then the defects listed
in `national_defects.json` are planted on chosen rows. Seeded: the same bytes every time (the
.sav and .dta headers get the census date instead of the time of writing).

The check (`--no-verify` skips it) recodes the national file to the standard with the profile's
own tables, validates that standard view with today's engine and requires exactly the planted
defects it can see, each in its rows: the clean rows are clean by the module's rules, not by
assumption. The national forms themselves (recodes, `{from, where}`, derive, levels, universes)
are read by the engine, and tests/test_national_sample.py holds the engine to the same defects.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from migmodule.countries import by_m49

HERE = Path(__file__).resolve().parent
SEED = 20290824
REF_DATE = date(
    2029, 8, 24
)  # census night of the sample (Kenya counts on the night of 24/25 August)
HOUSEHOLDS = 800
MODULE = "census-key-questions@1.0.0"
EXCLUDED = [  # not asked by this census, and the emigrant roster is not in the sample
    "ever_lived_abroad",
    "emigrant_sex",
    "emigrant_age_at_departure",
    "emigrant_year_of_departure",
    "emigrant_destination",
    "emigrant_reason",
]

# The 47 counties, codes 1-47 as in the Kenya 2019 census dictionary (P19, P20).
COUNTIES = [
    "Mombasa", "Kwale", "Kilifi", "Tana River", "Lamu", "Taita-Taveta", "Garissa", "Wajir",
    "Mandera", "Marsabit", "Isiolo", "Meru", "Tharaka-Nithi", "Embu", "Kitui", "Machakos",
    "Makueni", "Nyandarua", "Nyeri", "Kirinyaga", "Murang'a", "Kiambu", "Turkana", "West Pokot",
    "Samburu", "Trans Nzoia", "Uasin Gishu", "Elgeyo-Marakwet", "Nandi", "Baringo", "Laikipia",
    "Nakuru", "Narok", "Kajiado", "Kericho", "Bomet", "Kakamega", "Vihiga", "Bungoma", "Busia",
    "Siaya", "Kisumu", "Homa Bay", "Migori", "Kisii", "Nyamira", "Nairobi City",
]  # fmt: skip
COUNTY_NAMES_FR_ES = {47: ("Ville de Nairobi", "Ciudad de Nairobi")}

# National country codes of the Kenya 2019 census dictionary (P19/P20 value sets, 600-810) with
# the UN M49 code of each (matched by name; renamed countries matched by hand).
NATIONAL_COUNTRIES_TEXT = """
600 12 Algeria
601 24 Angola
602 204 Benin
603 72 Botswana
604 854 Burkina Faso
605 108 Burundi
606 120 Cameroon
607 132 Cape Verde
608 140 Central African Republic
609 148 Chad
610 174 Comoros
611 178 Congo, Republic Of The...
612 384 CÔte D'ivoire
613 180 Democratic Republic Of The Congo
614 262 Djibouti
615 818 Egypt
616 226 Equatorial Guinea
617 232 Eritrea
618 231 Ethiopia
619 266 Gabon
620 270 Gambia
621 288 Ghana
622 324 Guinea
623 624 Guinea-bissau
624 426 Lesotho
625 430 Liberia
626 434 Libyan Arab Jamahiriya
627 450 Madagascar
628 454 Malawi
629 466 Mali
630 478 Mauritania
631 480 Mauritius
632 504 Morocco
633 508 Mozambique
634 516 Namibia
635 562 Niger
636 566 Nigeria
637 646 Rwanda
638 678 Sao Tome And Principe
639 686 Senegal
640 690 Seychelles
641 694 Sierra Leone
642 706 Somalia
643 710 South Africa
644 729 Sudan
645 728 South Sudan
646 748 Swaziland
647 768 Togo
648 788 Tunisia
649 800 Uganda
650 834 United Republic Of Tanzania
651 894 Zambia
652 716 Zimbabwe
670 4 Afghanistan
671 48 Bahrain
672 50 Bangladesh
673 64 Bhutan
674 96 Brunei Darussalam
675 116 Cambodia
676 156 China
677 408 Democratic People's Republic Of Korea
680 356 India
681 360 Indonesia
682 364 Iran, Islamic Republic Of...
683 368 Iraq
684 376 Israel
685 392 Japan
686 400 Jordan
687 296 Kiribati
688 414 Kuwait
689 418 Lao People's Democratic Republic
690 422 Lebanon
691 458 Malaysia
692 462 Maldives
693 583 Micronesia, Federated States Of...
694 496 Mongolia
695 104 Myanmar
696 520 Nauru
697 524 Nepal
698 512 Oman
699 586 Pakistan
700 608 Philippines
701 634 Qatar
702 410 Republic Of Korea
703 498 Republic Of Moldova
704 682 Saudi Arabia
705 702 Singapore
706 144 Sri Lanka
707 740 Suriname
708 760 Syrian Arab Republic
709 764 Thailand
710 626 Timor-leste
711 784 United Arab Emirates
712 704 Vietnam
713 887 Yemen
714 8 Albania
715 20 Andorra
716 51 Armenia
717 40 Austria
718 31 Azerbaijan
719 112 Belarus
720 56 Belgium
721 70 Bosnia And Herzegovina
722 100 Bulgaria
723 191 Croatia
724 196 Cyprus
725 203 Czech Republic
726 208 Denmark
727 233 Estonia
728 246 Finland
729 250 France
730 268 Georgia
731 276 Germany
732 300 Greece
733 348 Hungary
734 352 Iceland
735 372 Ireland
736 380 Italy
737 398 Kazakhstan
738 417 Kyrgyzstan
739 428 Latvia
740 438 Liechtenstein
741 440 Lithuania
742 442 Luxembourg
743 470 Malta
744 584 Marshall Islands
745 492 Monaco
746 499 Montenegro
747 528 Netherlands
748 578 Norway
749 616 Poland
750 620 Portugal
751 642 Romania
752 643 Russian Federation
753 659 Saint Kitts And Nevis
754 662 Saint Lucia
755 670 Saint Vincent And The Grenadines
756 674 San Marino
757 688 Serbia
758 703 Slovakia
759 705 Slovenia
760 724 Spain
761 752 Sweden
762 756 Switzerland
763 762 Tajikistan
764 807 The Former Yugoslav Republic Of Macedonia
765 792 Turkey
766 795 Turkmenistan
767 804 Ukraine
768 826 United Kingdom Of Great Britain And Northern Ireland
769 860 Uzbekistan
770 32 Argentina
771 84 Belize
772 68 Bolivia
773 76 Brazil
774 124 Canada
775 152 Chile
776 170 Colombia
777 188 Costa Rica
778 192 Cuba
779 212 Dominica
780 214 Dominican Republic
781 218 Ecuador
782 222 El Salvador
783 320 Guatemala
784 340 Honduras
785 484 Mexico
786 558 Nicaragua
787 591 Panama
788 600 Paraguay
789 604 Peru
790 840 United States Of America
791 858 Uruguay
792 862 Venezuela (Bolivarian Republic Of)
793 28 Antigua And Barbuda
794 44 Bahamas
795 52 Barbados
796 308 Grenada
797 328 Guyana
798 332 Haiti
799 388 Jamaica
800 90 Solomon Islands
801 780 Trinidad And Tobago
802 36 Australia
803 242 Fiji
804 554 New Zealand
805 585 Palau
806 598 Papua New Guinea
807 882 Samoa
808 776 Tonga
809 798 Tuvalu
810 548 Vanuatu
"""
NATIONAL_KENYA = 500  # "Kenya" in the nationality item (citizens); not a standard answer
NATIONAL_STATELESS = 812
NATIONAL_UNKNOWN = 999
UNKNOWN_COUNTRY_CODE = 655  # planted: in no crosswalk row, and not an M49 code either

# National reasons for migration: two digits, grouped by tens (the module has six reasons).
REASONS = {
    11: "Work or employment", 12: "Business", 13: "Looking for work", 14: "Transfer by employer",
    21: "Marriage", 22: "Family related movement", 23: "Accompanying a parent or spouse",
    31: "Education", 32: "Training or apprenticeship",
    41: "Conflict displacement", 42: "Refugee", 43: "Asylum seeker", 44: "Persecution",
    51: "Disaster displacement", 52: "Drought, floods or other environmental change",
    61: "Returning home", 71: "Retirement", 72: "Visiting", 73: "Settlement",
    74: "Relocation due to development", 79: "Other reason",
    98: "Don't know", 99: "Not stated",
}  # fmt: skip
UNKNOWN_REASON_CODE = 85  # planted: outside every range of the recode, which has no `else`
CITIZENSHIP = {
    1: "Kenyan by birth",
    2: "Kenyan by registration",
    3: "Kenyan by naturalisation",
    4: "Dual citizen, Kenyan by birth",
    5: "Dual citizen, Kenyan by registration",
    6: "Foreign national",
    7: "Stateless",
    9: "Not stated",
}
RESIDENCE = {
    0: "Not applicable (not born then)",
    1: "Same dwelling",
    2: "Another dwelling, same sub-location",
    3: "Another sub-location, same county",
    4: "Another county",
    5: "Outside Kenya",
    8: "Don't know",
    9: "Not stated",
}
SEX = {1: "Male", 2: "Female"}
YES_NO = {1: "Yes", 2: "No"}
MOVED = {1: "Lived here since birth", 2: "Moved here"}
PREVIOUS_TYPE = {1: "Elsewhere in Kenya", 2: "Outside Kenya"}
ACQUISITION = {
    1: "Naturalisation",
    2: "Registration by marriage",
    3: "Registration as a child of a citizen",
}

# Recodes from national to standard codes, written into the profiles and applied by the check.
# Keys: a code, an inclusive range 'low:high', or else; a value None is `null` (not asked).
REASON_RECODE = {
    "11:14": 1, "21:23": 2, "31:32": 3, "41:44": 4, "51:52": 5, "61": 6, "71:79": 96,
    "98": 98, "99": 99,
}  # fmt: skip
CITIZENSHIP_RECODE = {"1": 1, "4": 1, "2:3": 2, "5": 2, "6": 3, "7": 4, "else": 9}
RESIDENCE_RECODE = {"0": None, "1": 1, "2": 2, "3:4": 3, "5": 4, "8": 8, "9": 9}
# The CSV export writes labels for these questions, so its profile recodes by text.
TEXT_COLUMNS = {
    "P11_SEX": SEX,
    "P17_CITIZEN": CITIZENSHIP,
    "P27_RES1Y": RESIDENCE,
    "P29_RES5Y": RESIDENCE,
    "H40_EMIGRANTS": YES_NO,
}

ORIGINS = {  # national code of the country of origin of foreign-born households: weight
    649: 20, 650: 14, 642: 15, 618: 9, 645: 9, 613: 6, 637: 4, 605: 4, 644: 2,
    680: 5, 768: 3, 790: 2, 676: 3, 731: 1, 729: 1, 636: 1, 643: 1,
}  # fmt: skip
REFUGEE_ORIGINS = {642, 645, 613, 605, 644, 618}

# National variables: name -> (label, value labels)
VARIABLES: dict[str, tuple[str, dict[int, str] | None]] = {
    "HHID": ("Household identifier (county, constituency, ward, EA, household)", None),
    "P01_LINE": ("P01. Line number", None),
    "COUNTY": ("County of enumeration", None),  # labels: the counties
    "INT_DATE": ("Date of interview", None),
    "P11_SEX": ("P11. Sex", SEX),
    "P12_DOB": ("P12. Date of birth", None),
    "P15_USUAL": ("P15. Usual member of household", YES_NO),
    "P17_CITIZEN": ("P17. Citizenship", CITIZENSHIP),
    "P17A_ACQUIRED": ("P17A. How Kenyan citizenship was acquired", ACQUISITION),
    "P18_NATIONALITY": ("P18. Country of citizenship (other citizenship for dual citizens)", None),
    "P19_BIRTHPLACE": ("P19. Birth place (county or country)", None),
    "P20_MOVED": ("P20. Lived in this sub-location since birth?", MOVED),
    "P21_YEARS_HERE": ("P21. Years lived in this sub-location", None),
    "P22_PREV_TYPE": ("P22. Previous residence in Kenya or abroad", PREVIOUS_TYPE),
    "P22A_PREV_PLACE": ("P22A. Previous residence (county or country)", None),
    "P23_REASON": ("P23. Reason for migration to Kenya", REASONS),
    "P24_ARRIVAL": ("P24. Date of arrival in Kenya", None),
    "P25_MOTHER_COB": ("P25. Country of birth of mother (ISO code)", None),
    "P26_FATHER_COB": ("P26. Country of birth of father (ISO code)", None),
    "P27_RES1Y": ("P27. Residence on 24 August 2028", RESIDENCE),
    "P28_RES1Y_PLACE": ("P28. County or country of residence on 24 August 2028", None),
    "P29_RES5Y": ("P29. Residence on 24 August 2024", RESIDENCE),
    "P30_RES5Y_PLACE": ("P30. County or country of residence on 24 August 2024", None),
    "H40_EMIGRANTS": ("H40. Any member emigrated in the last 10 years?", YES_NO),
    "H41_EMIGRANTS_N": ("H41. Number of emigrants", None),
}
PLACE_COLUMNS = ["P18_NATIONALITY", "P19_BIRTHPLACE", "P22A_PREV_PLACE", "P28_RES1Y_PLACE",
                 "P30_RES5Y_PLACE"]  # fmt: skip
DATE_COLUMNS = ["INT_DATE", "P12_DOB", "P24_ARRIVAL"]
TEXT_ID_COLUMNS = ["HHID", "P25_MOTHER_COB", "P26_FATHER_COB"]
USER_MISSING = {  # SPSS user-missing codes declared in the .sav
    "P17_CITIZEN": [9],
    "P23_REASON": [98, 99],
    "P27_RES1Y": [8, 9],
    "P29_RES5Y": [8, 9],
    "P18_NATIONALITY": [999],
    "P19_BIRTHPLACE": [999],
}

# The profile: question -> national variable, or {from, where} (one variable, several questions).
VARIABLE_MAP: dict[str, str | dict[str, str]] = {
    "current_residence_area": "COUNTY",
    "sex": "P11_SEX",
    "country_of_birth": "P19_BIRTHPLACE",
    "place_of_birth": {
        "from": "P19_BIRTHPLACE",
        "where": "P19_BIRTHPLACE >= 1 and P19_BIRTHPLACE <= 47",
    },
    "reason_for_migration": "P23_REASON",
    "citizenship": "P17_CITIZEN",
    "citizenship_acquisition": "P17A_ACQUIRED",
    "country_of_citizenship": "P18_NATIONALITY",
    "country_of_birth_mother": "P25_MOTHER_COB",
    "country_of_birth_father": "P26_FATHER_COB",
    "previous_residence": "P22_PREV_TYPE",
    "previous_residence_area": {"from": "P22A_PREV_PLACE", "where": "P22A_PREV_PLACE <= 47"},
    "previous_residence_country": {"from": "P22A_PREV_PLACE", "where": "P22A_PREV_PLACE >= 600"},
    "residence_1y_ago": "P27_RES1Y",
    "residence_1y_area": {"from": "P28_RES1Y_PLACE", "where": "P28_RES1Y_PLACE <= 47"},
    "residence_1y_country": {"from": "P28_RES1Y_PLACE", "where": "P28_RES1Y_PLACE >= 600"},
    "residence_5y_ago": "P29_RES5Y",
    "residence_5y_area": {"from": "P30_RES5Y_PLACE", "where": "P30_RES5Y_PLACE <= 47"},
    "residence_5y_country": {"from": "P30_RES5Y_PLACE", "where": "P30_RES5Y_PLACE >= 600"},
    "emigrants_any": "H40_EMIGRANTS",
    "emigrants_number": "H41_EMIGRANTS_N",
}
DERIVE = {
    "age": "age_at(P12_DOB, INT_DATE)",
    "year_of_arrival": "year(P24_ARRIVAL)",
    "duration_of_residence": "if(P20_MOVED == 1, 96, P21_YEARS_HERE)",
}
CROSSWALKED = [
    "country_of_birth",
    "country_of_citizenship",
    "previous_residence_country",
    "residence_1y_country",
    "residence_5y_country",
]
ISO3 = ["country_of_birth_mother", "country_of_birth_father"]
UNIVERSES = {"year_of_arrival": "foreign_born", "country_of_citizenship": "true"}
LEVEL_WHERE = "P15_USUAL == 1"  # visitors are listed in the roster but not asked the module


def national_countries() -> dict[int, tuple[int, str]]:
    """National code -> (M49 code, national name)."""
    rows = {}
    for line in NATIONAL_COUNTRIES_TEXT.strip().splitlines():
        code, m49, name = line.split(" ", 2)
        rows[int(code)] = (int(m49), name)
    return rows


def crosswalk_rows() -> list[tuple[str, str]]:
    """The rows of national_countries.csv: a range for the counties, null where no country applies."""
    rows = [("1:47", "404"), (str(NATIONAL_KENYA), "null")]
    rows += [(str(code), str(m49)) for code, (m49, _) in national_countries().items()]
    rows += [("811", "996"), (str(NATIONAL_STATELESS), "null"), ("813", "996"), ("999", "999")]
    return rows


def place_labels() -> dict[int, str]:
    labels = {i: name for i, name in enumerate(COUNTIES, 1)}
    labels[NATIONAL_KENYA] = "Kenya"
    labels.update({code: name for code, (_, name) in national_countries().items()})
    labels.update({811: "Other nationality", NATIONAL_STATELESS: "Stateless",
                   813: "Refugee/Asylum seeker", 999: "Don't know"})  # fmt: skip
    return labels


# ---- drawing the persons --------------------------------------------------------------------------
def age_at(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years)


ONE_YEAR_AGO = years_before(REF_DATE, 1)
FIVE_YEARS_AGO = years_before(REF_DATE, 5)
LAST_DAY = date(2029, 8, 1)  # nobody moved in the last weeks before the census (keeps dates clear)


def random_day(rng: np.random.Generator, start: date, end: date) -> date:
    span = max((end - start).days, 0)
    return start + timedelta(days=int(rng.integers(0, span + 1)))


@dataclass
class Household:
    hhid: str  # 17 digits: county 2, constituency 3, ward 4, EA 4, household 4
    county: int
    interview: date
    foreign_origin: int | None  # national country code of a foreign-born household
    arrival: date | None
    emigrants: int  # 0: none
    persons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def numeric_id(self) -> int:
        """The id without its county digits: 15 digits or fewer, exact as a float."""
        return int(self.hhid[2:])


def draw_households(rng: np.random.Generator) -> list[Household]:
    weights = np.ones(47)
    weights[[46, 0, 21, 31]] = [40, 12, 12, 8]  # Nairobi, Mombasa, Kiambu, Nakuru
    origins = list(ORIGINS)
    origin_p = np.array(list(ORIGINS.values()), dtype=float)
    households: list[Household] = []
    while len(households) < HOUSEHOLDS:  # enumeration areas of 3 to 6 neighbouring households
        county = int(rng.choice(47, p=weights / weights.sum())) + 1
        constituency = county * 6 + int(rng.integers(0, 6))
        ward = int(rng.integers(1, 10_000))
        area = int(rng.integers(1, 10_000))
        first = int(rng.integers(1, 9_000))
        for number in range(first, first + int(rng.integers(3, 7))):
            foreign = rng.random() < 0.13
            arrival = None
            if foreign:  # recent arrivals more often (the rarer routes of the module need them)
                arrival = (
                    random_day(rng, date(2024, 9, 1), LAST_DAY)
                    if rng.random() < 0.45
                    else random_day(rng, date(1985, 1, 1), date(2024, 8, 1))
                )
            emigrants = int(rng.integers(1, 4)) if rng.random() < 0.15 else 0
            households.append(
                Household(
                    hhid=f"{county:02d}{constituency:03d}{ward:04d}{area:04d}{number:04d}",
                    county=county,
                    interview=REF_DATE + timedelta(days=int(rng.integers(0, 8))),
                    foreign_origin=(
                        int(rng.choice(origins, p=origin_p / origin_p.sum())) if foreign else None
                    ),
                    arrival=arrival,
                    emigrants=emigrants,
                )
            )
    return households[:HOUSEHOLDS]


def draw_birth(rng: np.random.Generator, interview: date, head: bool) -> date:
    age = 20 + int(rng.gamma(3.0, 8.0)) if head else int(rng.gamma(1.6, 14.0))
    born = interview - timedelta(days=int(min(age, 94) * 365.25 + rng.integers(0, 365)))
    # a child counted as aged 1 (5) must have been born one (five) years before the census
    for years, threshold in ((1, ONE_YEAR_AGO), (5, FIVE_YEARS_AGO)):
        if age_at(born, interview) >= years and born > threshold:
            born = threshold - timedelta(days=10)
    return born


def draw_person(rng: np.random.Generator, hh: Household, line: int) -> dict[str, Any]:
    countries = national_countries()
    born = draw_birth(rng, hh.interview, head=line == 1)
    age = age_at(born, hh.interview)
    p: dict[str, Any] = {name: None for name in VARIABLES}
    p.update(
        HHID=hh.hhid,
        P01_LINE=line,
        COUNTY=hh.county,
        INT_DATE=hh.interview,
        P11_SEX=int(rng.integers(1, 3)),
        P12_DOB=born,
        P15_USUAL=1,
        H40_EMIGRANTS=1 if hh.emigrants else 2,
        H41_EMIGRANTS_N=hh.emigrants or None,
    )
    foreign_born = False
    if hh.foreign_origin is not None and born < hh.arrival:
        foreign_born, origin, arrival = True, hh.foreign_origin, hh.arrival
    elif hh.foreign_origin is None and line > 1 and rng.random() < 0.02:  # a foreign-born spouse
        foreign_born = True
        origin = int(rng.choice([649, 650, 618, 768, 680]))
        arrival = random_day(rng, born + timedelta(days=365 * 16), LAST_DAY)
        if arrival >= LAST_DAY:
            foreign_born = False
    if foreign_born:
        p["P19_BIRTHPLACE"] = origin
        p["P24_ARRIVAL"] = arrival
        iso = by_m49()[countries[origin][0]].iso3
        p["P25_MOTHER_COB"] = iso
        p["P26_FATHER_COB"] = iso if rng.random() < 0.9 else "KEN"
        refugee = origin in REFUGEE_ORIGINS and rng.random() < 0.7
        reasons = (
            [41, 42, 42, 43, 44, 51, 52]
            if refugee
            else [11, 11, 12, 13, 14, 21, 22, 22, 31, 32, 71, 72, 73, 74, 79]
        )
        p["P23_REASON"] = (
            23 if age_at(born, arrival) < 15 else int(rng.choice(reasons))
        )  # children come with their parents
        if rng.random() < 0.015:
            p["P23_REASON"] = 98 if rng.random() < 0.6 else 99
        draw_citizenship_foreign_born(rng, p, origin, arrival)
        if p["P17A_ACQUIRED"] == 3 and p["P23_REASON"] != 23:  # a child of a Kenyan, come home
            p["P23_REASON"] = 61
        # previous residence: straight from abroad, or moved within Kenya after arriving
        if rng.random() < 0.65 or arrival > date(2028, 6, 1):
            moved_in, previous = arrival, origin
        else:
            moved_in = random_day(rng, arrival, LAST_DAY)
            previous = hh.county if rng.random() < 0.4 else int(rng.integers(1, 48))
    else:
        if hh.foreign_origin is not None:  # born in Kenya to a foreign-born household
            birthplace = hh.county
            iso = by_m49()[countries[hh.foreign_origin][0]].iso3
            p["P25_MOTHER_COB"] = p["P26_FATHER_COB"] = iso
            p["P17_CITIZEN"], p["P18_NATIONALITY"] = 6, hh.foreign_origin
        else:
            birthplace = hh.county if rng.random() < 0.6 else int(rng.integers(1, 48))
            p["P25_MOTHER_COB"] = "KEN" if rng.random() < 0.97 else "UGA"
            p["P26_FATHER_COB"] = "KEN" if rng.random() < 0.97 else "TZA"
            draw_citizenship_native(rng, p)
        p["P19_BIRTHPLACE"] = birthplace
        if birthplace == hh.county and rng.random() < 0.6:
            moved_in, previous = None, None  # since birth
        else:
            moved_in = random_day(rng, born, LAST_DAY)
            previous = hh.county if rng.random() < 0.4 else int(rng.integers(1, 48))
        arrival = None
    fill_residence(p, hh, born, age, moved_in, previous, arrival, rng)
    return p


def draw_citizenship_native(rng: np.random.Generator, p: dict[str, Any]) -> None:
    draw = rng.random()
    if draw < 0.02:  # dual citizens: a citizen with a country of citizenship (national universe)
        p["P17_CITIZEN"], p["P18_NATIONALITY"] = 4, int(rng.choice([768, 790, 649, 731]))
    elif draw < 0.03:
        p["P17_CITIZEN"], p["P18_NATIONALITY"] = 9, NATIONAL_UNKNOWN
    else:
        p["P17_CITIZEN"], p["P18_NATIONALITY"] = 1, NATIONAL_KENYA


def draw_citizenship_foreign_born(
    rng: np.random.Generator, p: dict[str, Any], origin: int, arrival: date
) -> None:
    draw = rng.random()
    settled = arrival < date(2020, 1, 1)
    if draw < 0.04:
        p["P17_CITIZEN"], p["P18_NATIONALITY"] = 7, NATIONAL_STATELESS
    elif settled and draw < 0.14:
        p["P17_CITIZEN"], p["P18_NATIONALITY"] = 3, NATIONAL_KENYA
        p["P17A_ACQUIRED"] = 1
    elif settled and draw < 0.22:
        p["P17_CITIZEN"], p["P18_NATIONALITY"] = 2, NATIONAL_KENYA
        p["P17A_ACQUIRED"] = int(rng.choice([2, 3]))
    elif settled and draw < 0.27:
        p["P17_CITIZEN"], p["P18_NATIONALITY"] = 5, origin
        p["P17A_ACQUIRED"] = 2
    else:
        p["P17_CITIZEN"], p["P18_NATIONALITY"] = 6, origin


def fill_residence(
    p: dict[str, Any],
    hh: Household,
    born: date,
    age: int,
    moved_in: date | None,
    previous: int | None,
    arrival: date | None,
    rng: np.random.Generator,
) -> None:
    """Duration, previous residence and residence one and five years ago, from the dates of moves."""
    if moved_in is None:
        p["P20_MOVED"] = 1
    else:
        p["P20_MOVED"] = 2
        p["P21_YEARS_HERE"] = age_at(moved_in, REF_DATE)
        p["P22_PREV_TYPE"] = 2 if previous >= 600 else 1
        p["P22A_PREV_PLACE"] = previous
    for years, code, place, then in (
        (1, "P27_RES1Y", "P28_RES1Y_PLACE", ONE_YEAR_AGO),
        (5, "P29_RES5Y", "P30_RES5Y_PLACE", FIVE_YEARS_AGO),
    ):
        if age < years:
            p[code] = 0  # not asked: not born then
        elif moved_in is not None and rng.random() < 0.012:  # a few movers do not say where
            p[code] = 8 if rng.random() < 0.6 else 9
        elif moved_in is None or moved_in <= then:
            p[code] = 1 if rng.random() < 0.85 else 2
        elif arrival is not None and arrival > then:
            p[code], p[place] = 5, p["P19_BIRTHPLACE"]
        else:
            where = previous if previous < 600 else hh.county
            p[code], p[place] = (3 if where == hh.county else 4), where


def draw(rng: np.random.Generator) -> tuple[list[Household], pd.DataFrame]:
    households = draw_households(rng)
    sizes = rng.choice(np.arange(1, 9), size=len(households),
                       p=[0.12, 0.18, 0.2, 0.18, 0.13, 0.09, 0.06, 0.04])  # fmt: skip
    rows = []
    for hh, size in zip(households, sizes, strict=True):
        hh.persons = [draw_person(rng, hh, line) for line in range(1, int(size) + 1)]
        if rng.random() < 0.07:  # a visitor on census night: listed, not asked the module
            visitor = {name: None for name in VARIABLES}
            born = draw_birth(rng, hh.interview, head=True)
            visitor.update(
                HHID=hh.hhid, P01_LINE=int(size) + 1, COUNTY=hh.county, INT_DATE=hh.interview,
                P11_SEX=int(rng.integers(1, 3)), P12_DOB=born, P15_USUAL=2,
                H40_EMIGRANTS=1 if hh.emigrants else 2, H41_EMIGRANTS_N=hh.emigrants or None,
            )  # fmt: skip
            hh.persons.append(visitor)
        rows += hh.persons
    return households, pd.DataFrame(rows, columns=list(VARIABLES))


# ---- planting ------------------------------------------------------------------------------------
@dataclass
class Defect:
    code: str
    question: str  # question or edit of the finding ("" for identifiers)
    variable: str  # national variable changed
    value: str  # value planted ("" for a blank)
    description: str
    rows: list[int]  # 1-based rows of the file
    ids: list[list[Any]] = field(default_factory=list)  # [HHID, P01_LINE] of each row


def plant(frame: pd.DataFrame, rng: np.random.Generator) -> list[Defect]:
    """Plant the defects on rows chosen by rule (never a household's first row, never twice)."""
    used: set[int] = set()
    usual = frame["P15_USUAL"].to_numpy() == 1
    later = frame.duplicated("HHID").to_numpy()
    foreign = (frame["P19_BIRTHPLACE"] >= 600).to_numpy() & usual
    arrival_year = frame["P24_ARRIVAL"].map(lambda d: d.year if d else np.nan).to_numpy()

    def pick(mask: np.ndarray, n: int) -> list[int]:
        candidates = [int(r) for r in np.flatnonzero(mask & later) if int(r) not in used]
        chosen = sorted(int(r) for r in rng.choice(candidates, size=n, replace=False))
        used.update(chosen)
        return chosen

    defects = []

    def record(code, question, variable, value, description, rows):
        defects.append(
            Defect(
                code, question, variable, value, description,
                [r + 1 for r in rows],
                [[frame.at[r, "HHID"], int(frame.at[r, "P01_LINE"])] for r in rows],
            )
        )  # fmt: skip

    # 1. three duplicate persons: a line number repeated within the household
    dup_rows = pick(usual & frame.duplicated(["HHID"]).to_numpy(), 3)
    for r in dup_rows:
        frame.at[r, "P01_LINE"] = int(frame.at[r - 1, "P01_LINE"])
    record("DATA-ID-001", "", "P01_LINE", "the line number of the row before",
           "row repeats the (HHID, P01_LINE) of the row before; households whose 17-digit ids "
           "differ only in the last digit are not duplicates", dup_rows)  # fmt: skip
    # 2. year of arrival blank for four persons born abroad (national universe: foreign_born)
    rows = pick(foreign, 4)
    frame.loc[rows, "P24_ARRIVAL"] = None
    record("DATA-UNIV-002", "year_of_arrival", "P24_ARRIVAL", "",
           "date of arrival blank for a person born abroad", rows)  # fmt: skip
    # 3. arrival before birth: a person born abroad who has lived here since before 2024
    (row,) = pick(foreign & (arrival_year <= 2023) & (frame["P12_DOB"].map(
        lambda d: d.year >= 1960).to_numpy()), 1)  # fmt: skip
    arrival = years_before(frame.at[row, "P12_DOB"], 6)
    frame.at[row, "P24_ARRIVAL"] = arrival
    record("DATA-EDIT-001", "C03_arrival_before_birth", "P24_ARRIVAL", arrival.isoformat(),
           "date of arrival six years before the date of birth", [row])  # fmt: skip
    # 4. a national country code that the crosswalk does not know
    (row,) = pick(foreign & (frame["P17_CITIZEN"] == 6).to_numpy(), 1)
    frame.at[row, "P19_BIRTHPLACE"] = UNKNOWN_COUNTRY_CODE
    record("DATA-CODE-002", "country_of_birth", "P19_BIRTHPLACE", str(UNKNOWN_COUNTRY_CODE),
           f"birth place {UNKNOWN_COUNTRY_CODE}: in no row of national_countries.csv, and not "
           "an M49 code", [row])  # fmt: skip
    # 5. a sex code out of range
    (row,) = pick(usual, 1)
    frame.at[row, "P11_SEX"] = 7
    record("DATA-CODE-001", "sex", "P11_SEX", "7", "sex coded 7 (the national list has 1 and 2)",
           [row])  # fmt: skip
    # 6. a reason code outside every range of the recode (which has no else)
    has_reason = frame["P23_REASON"].between(11, 79).to_numpy()
    (row,) = pick(foreign & has_reason, 1)
    frame.at[row, "P23_REASON"] = UNKNOWN_REASON_CODE
    record("DATA-CODE-001", "reason_for_migration", "P23_REASON", str(UNKNOWN_REASON_CODE),
           f"reason {UNKNOWN_REASON_CODE}: outside every range of the recode, which has no else",
           [row])  # fmt: skip
    return defects


# ---- the standard view and its check --------------------------------------------------------------
def recode_value(value: Any, table: dict[str, Any]) -> Any:
    """Exact key, then inclusive ranges, then else; unmapped values are kept (the issue's order)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    key = str(int(value)) if isinstance(value, (int, float, np.integer)) else str(value).strip()
    if key in table:
        return table[key]
    for range_key, standard in table.items():
        if ":" in range_key and isinstance(value, (int, float, np.integer)):
            low, high = (float(x) for x in range_key.split(":"))
            if low <= float(value) <= high:
                return standard
    return table.get("else", value)


def crosswalk_table() -> dict[str, Any]:
    return {k: (None if v == "null" else int(v)) for k, v in crosswalk_rows()}


def standard_view(
    frame: pd.DataFrame, for_todays_engine: bool = False
) -> tuple[pd.DataFrame, list[int]]:
    """The usual residents coded to the standard, as the profile says; and their file rows.

    `for_todays_engine`: with the two changes that let an engine without national universes
    check it (below)."""
    usual = frame[frame["P15_USUAL"] == 1]
    rows = [int(i) + 1 for i in usual.index]
    view = pd.DataFrame(index=usual.index)
    hh_index = {h: i + 1 for i, h in enumerate(dict.fromkeys(frame["HHID"]))}
    view["hh_id"] = usual["HHID"].map(hh_index)  # small numbers: today's engine compares floats
    view["person_no"] = usual["P01_LINE"]
    for question, source in VARIABLE_MAP.items():
        if isinstance(source, dict):
            column = usual[source["from"]]
            low, high = (1, 47) if "<= 47" in source["where"] else (600, 10**6)
            view[question] = column.where(column.between(low, high))
        else:
            view[question] = usual[source]
    view["age"] = [age_at(b, i) for b, i in zip(usual["P12_DOB"], usual["INT_DATE"], strict=True)]
    view["year_of_arrival"] = usual["P24_ARRIVAL"].map(lambda d: d.year if d else None)
    view["duration_of_residence"] = np.where(usual["P20_MOVED"] == 1, 96, usual["P21_YEARS_HERE"])
    tables = {
        "reason_for_migration": REASON_RECODE,
        "citizenship": CITIZENSHIP_RECODE,
        "residence_1y_ago": RESIDENCE_RECODE,
        "residence_5y_ago": RESIDENCE_RECODE,
        **{q: crosswalk_table() for q in CROSSWALKED},
    }
    for question, table in tables.items():
        view[question] = view[question].map(lambda v, t=table: recode_value(v, t))
    iso = {c.iso3: c.m49 for c in by_m49().values()}
    for question in ISO3:
        view[question] = view[question].map(lambda v: iso.get(v, v))
    # The module asks country of citizenship of foreign citizens only: today's engine knows no
    # national universe, so the view keeps the module's (dual citizens' answers are checked by the
    # engine's tests). Nobody here lived abroad without being born abroad: ever lived abroad,
    # not asked nationally, is "no" for the native-born, which makes the module's universe of
    # year of arrival the national one (foreign_born).
    if for_todays_engine:
        view.loc[view["citizenship"] != 3, "country_of_citizenship"] = None
        view["ever_lived_abroad"] = np.where(view["country_of_birth"] == 404, 2, np.nan)
    for column in view.columns:
        view[column] = pd.to_numeric(view[column], errors="coerce")
    return view.reset_index(drop=True), rows


def verify(frame: pd.DataFrame, defects: list[Defect]) -> None:
    """Today's engine on the standard view finds exactly the planted defects, in their rows."""
    from migmodule.validate import validate_data

    view, rows = standard_view(frame, for_todays_engine=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "standard.csv"
        view.to_csv(data, index=False)
        areas = "\n".join(
            f"        - {{code: {i}, label: {{en: {json.dumps(n)}}}}}"
            for i, n in enumerate(COUNTIES, 1)
        )
        profile = Path(tmp) / "standard.profile.yaml"
        profile.write_text(
            f"profile_format: 1\nname: standard-view\ncountry: KEN\nreference_date: {REF_DATE}\n"
            f"modules:\n  - module: {MODULE}\n    files: {{person: standard.csv}}\n"
            f"    exclude: {json.dumps(EXCLUDED[1:])}\n"
            f"    parameters:\n      ADMIN_AREAS:\n{areas}\n",
            encoding="utf-8",
        )
        report = validate_data({"person": data}, profile=profile, max_examples=10_000,
                               chunk_size=None)  # fmt: skip
    found = {
        (r.code, r.question or r.edit or ""): sorted(rows[e["row"] - 1] for e in r.examples)
        for r in report.results
        if r.finding is not None
    }
    expected = {(d.code, d.question): d.rows for d in defects}
    if found != expected:
        raise SystemExit(f"the standard view does not give exactly the planted defects:\n"
                         f"found    {found}\nexpected {expected}")  # fmt: skip


# ---- writing ---------------------------------------------------------------------------------------
def value_labels() -> dict[str, dict[int, str]]:
    labels = {name: dict(vl) for name, (_, vl) in VARIABLES.items() if vl}
    labels["COUNTY"] = {i: n for i, n in enumerate(COUNTIES, 1)}
    for name in PLACE_COLUMNS:
        labels[name] = place_labels()
    return labels


def typed(frame: pd.DataFrame, numeric_ids: bool) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        if name in DATE_COLUMNS:
            continue  # datetime.date objects: written as SPSS DATE11 and Stata %td
        if name in TEXT_ID_COLUMNS:
            out[name] = out[name].fillna("").astype(str)
        else:
            out[name] = out[name].astype(float)
    if numeric_ids:
        out["HHID"] = out["HHID"].map(lambda h: float(int(h[2:])))
    return out


def write_sav(frame: pd.DataFrame, path: Path, numeric_ids: bool = False) -> None:
    out = typed(frame, numeric_ids)
    pyreadstat.write_sav(
        out,
        str(path),
        column_labels={n: VARIABLES[n][0] for n in out.columns},
        variable_value_labels=value_labels(),
        missing_ranges={n: list(codes) for n, codes in USER_MISSING.items()},
        variable_format={
            n: "F15.0" if n == "HHID" else "F8.0"
            for n in out.columns
            if n not in DATE_COLUMNS
            and (n != "HHID" or numeric_ids)
            and n not in TEXT_ID_COLUMNS[1:]
        },
    )


def write_dta(frame: pd.DataFrame, path: Path, numeric_ids: bool = False) -> None:
    out = typed(frame, numeric_ids)
    pyreadstat.write_dta(
        out,
        str(path),
        column_labels={n: VARIABLES[n][0] for n in out.columns},
        variable_value_labels=value_labels(),
        variable_format={
            n: "%15.0f" if n == "HHID" else "%8.0g"
            for n in out.columns
            if n not in DATE_COLUMNS
            and (n != "HHID" or numeric_ids)
            and n not in TEXT_ID_COLUMNS[1:]
        },
        version=14,  # format 118
    )


def fix_timestamp(path: Path) -> None:
    """Write the census date where readstat writes the time of writing: the same bytes each run."""
    data = bytearray(path.read_bytes())
    day = (
        f"{REF_DATE.day:02d} {'JanFebMarAprMayJunJulAugSepOctNovDec'[3 * REF_DATE.month - 3 :][:3]}"
    )
    if path.suffix == ".sav":  # header: creation date (9 bytes) and time (8) at offset 92
        data[92:109] = f"{day} {REF_DATE.year % 100:02d}00:00:00".encode()
    else:  # format 118: <timestamp>, a length byte (17), "dd Mon yyyy hh:mm"
        at = data.index(b"<timestamp>\x11") + len(b"<timestamp>\x11")
        data[at : at + 17] = f"{day} {REF_DATE.year} 00:00".encode()
    path.write_bytes(bytes(data))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Text answers for the labelled questions (a CAPI export), ISO dates, blanks for missing."""
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if name in DATE_COLUMNS:
            out[name] = column.map(lambda d: d.isoformat() if d else "")
        elif name in TEXT_COLUMNS:
            out[name] = column.map(
                lambda v, labels=TEXT_COLUMNS[name]: (
                    "" if pd.isna(v) else labels.get(int(v), str(int(v)))
                )
            )
        elif name in TEXT_ID_COLUMNS:
            out[name] = column.fillna("")
        else:
            out[name] = column.map(lambda v: "" if pd.isna(v) else str(int(v)))
    out.to_csv(path, index=False, lineterminator="\n")


def text_recodes() -> dict[str, dict[str, Any]]:
    """The CSV's recodes: the same national codes, keyed by their labels."""
    by_label = {
        "sex": {SEX[c]: c for c in SEX},
        "citizenship": {CITIZENSHIP[int(k)]: v for k, v in CITIZENSHIP_RECODE.items() if ":" not in k and k != "else"},
        "residence_1y_ago": {RESIDENCE[int(k)]: v for k, v in RESIDENCE_RECODE.items() if ":" not in k},
        "emigrants_any": {YES_NO[c]: c for c in YES_NO},
    }  # fmt: skip
    for low_high, standard in CITIZENSHIP_RECODE.items():
        if ":" in low_high:
            low, high = (int(x) for x in low_high.split(":"))
            by_label["citizenship"].update({CITIZENSHIP[c]: standard for c in range(low, high + 1)})
    by_label["citizenship"]["else"] = CITIZENSHIP_RECODE["else"]
    for low_high, standard in RESIDENCE_RECODE.items():
        if ":" in low_high:
            low, high = (int(x) for x in low_high.split(":"))
            by_label["residence_1y_ago"].update(
                {RESIDENCE[c]: standard for c in range(low, high + 1)}
            )
    by_label["residence_5y_ago"] = dict(by_label["residence_1y_ago"])
    return by_label


def _yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flow(mapping: dict[str, Any]) -> str:
    return (
        "{"
        + ", ".join(
            f"{k if k == 'else' else json.dumps(k, ensure_ascii=False).replace(chr(34), chr(39)) if not any(c in k for c in chr(39)) else json.dumps(k, ensure_ascii=False)}: {_yaml_value(v)}"
            for k, v in mapping.items()
        )
        + "}"
    )


def profile_text(data_file: str, csv: bool) -> str:
    recodes: dict[str, Any] = {
        "reason_for_migration": REASON_RECODE,
        "citizenship": CITIZENSHIP_RECODE,
        "residence_1y_ago": RESIDENCE_RECODE,
        "residence_5y_ago": RESIDENCE_RECODE,
    }
    if csv:
        recodes.update(text_recodes())
    lines = [
        f"# Profile of the national census sample ({'CSV with text answers' if csv else '.sav and .dta'}).",
        "# Written by samples/make_national_sample.py; samples/README.md explains each form.",
        "profile_format: 1",
        "name: ken-census-2029-sample",
        "country: KEN",
        f"reference_date: {REF_DATE.isoformat()}",
        "languages: [en, fr, es]",
        "modules:",
        f"  - module: {MODULE}",
        "    files:",
        f"      person: {data_file}",
        "    # not asked by this census; the emigrant roster is not in the sample",
        f"    exclude: [{', '.join(EXCLUDED)}]",
        "    ids: {hh_id: HHID, person_no: P01_LINE}",
        "    parameters:",
        "      ADMIN_AREAS: national_counties.csv",
        "    levels:",
        f'      person: {{where: "{LEVEL_WHERE}"}}   # visitors are listed but not asked',
        "    variables:",
    ]
    for question, source in VARIABLE_MAP.items():
        if isinstance(source, dict):
            lines.append(
                f'      {question}: {{from: {source["from"]}, where: "{source["where"]}"}}'
            )
        else:
            lines.append(f"      {question}: {source}")
    lines.append("    derive:")
    lines += [f'      {q}: "{e}"' for q, e in DERIVE.items()]
    lines.append("    recodes:")
    for question, table in recodes.items():
        lines.append(f"      {question}: {_flow(table)}")
    lines += [f"      {q}: national_countries.csv" for q in CROSSWALKED]
    lines += [f"      {q}: iso3" for q in ISO3]
    lines.append("    universes:")
    lines += [f'      {q}: "{u}"' for q, u in UNIVERSES.items()]
    return "\n".join(lines) + "\n"


SAMPLE_FILES = {  # file -> (profile, how the household id is stored)
    "national_persons.sav": ("national.profile.yaml", "17-digit text"),
    "national_persons.dta": ("national.profile.yaml", "17-digit text"),
    "national_persons.csv": ("national_csv.profile.yaml", "17-digit number in a CSV"),
    "national_persons_numid.sav": ("national.profile.yaml", "15-digit number (double)"),
    "national_persons_numid.dta": ("national.profile.yaml", "15-digit number (double)"),
}


def readme_section(manifest: dict[str, Any]) -> str:
    lines = [
        "## national: a census file coded with national codes (census-key-questions@1.0.0)",
        "",
        f"`national_persons.*` hold {manifest['rows']} persons ({manifest['usual_residents']} usual "
        f"residents, {manifest['rows'] - manifest['usual_residents']} visitors) in "
        f"{manifest['households']} households, coded the way a national office delivers a census "
        "file: Kenya 2019 census names and codes, 17-digit household identifiers, dates instead of "
        "ages. Generated by `python samples/make_national_sample.py` (seeded), which also checks that "
        "the file recoded to the standard gives exactly the planted defects below.",
        "",
        "```",
        "mkdir -p out",
        "migmodule validate samples/national_persons.sav --profile samples/national.profile.yaml "
        "--report out/national-report.html",
        "```",
        "",
        "| file | household id | profile |",
        "|---|---|---|",
    ]
    lines += [f"| `{f}` | {how} | `{p}` |" for f, (p, how) in SAMPLE_FILES.items()]
    lines += [
        "",
        "The .sav files carry value labels and declare user-missing codes (8/9, 98/99, 999); the "
        ".dta files carry value labels; the CSV gives words for sex, citizenship, residence one and "
        "five years ago and emigrants (`Male`, `Foreign national`, `Outside Kenya`, `Yes`), and "
        "dates as `YYYY-MM-DD`.",
        "",
        "Every form of the national profile language is used:",
        "",
        "- `ids: {hh_id: HHID, person_no: P01_LINE}`: `HHID` is text of 17 digits (county, "
        "constituency, ward, enumeration area, household); neighbouring households differ only in "
        "the last digit, and as floating point numbers many of them would be equal.",
        "- `variables`: plain names, and `{from, where}`: `P19_BIRTHPLACE` holds a county (1-47) or a "
        "national country code (600-813) and feeds `place_of_birth` (counties only) and "
        "`country_of_birth`; `P22A_PREV_PLACE`, `P28_RES1Y_PLACE` and `P30_RES5Y_PLACE` feed an area "
        "and a country question each.",
        "- `derive`: `age` from the date of birth and the interview date (`age_at`), "
        "`year_of_arrival` from the date of arrival (`year`), `duration_of_residence` with `if`.",
        "- `recodes`: ranges (`'11:14': 1`, a two-digit national list of reasons), `else` "
        "(citizenship), `null` (`'0'`, not asked of children not born one or five years before), "
        "text keys in `national_csv.profile.yaml` (`Male: 1`), the crosswalk file "
        '`national_countries.csv` (a range `1:47` for the counties, `null` for "Kenya" in the '
        'nationality item and for "Stateless") and `iso3` for the parents\' countries of birth.',
        "- `parameters: {ADMIN_AREAS: national_counties.csv}` (code, label_en, label_fr, label_es).",
        '- `levels: {person: {where: "P15_USUAL == 1"}}`: visitors are in the roster but not asked.',
        "- `universes`: `year_of_arrival: foreign_born` (this census does not ask whether a person "
        'ever lived abroad) and `country_of_citizenship: "true"` (asked of everyone: dual '
        "citizens give their other citizenship).",
        "",
        "| # | check (code) | question / edit | rows | variable | value | what was planted |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, d in enumerate(manifest["defects"], 1):
        rows = ", ".join(str(r) for r in d["rows"])
        value = f"`{d['value']}`" if d["value"] and " " not in d["value"] else d["value"] or "blank"
        lines.append(
            f"| {i} | {d['code']} | {d['question'] or '-'} | {rows} | `{d['variable']}` | {value} | "
            f"{d['description']} |"
        )
    lines += [
        "",
        "Clean rows that only the national forms keep clean: "
        + "; ".join(f"{n} {what}" for what, n in manifest["clean_but_national"].items())
        + ".",
        "",
        "Rows are 1-based rows of every file (visitors included). All other rows are clean: no "
        "error-level finding may fall on them, with the identifiers stored as text, as numbers "
        "and in the CSV (`tests/test_national_sample.py`).",
        "",
    ]
    return "\n".join(_wrap(line) for line in lines)


def _wrap(line: str) -> str:
    """Prose at 100 columns like the rest of the README; tables, code and headings as they are."""
    if line.startswith(("|", "#", "`" * 3, "migmodule ", "mkdir ")) or len(line) <= 100:
        return line
    indent = "  " if line.startswith("- ") else ""
    return textwrap.fill(line, 100, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)  # fmt: skip


MARKER = "## national:"


def update_readme(path: Path, section: str) -> None:
    """Append the section, or replace it (it is the last one) when make_national_sample reruns."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Sample data\n"
    if MARKER in text:
        text = text[: text.index(MARKER)]
    path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


def make(out: Path, check: bool = True) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    households, frame = draw(rng)
    defects = plant(frame, rng)
    if check:
        verify(frame, defects)
    out.mkdir(parents=True, exist_ok=True)
    write_sav(frame, out / "national_persons.sav")
    write_dta(frame, out / "national_persons.dta")
    write_csv(frame, out / "national_persons.csv")
    write_sav(frame, out / "national_persons_numid.sav", numeric_ids=True)
    write_dta(frame, out / "national_persons_numid.dta", numeric_ids=True)
    for name in SAMPLE_FILES:
        if not name.endswith(".csv"):
            fix_timestamp(out / name)
    (out / "national.profile.yaml").write_text(
        profile_text("national_persons.sav", csv=False), encoding="utf-8"
    )
    (out / "national_csv.profile.yaml").write_text(
        profile_text("national_persons.csv", csv=True), encoding="utf-8"
    )
    with (out / "national_countries.csv").open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("national,standard\n")
        fh.writelines(f"{n},{s}\n" for n, s in crosswalk_rows())
    with (out / "national_counties.csv").open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("code,label_en,label_fr,label_es\n")
        for code, name in enumerate(COUNTIES, 1):
            fr, es = COUNTY_NAMES_FR_ES.get(code, (name, name))
            fh.write(",".join(_csv_cell(x) for x in (str(code), name, fr, es)) + "\n")
    manifest = {
        "module": MODULE,
        "files": {
            name: {"profile": p, "household_id": how} for name, (p, how) in SAMPLE_FILES.items()
        },
        "level": "person",
        "rows": len(frame),
        "usual_residents": int((frame["P15_USUAL"] == 1).sum()),
        "households": len(households),
        "unknown_country_code": UNKNOWN_COUNTRY_CODE,
        "unknown_reason_code": UNKNOWN_REASON_CODE,
        "clean_but_national": clean_but_national(frame),
        "defects": [d.__dict__ for d in defects],
    }
    (out / "national_defects.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    update_readme(out / "README.md", readme_section(manifest))
    return manifest


def clean_but_national(frame: pd.DataFrame) -> dict[str, int]:
    """Clean rows that only the national forms make clean: an engine without them errs there."""
    usual = frame["P15_USUAL"] == 1
    ids = frame["HHID"].drop_duplicates()
    return {
        "visitors (level where)": int((~usual).sum()),
        "citizens with a country of citizenship (universe true)": int(
            (usual & frame["P17_CITIZEN"].isin([4, 5])).sum()
        ),
        "nationality Kenya or Stateless (crosswalk null)": int(
            frame["P18_NATIONALITY"].isin([NATIONAL_KENYA, NATIONAL_STATELESS]).sum()
        ),
        "children not asked residence one or five years ago (code 0, null)": int(
            ((frame["P27_RES1Y"] == 0) | (frame["P29_RES5Y"] == 0)).sum()
        ),
        "households whose id equals another's as a float": int(
            ids.astype(float).duplicated(keep=False).sum()
        ),
    }


def _csv_cell(text: str) -> str:
    return f'"{text}"' if re.search(r'[,"]', text) else text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=HERE)
    parser.add_argument(
        "--no-verify", action="store_true", help="skip the check with today's engine"
    )
    args = parser.parse_args(argv)
    manifest = make(args.out, check=not args.no_verify)
    print(f"national: {manifest['rows']} rows, {len(manifest['defects'])} defects planted",
          file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
