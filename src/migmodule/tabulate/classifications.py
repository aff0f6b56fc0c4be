"""The titles of the ISCO-08 major groups and the ISIC Rev.4 sections in en, fr and es, for the
labels of the occupation and industry dimensions ("2 Professionals", "Q Human health and social
work activities").

Sources (the classifications as their custodians publish them in the three languages):

- ISCO-08: ILO, International Standard Classification of Occupations, ISCO-08, Volume I:
  Structure, group definitions and correspondence tables (Geneva, 2012); in French, Classification
  internationale type des professions, CITP-08; in Spanish, Clasificación Internacional Uniforme
  de Ocupaciones, CIUO-08.
- ISIC Rev.4: UN Statistics Division, International Standard Industrial Classification of All
  Economic Activities (ISIC), Revision 4, Statistical Papers Series M No. 4/Rev.4
  (ST/ESA/STAT/SER.M/4/Rev.4, New York, 2008); in French, Classification internationale type, par
  industrie, de toutes les branches d'activité économique (CITI), Révision 4; in Spanish,
  Clasificación Industrial Internacional Uniforme de todas las actividades económicas (CIIU),
  Revisión 4.

What was checked here: the English ISCO-08 titles against a published copy of the ILO code list
(the case of the copy read differs: "Armed Forces Occupations"; the ILO's volume writes them in
sentence case, as below). The French and Spanish titles, and the English ISIC titles, are written
as those editions name them but were not re-read against them in this session
(docs/tabulate.md says so). Portuguese has no title here: a pt label keeps the catalogue's
number-only form.
"""

from __future__ import annotations

# ISCO-08 major groups, by number (0 the armed forces).
ISCO_08_MAJOR_GROUPS: dict[int, dict[str, str]] = {
    0: {
        "en": "Armed forces occupations",
        "fr": "Professions militaires",
        "es": "Ocupaciones militares",
    },
    1: {
        "en": "Managers",
        "fr": "Directeurs, cadres de direction et gérants",
        "es": "Directores y gerentes",
    },
    2: {
        "en": "Professionals",
        "fr": "Professions intellectuelles et scientifiques",
        "es": "Profesionales científicos e intelectuales",
    },
    3: {
        "en": "Technicians and associate professionals",
        "fr": "Professions intermédiaires",
        "es": "Técnicos y profesionales de nivel medio",
    },
    4: {
        "en": "Clerical support workers",
        "fr": "Employés de type administratif",
        "es": "Personal de apoyo administrativo",
    },
    5: {
        "en": "Service and sales workers",
        "fr": "Personnel des services directs aux particuliers, commerçants et vendeurs",
        "es": "Trabajadores de los servicios y vendedores de comercios y mercados",
    },
    6: {
        "en": "Skilled agricultural, forestry and fishery workers",
        "fr": "Agriculteurs et ouvriers qualifiés de l'agriculture, de la sylviculture et de la pêche",
        "es": "Agricultores y trabajadores calificados agropecuarios, forestales y pesqueros",
    },
    7: {
        "en": "Craft and related trades workers",
        "fr": "Métiers qualifiés de l'industrie et de l'artisanat",
        "es": "Oficiales, operarios y artesanos de artes mecánicas y de otros oficios",
    },
    8: {
        "en": "Plant and machine operators, and assemblers",
        "fr": "Conducteurs d'installations et de machines, et ouvriers de l'assemblage",
        "es": "Operadores de instalaciones y máquinas y ensambladores",
    },
    9: {
        "en": "Elementary occupations",
        "fr": "Professions élémentaires",
        "es": "Ocupaciones elementales",
    },
}

