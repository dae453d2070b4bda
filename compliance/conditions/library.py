"""The standard condition library and document types, loaded by a data migration and editable by an
administrator afterwards. Dutch texts are data here (what an officer sees in the library)."""

from decimal import Decimal

# code, name, max age on receipt (months), valid for (months); see reference/verantwoording_documenten.csv
DOCUMENT_TYPES = [
    ("annual_accounts", "Jaarrekening", None, 12),
    ("production_report", "Productieverantwoording Wmo/Jeugdwet", None, 12),
    ("assurance_report", "Controleverklaring accountant op de productieverantwoording", None, 12),
    ("cao_statement", "Verklaring toepassing cao met onderbouwing", None, 12),
    ("wnt_report", "WNT-verantwoording", None, 12),
    ("anti_discrimination_policy", "Antidiscriminatiebeleid", None, 36),
    ("complaints_procedure", "Klachtenregeling (inclusief discriminatie)", None, 36),
    ("meldcode", "Meldcode huiselijk geweld en kindermishandeling", None, 36),
    ("vog_policy", "VOG-beleid personeel", None, 36),
    ("quality_report", "Kwaliteitsrapportage", None, 12),
    ("insurance", "Bewijs aansprakelijkheidsverzekering", None, 12),
    ("kvk_extract", "KvK-uittreksel", 6, 6),
    ("conduct_certificate", "Gedragsverklaring Aanbesteden (Justis)", 24, 24),
    ("tax_compliance", "Verklaring betalingsgedrag Belastingdienst", 6, 6),
    ("vog_legal_entity", "VOG rechtspersonen", 12, 12),
    ("signed_agreement", "Getekende overeenkomst", None, None),
]

# code, title, explanation, category, mandatory, method, document types, metric, comparison, threshold, validity
CONDITIONS = [
    (
        "fair_pay_tariff",
        "Tarief op of boven de reële prijs",
        "Elk tarief van de percelen ligt op of boven de reële prijs uit het kostprijsmodel "
        "(art. 2.6.6 Wmo 2015 en art. 5.4 Uitvoeringsbesluit Wmo 2015; art. 2.11 Jeugdwet en art. 2.3 Besluit Jeugdwet).",
        "fair_pay",
        True,
        "metric",
        [],
        "tariff_real_price_ratio",
        "gte",
        Decimal("1.000"),
        None,
    ),
    (
        "cao_applied",
        "Cao toegepast op het personeel",
        "De aanbieder verklaart de toepasselijke cao toe te passen op al het personeel en onderbouwt dat met een "
        "cao-verklaring.",
        "fair_pay",
        True,
        "declaration",
        ["cao_statement"],
        "",
        "",
        None,
        12,
    ),
    (
        "flex_contracts_limited",
        "Beperkt gebruik van nul-urencontracten en flexibele contracten",
        "Het aandeel nul-urencontracten en flexibele contracten in het personeelsbestand is ten hoogste 20%.",
        "fair_pay",
        True,
        "metric",
        [],
        "flex_contract_share_pct",
        "lte",
        Decimal("20.000"),
        None,
    ),
    (
        "wnt_executive_pay",
        "Bezoldiging bestuurders binnen de WNT-norm",
        "De hoogste bezoldiging van een topfunctionaris blijft binnen het bezoldigingsmaximum van de WNT-klasse "
        "van de aanbieder (Regeling bezoldigingsmaxima topfunctionarissen zorg en jeugdhulp).",
        "governance",
        True,
        "metric",
        [],
        "executive_pay_wnt_ratio",
        "lte",
        Decimal("1.000"),
        None,
    ),
    (
        "anti_discrimination_policy",
        "Vastgesteld antidiscriminatiebeleid",
        "De aanbieder heeft een antidiscriminatiebeleid dat door de gemeente is geaccepteerd.",
        "anti_discrimination",
        True,
        "documents",
        ["anti_discrimination_policy"],
        "",
        "",
        None,
        None,
    ),
    (
        "complaints_cover_discrimination",
        "Klachtenregeling die discriminatie dekt",
        "De klachtenregeling van de aanbieder behandelt uitdrukkelijk klachten over discriminatie.",
        "anti_discrimination",
        True,
        "documents",
        ["complaints_procedure"],
        "",
        "",
        None,
        None,
    ),
    (
        "confidential_advisor",
        "Vertrouwenspersoon",
        "Cliënten en medewerkers kunnen terecht bij een (externe) vertrouwenspersoon.",
        "anti_discrimination",
        True,
        "declaration",
        [],
        "",
        "",
        None,
        12,
    ),
    (
        "discrimination_training",
        "Training discriminatie en diversiteit",
        "Medewerkers hebben in de afgelopen 12 maanden een training over discriminatie en diversiteit gevolgd.",
        "anti_discrimination",
        True,
        "declaration",
        [],
        "",
        "",
        None,
        12,
    ),
    (
        "no_confirmed_fraud",
        "Geen bevestigd fraudesignaal",
        "Er is geen bevestigd fraudesignaal over de aanbieder.",
        "integrity",
        True,
        "metric",
        [],
        "confirmed_fraud_signals",
        "lte",
        Decimal("0"),
        None,
    ),
    (
        "meldcode",
        "Meldcode huiselijk geweld en kindermishandeling",
        "De aanbieder werkt met de meldcode huiselijk geweld en kindermishandeling.",
        "quality",
        True,
        "documents",
        ["meldcode"],
        "",
        "",
        None,
        None,
    ),
    (
        "local_presence",
        "Lokale betrokkenheid",
        "De aanbieder is aanwezig in de regio (locatie, samenwerking met wijkteams en lokale partners), "
        "naar het oordeel van de contractmanager.",
        "local_involvement",
        False,
        "judgement",
        [],
        "",
        "",
        None,
        24,
    ),
]


def load_library(apps) -> None:
    DocumentType = apps.get_model("compliance", "DocumentType")
    Condition = apps.get_model("compliance", "Condition")
    types = {}
    for code, name, max_age, validity in DOCUMENT_TYPES:
        types[code], _ = DocumentType.objects.update_or_create(
            code=code, defaults={"name": name, "max_age_months": max_age, "validity_months": validity}
        )
    for (
        code,
        title,
        explanation,
        category,
        mandatory,
        method,
        doc_types,
        metric,
        comparison,
        threshold,
        validity,
    ) in CONDITIONS:
        condition, _ = Condition.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "explanation": explanation,
                "category": category,
                "mandatory": mandatory,
                "method": method,
                "metric": metric,
                "comparison": comparison,
                "threshold": threshold,
                "validity_months": validity,
            },
        )
        condition.document_types.set([types[c] for c in doc_types])
