"""Static facts of the demo region used by ``seed_demo``. Every organisation and person is fictional; the
municipalities and their CBS codes are real (reference/gemeentecodes.csv). Identifiers (KvK, AGB, IBAN)
are generated with a valid format and valid check digits, derived from the name so that every run
produces the same numbers."""

import random
from decimal import Decimal

from contracting.validators import iban_is_valid

REGION_NAME = "Regio Rijnmond (demo)"
# (CBS code, share of the regional budget): members of the demo region, the first is the lead municipality.
MUNICIPALITIES = [("GM0599", Decimal("0.78")), ("GM1930", Decimal("0.12")), ("GM1931", Decimal("0.10"))]

DEMO_PASSWORD = "zorginkoop-demo"

# username, role, first name, last name
USERS = [
    ("inkoper", "officer", "Inge", "de Koning"),
    ("inkoper2", "officer", "Mehmet", "Yilmaz"),
    ("auditor", "auditor", "Anouk", "Visser"),
    ("aanbieder", "provider", "Sanne", "Jansen"),
    ("beheerder", "administrator", "Bart", "Hendriks"),
]
PROVIDER_OF_DEMO_USER = "Stichting Zorg aan de Maas"

W, J, WJ = "wmo", "jeugd", "wmo+jeugd"

# name, legal form, city, domains, FTE, parent
PROVIDERS: list[tuple[str, str, str, str, str, str]] = [
    ("Stichting Zorg aan de Maas", "stichting", "Rotterdam", WJ, "412.5", ""),
    ("Stichting De Zonnehoek", "stichting", "Spijkenisse", W, "86.0", ""),
    ("Thuiszorg Rijnmond B.V.", "bv", "Rotterdam", W, "230.0", ""),
    ("Begeleiding Krimpenerwaard B.V.", "bv", "Schoonhoven", W, "18.5", ""),
    ("Stichting Perspectief Jeugd", "stichting", "Rotterdam", J, "145.0", ""),
    ("Jeugdhulp Op Maat B.V.", "bv", "Capelle aan den IJssel", J, "34.0", ""),
    ("Stichting Het Lichtpunt", "stichting", "Rotterdam", W, "64.2", ""),
    ("Huishoudelijke Hulp Nissewaard B.V.", "bv", "Spijkenisse", W, "120.0", ""),
    ("Coöperatie Zorgkracht Zuid-Holland U.A.", "cooperatie", "Rotterdam", W, "42.0", ""),
    ("Stichting Wijkzorg Feijenoord", "stichting", "Rotterdam", W, "55.0", ""),
    ("Stichting Jeugd & Gezin Voorne-Putten", "stichting", "Spijkenisse", J, "97.0", ""),
    ("Vereniging Mantelzorg en Maatjes Rijnmond", "vereniging", "Rotterdam", W, "8.5", ""),
    ("Stichting Boog en Brug", "stichting", "Lekkerkerk", WJ, "38.0", ""),
    ("Ambulante Begeleiding Van Dijk", "eenmanszaak", "Rotterdam", W, "1.0", ""),
    ("Stichting Groeikracht", "stichting", "Rotterdam", J, "180.0", ""),
    ("Gezinshuis De Linde V.O.F.", "vof", "Bergambacht", J, "3.0", ""),
    ("Stichting Thuis in de Waard", "stichting", "Spijkenisse", W, "74.0", ""),
    ("Stichting Samen Sterk in de Wijk", "stichting", "Rotterdam", W, "46.5", ""),
    ("Zorgbureau Hoogvliet B.V.", "bv", "Rotterdam", W, "27.0", ""),
    ("Stichting Kompas Jeugdhulp", "stichting", "Gouda", J, "210.0", ""),
    ("Stichting Dagbesteding De Werkplaats", "stichting", "Rotterdam", W, "33.0", ""),
    ("Stichting Veilig Opgroeien Rijnmond", "stichting", "Rotterdam", J, "320.0", ""),
    ("Thuishulp Krimpenerwaard B.V.", "bv", "Stolwijk", W, "65.0", ""),
    ("Stichting Ouderenzorg Lek en IJssel", "stichting", "Schoonhoven", W, "390.0", ""),
    ("Stichting Nieuwe Kansen", "stichting", "Rotterdam", WJ, "58.0", ""),
    ("Zorgcollectief De Buren B.V.", "bv", "Schiedam", W, "22.0", ""),
    ("Stichting Jeugdpunt Zuid", "stichting", "Rotterdam", J, "76.0", ""),
    ("Stichting Hand in Hand Nissewaard", "stichting", "Zuidland", W, "19.0", ""),
    ("Praktijk voor Gezinsbegeleiding Bakker", "eenmanszaak", "Barendrecht", J, "1.0", ""),
    ("Stichting Levensloop", "stichting", "Rotterdam", W, "140.0", ""),
    ("Stichting De Brug Ambulant", "stichting", "Ridderkerk", WJ, "49.0", ""),
    ("Zorg Dichtbij Rotterdam B.V.", "bv", "Rotterdam", W, "88.0", ""),
    ("Stichting Kindkracht", "stichting", "Dordrecht", J, "260.0", ""),
    ("Stichting Onder Dak Rijnmond", "stichting", "Rotterdam", W, "112.0", ""),
    ("Begeleid Wonen Het Anker B.V.", "bv", "Spijkenisse", W, "30.0", ""),
    ("Stichting Oog voor Elkaar", "stichting", "Ouderkerk aan den IJssel", W, "12.0", ""),
    ("Stichting Jeugdzorg De Horizon", "stichting", "Rotterdam", J, "450.0", ""),
    ("Huishoudhulp Maasstad B.V.", "bv", "Rotterdam", W, "160.0", ""),
    ("Stichting Zorgboerderij De Hoeve", "stichting", "Haastrecht", WJ, "14.0", ""),
    ("Stichting Autisme Coaching Zuid-Holland", "stichting", "Rotterdam", WJ, "26.0", ""),
    ("Stichting Gezinsvormen Rijnmond", "stichting", "Rotterdam", J, "67.0", ""),
    ("Thuiszorg Voorne B.V.", "bv", "Spijkenisse", W, "95.0", ""),
    ("Stichting Welzijn en Zorg Charlois", "stichting", "Rotterdam", W, "71.0", ""),
    ("Stichting Traject Jeugd", "stichting", "Capelle aan den IJssel", J, "53.0", ""),
    ("Coöperatie Wijkverpleging en Begeleiding U.A.", "cooperatie", "Rotterdam", W, "39.0", ""),
    ("Stichting Ankerplaats", "stichting", "Rotterdam", W, "24.0", ""),
    ("Stichting Jonge Krachten", "stichting", "Spijkenisse", J, "44.0", ""),
    ("Stichting Begeleiding Op Eigen Kracht", "stichting", "Rotterdam", W, "31.0", ""),
    ("Zorgverlening Rozenburg B.V.", "bv", "Rotterdam", W, "16.0", ""),
    ("Stichting Kinderpraktijk De Vlinder", "stichting", "Gouda", J, "21.0", ""),
    ("Stichting Dementiezorg Nissewaard", "stichting", "Spijkenisse", W, "58.0", ""),
    ("Stichting Casemanagement Dementie Zuid", "stichting", "Rotterdam", W, "17.0", ""),
    ("Stichting Respijtzorg Voorne-Putten", "stichting", "Geervliet", W, "11.0", ""),
    ("Stichting Ontmoetingscentrum De Schakel", "stichting", "Spijkenisse", W, "9.5", ""),
    ("Stichting Jeugdhulp Krimpenerwaard", "stichting", "Bergambacht", J, "36.0", ""),
    ("Stichting Gezin Centraal", "stichting", "Rotterdam", J, "88.0", ""),
    (
        "Stichting Thuisbegeleiding Rijnmond",
        "stichting",
        "Rotterdam",
        W,
        "62.0",
        "Stichting Zorg aan de Maas",
    ),
    ("Maas Jeugd B.V.", "bv", "Rotterdam", J, "28.0", "Stichting Zorg aan de Maas"),
    ("Snelgroei Zorg B.V.", "bv", "Rotterdam", W, "6.0", ""),
    ("Stichting Wijkteam Pernis", "stichting", "Rotterdam", W, "13.0", ""),
]
# Sole proprietorships are named after their owner.
OWNERS = {
    "Ambulante Begeleiding Van Dijk": "Ruud van Dijk",
    "Praktijk voor Gezinsbegeleiding Bakker": "Ellen Bakker",
}
# A young organisation with frequent board changes: material for the integrity signals.
YOUNG_PROVIDER = "Snelgroei Zorg B.V."
# A provider whose latest annual figures break the flexible-contracts condition (it is suspended as well).
FLEX_OUTLIER = "Zorgbureau Hoogvliet B.V."