# ISIC Rev.4 sections, by letter.
ISIC_4_SECTIONS: dict[str, dict[str, str]] = {
    "A": {
        "en": "Agriculture, forestry and fishing",
        "fr": "Agriculture, sylviculture et pêche",
        "es": "Agricultura, ganadería, silvicultura y pesca",
    },
    "B": {
        "en": "Mining and quarrying",
        "fr": "Activités extractives",
        "es": "Explotación de minas y canteras",
    },
    "C": {
        "en": "Manufacturing",
        "fr": "Activités de fabrication",
        "es": "Industrias manufactureras",
    },
    "D": {
        "en": "Electricity, gas, steam and air conditioning supply",
        "fr": "Production et distribution d'électricité, de gaz, de vapeur et climatisation",
        "es": "Suministro de electricidad, gas, vapor y aire acondicionado",
    },
    "E": {
        "en": "Water supply; sewerage, waste management and remediation activities",
        "fr": "Distribution d'eau; réseau d'assainissement; gestion des déchets et remise en état",
        "es": "Suministro de agua; evacuación de aguas residuales, gestión de desechos y "
        "descontaminación",
    },
    "F": {"en": "Construction", "fr": "Construction", "es": "Construcción"},
    "G": {
        "en": "Wholesale and retail trade; repair of motor vehicles and motorcycles",
        "fr": "Commerce de gros et de détail; réparation de véhicules automobiles et de motocycles",
        "es": "Comercio al por mayor y al por menor; reparación de vehículos automotores y "
        "motocicletas",
    },
    "H": {
        "en": "Transportation and storage",
        "fr": "Transport et entreposage",
        "es": "Transporte y almacenamiento",
    },
    "I": {
        "en": "Accommodation and food service activities",
        "fr": "Activités d'hébergement et de restauration",
        "es": "Actividades de alojamiento y de servicio de comidas",
    },
    "J": {
        "en": "Information and communication",
        "fr": "Information et communication",
        "es": "Información y comunicaciones",
    },
    "K": {
        "en": "Financial and insurance activities",
        "fr": "Activités financières et d'assurances",
        "es": "Actividades financieras y de seguros",
    },
    "L": {
        "en": "Real estate activities",
        "fr": "Activités immobilières",
        "es": "Actividades inmobiliarias",
    },
    "M": {
        "en": "Professional, scientific and technical activities",
        "fr": "Activités professionnelles, scientifiques et techniques",
        "es": "Actividades profesionales, científicas y técnicas",
    },
    "N": {
        "en": "Administrative and support service activities",
        "fr": "Activités de services administratifs et d'appui",
        "es": "Actividades de servicios administrativos y de apoyo",
    },
    "O": {
        "en": "Public administration and defence; compulsory social security",
        "fr": "Administration publique et défense; sécurité sociale obligatoire",
        "es": "Administración pública y defensa; planes de seguridad social de afiliación "
        "obligatoria",
    },
    "P": {"en": "Education", "fr": "Enseignement", "es": "Enseñanza"},
    "Q": {
        "en": "Human health and social work activities",
        "fr": "Activités relatives à la santé humaine et à l'action sociale",
        "es": "Actividades de atención de la salud humana y de asistencia social",
    },
    "R": {
        "en": "Arts, entertainment and recreation",
        "fr": "Arts, spectacles et loisirs",
        "es": "Actividades artísticas, de entretenimiento y recreativas",
    },
    "S": {
        "en": "Other service activities",
        "fr": "Autres activités de services",
        "es": "Otras actividades de servicios",
    },
    "T": {
        "en": "Activities of households as employers; undifferentiated goods- and "
        "services-producing activities of households for own use",
        "fr": "Activités des ménages privés employant du personnel domestique; activités non "
        "différenciées de production de biens et de services des ménages privés pour usage "
        "propre",
        "es": "Actividades de los hogares como empleadores; actividades no diferenciadas de los "
        "hogares como productores de bienes y servicios para uso propio",
    },
    "U": {
        "en": "Activities of extraterritorial organizations and bodies",
        "fr": "Activités des organisations et organismes extraterritoriaux",
        "es": "Actividades de organizaciones y órganos extraterritoriales",
    },
}


def isco_major_group_title(code: int, lang: str) -> str | None:
    """The title of ISCO-08 major group `code` (0-9) in `lang`; None if it has none in `lang`."""
    return ISCO_08_MAJOR_GROUPS.get(code, {}).get(lang)


def isic_section_title(letter: str, lang: str) -> str | None:
    """The title of ISIC Rev.4 section `letter` (A-U) in `lang`; None if it has none in `lang`."""
    return ISIC_4_SECTIONS.get(letter, {}).get(lang)