POSTAL_CODES = {
    "Rotterdam": (3011, 3089),
    "Spijkenisse": (3201, 3208),
    "Schoonhoven": (2871, 2871),
    "Lekkerkerk": (2941, 2941),
    "Bergambacht": (2861, 2861),
    "Stolwijk": (2821, 2821),
    "Ouderkerk aan den IJssel": (2935, 2935),
    "Haastrecht": (2851, 2851),
    "Zuidland": (3214, 3214),
    "Geervliet": (3211, 3211),
    "Capelle aan den IJssel": (2901, 2909),
    "Schiedam": (3111, 3125),
    "Barendrecht": (2991, 2994),
    "Ridderkerk": (2981, 2987),
    "Dordrecht": (3311, 3329),
    "Gouda": (2801, 2809),
}
STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Havenstraat",
    "Stationsplein",
    "Voorstraat",
    "Lange Nieuwstraat",
    "Wilhelminaplein",
    "Julianalaan",
    "Oranjeboomstraat",
    "Noordsingel",
    "Burgemeester de Raadtsingel",
    "Karel Doormanstraat",
    "Marconiplein",
    "Beukenlaan",
    "Industrieweg",
    "Schiedamseweg",
    "Breeweg",
]
FIRST_NAMES = [
    "Annemarie", "Pieter", "Fatima", "Jeroen", "Esther", "Mohamed", "Linda", "Kees", "Saskia", "Rachid",
    "Marieke", "Johan", "Naima", "Wouter", "Ingrid", "Dennis", "Yvonne", "Hasan", "Petra", "Sjoerd",
    "Monique", "Erik", "Samira", "Bas", "Karin", "Arjen", "Priya", "Thijs", "Ellen", "Ruud",
]  # fmt: skip
LAST_NAMES = [
    "de Vries", "van den Berg", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
    "Kaya", "El Amrani", "Ramdin", "Verhoeven", "van der Linden", "Koster", "Prins", "Huisman", "Kok",
]  # fmt: skip
BANKS = ["ABNA", "RABO", "INGB", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ"]


def rng_for(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def elfproef_account(rng: random.Random) -> str:
    """A 10-digit account number that passes the old Dutch 11-test (weights 10..1)."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        digits[0] = rng.randint(1, 9)
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        last = (-total) % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


def nl_iban(bank: str, account: str) -> str:
    """NL IBAN with ISO 13616 check digits: 98 - (BBAN + 'NL00', letters as 10..35) mod 97."""
    bban = f"{bank}{int(account):010d}"
    numeric = "".join(str(int(ch, 36)) for ch in bban + "NL00")
    iban = f"NL{98 - int(numeric) % 97:02d}{bban}"
    assert iban_is_valid(iban), iban
    return iban


def identifiers_for(name: str, taken: set[str]) -> dict[str, str]:
    """KvK number, AGB code (organisation codes start with 41) and IBAN, stable per name."""
    rng = rng_for("identifiers", name)
    while True:
        kvk = f"{rng.randint(20_000_000, 99_999_999)}"
        agb = f"41{rng.randint(100_000, 999_999)}"
        if kvk not in taken and agb not in taken:
            taken.update({kvk, agb})
            break
    bank = rng.choice(BANKS)
    account = f"{rng.randint(1_000_000, 9_999_999)}" if bank == "INGB" else elfproef_account(rng)
    return {"kvk_number": kvk, "agb_code": agb, "iban": nl_iban(bank, account)}


def address_for(name: str, city: str) -> dict[str, str]:
    rng = rng_for("address", name)
    low, high = POSTAL_CODES[city]
    letters = "".join(rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
    return {
        "street": f"{rng.choice(STREETS)} {rng.randint(1, 240)}",
        "postal_code": f"{rng.randint(low, high)} {letters}",
        "city": city,
    }


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


# --------------------------------------------------------------------------- products and prices

# code, law, category, name, unit
PRODUCTS = [
    ("01R01", "wmo", "01", "Hulp bij het huishouden", "04"),
    ("02R01", "wmo", "02", "Individuele begeleiding basis", "04"),
    ("02R02", "wmo", "02", "Individuele begeleiding specialistisch", "04"),
    ("07R01", "wmo", "07", "Dagbesteding basis (groep)", "16"),
    ("45R01", "jeugd", "45", "Jeugdhulp ambulant generalistisch", "04"),
    ("45R02", "jeugd", "45", "Jeugdhulp ambulant specialistisch", "04"),
    ("43R01", "jeugd", "43", "Jeugdhulp verblijf incl. behandeling", "14"),
]

# Cost models (reële prijs) of the region for the first demo year; later years follow the VNG index.
# code: CAO, scale, hourly wage, employer on-costs %, productivity %, overhead %, risk margin %
COST_MODELS = {
    "01R01": ("Cao VVT", "FWG 20", "17.85", "30.00", "80.00", "10.00", "3.00"),
    "02R01": ("Cao Gehandicaptenzorg", "FWG 40", "22.40", "32.00", "72.00", "12.00", "3.00"),
    "02R02": ("Cao Gehandicaptenzorg", "FWG 50", "27.30", "32.00", "70.00", "12.00", "3.00"),
    "45R01": ("Cao Jeugdzorg", "schaal 8", "26.10", "33.00", "65.00", "15.00", "3.00"),
    "45R02": ("Cao Jeugdzorg", "schaal 10", "31.80", "33.00", "62.00", "15.00", "3.00"),
}
# Group products: the cost model has no group size yet, so these have a tariff but no reële prijs.
CATALOGUE_TARIFFS = {"07R01": Decimal("58.40"), "43R01": Decimal("412.00")}
# The fair-pay refusal the demo shows: a municipal tariff for household help below its reële prijs.
TARIFF_BELOW_REAL_PRICE = Decimal("2.85")
