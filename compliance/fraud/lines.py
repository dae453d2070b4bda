"""One line of production data: the checks and conversions that turn the cells of a row into the values
of an allocation or declaration line (``RowParser``), the lookups they need, and the running totals of an
import (``ImportStats``). Shared by the importer's general path and its fast lane.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from compliance.fraud.columns import DECLARATION_FIELDS
from compliance.fraud.pseudonym import InvalidBsn, Pseudonymiser, contains_bsn, normalise_bsn
from compliance.models import CareMessage, Frequency, ProductionKind, StopReason
from contracting.models import ContractingAuthority, Product, ProductCategory, Provider, Unit

MAX_VOLUME = 10_000_000
MAX_AMOUNT_CENTS = 10**12  # 10 billion euro: far above any line, within the column
AVG_MONTH_DAYS = Decimal("30.4375")
CENT = Decimal("0.01")
FREQUENCIES = frozenset(Frequency.values)  # (the enum builds the list anew on every access)

ALLOCATION_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,19}")
AGB_CODE = re.compile(r"[0-9]{8}")
AMOUNT = re.compile(r"([0-9]{1,10})(?:[.,]([0-9]{1,2}))?")
MUNICIPALITY_CODE = re.compile(r"(?:GM)?([0-9]{1,4})", re.IGNORECASE)
NO_MUNICIPALITY = "none"  # the key of lines without a municipality in an import's split


class RowInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors  # (column, code, message)


@dataclass
class Lookups:
    providers: dict[str, int]
    categories: dict[str, int]
    products: dict[str, tuple[int, int]]
    units: dict[str, tuple[int, bool]]
    municipalities: dict[str, int] = field(default_factory=dict)  # "GM0599", "0599", "599" -> pk
    municipality_codes: dict[int, str] = field(default_factory=dict)  # pk -> "GM0599"
    default_municipality: int | None = None  # a municipality importing its own file
    stop_reasons: frozenset[str] = frozenset()  # JZ588 codes

    @classmethod
    def load(cls, authority: ContractingAuthority | None = None) -> "Lookups":
        categories: dict[str, int] = {}
        for pk, code in ProductCategory.objects.values_list("pk", "code"):
            categories[code] = pk
            categories.setdefault(code.lstrip("0") or "0", pk)
        return cls(
            providers=dict(Provider.objects.values_list("agb_code", "pk")),
            categories=categories,
            products={
                code: (pk, cat) for pk, code, cat in Product.objects.values_list("pk", "code", "category")
            },
            units={
                code: (pk, current)
                for pk, code, current in Unit.objects.values_list("pk", "code", "is_current")
            },
            stop_reasons=frozenset(StopReason.objects.values_list("code", flat=True)),
            **municipality_lookups(authority),
        )


def municipality_lookups(authority: ContractingAuthority | None) -> dict:
    """The municipalities a file of ``authority`` may name: a municipality itself; a region its members
    and its lead municipality. Each under the spellings of its CBS code (GM0599, gm0599, 0599, 599)."""
    if authority is None:
        return {}
    if authority.kind == ContractingAuthority.Kind.MUNICIPALITY:
        allowed = {authority.pk: authority.cbs_code}
        default = authority.pk
    else:
        allowed = dict(authority.members.values_list("pk", "cbs_code"))
        if authority.lead_municipality_id is not None:
            allowed[authority.lead_municipality_id] = authority.lead_municipality.cbs_code
        default = None
    spellings: dict[str, int] = {}
    for pk, code in allowed.items():
        digits = code[2:] if code[:2].upper() == "GM" else code
        for spelling in (code, code.lower(), code.upper(), digits, digits.lstrip("0") or "0"):
            spellings[spelling] = pk
    return {"municipalities": spellings, "municipality_codes": allowed, "default_municipality": default}


def rejection_message(code: str, column: str) -> str:
    messages = {
        "missing_value": _("The column '%(column)s' is empty."),
        "agb_format": _("The AGB code must be 8 digits."),
        "unknown_provider": _("No provider with this AGB code is registered."),
        "bsn_format": _("The BSN must be 9 digits."),
        "bsn_zero": _("000000000 is not a BSN."),
        "bsn_checksum": _("The BSN fails the 11-test."),
        "unknown_category": _("Unknown product category."),
        "unknown_product": _("Unknown product code."),
        "product_category_mismatch": _("The product code does not belong to the product category."),
        "date_format": _("'%(column)s' is not a date (use YYYY-MM-DD or DD-MM-YYYY)."),
        "period_order": _("The period ends before it starts."),
        "volume_format": _("The volume must be a whole number."),
        "volume_range": _("The volume must be between 1 and 10,000,000."),
        "unknown_unit": _("Unknown unit code."),
        "unit_not_current": _("This unit code is no longer in use (removed in iWmo/iJw 2.3)."),
        "amount_format": _("'%(column)s' must be an amount in euros with at most 2 decimals, e.g. 1234.50."),
        "frequency_format": _("The frequency must be 1 (per day), 2 (per week), 4 (per month) or 6 (total)."),
        "allocation_number_required": _("An allocation needs an allocation number."),
        "allocation_number_format": _(
            "The allocation number must be at most 20 letters, digits or . _ / - characters."
        ),
        "duplicate_allocation_number": _("This allocation number appears earlier in the same file."),
        "bsn_in_free_text": _(
            "The column '%(column)s' holds a number that passes the BSN 11-test. A BSN belongs only in the "
            "BSN column, where it is pseudonymised; remove it here."
        ),
        "column_count": _("The row has fewer columns than the header."),
        "message_format": _("The message must be 305 (start of care) or 307 (stop of care)."),
        "unknown_reason": _("Unknown reason for the end of care (iJw/iWmo code list JZ588)."),
        "reason_only_on_stop": _("A reason for the end of care belongs only on a stop of care (307)."),
        "duplicate_care_event": _(
            "This allocation number appears earlier in the same file with the same message."
        ),
        "municipality_format": _("The municipality must be a CBS municipality code, e.g. GM0599 or 0599."),
        "municipality_not_in_authority": _(
            "This municipality is not the importing authority nor one of the region's participating "
            "municipalities."
        ),
    }
    return messages[code] % {"column": column}


def parse_date(text: str) -> datetime.date:
    if len(text) == 10 and text[2] == "-" and text[5] == "-":  # DD-MM-YYYY
        text = f"{text[6:]}-{text[3:5]}-{text[:2]}"
    if len(text) != 10 or text[4] != "-":
        raise ValueError(text)
    return datetime.date.fromisoformat(text)


def parse_cents(text: str) -> int:
    match = AMOUNT.fullmatch(text)
    if match is None:
        raise ValueError(text)
    whole, fraction = match.groups()
    cents = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    if cents >= MAX_AMOUNT_CENTS:
        raise ValueError(text)
    return cents


def cents_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def total_volume(volume: int, frequency: str, start: datetime.date, end: datetime.date) -> Decimal:
    """The allocated volume over the whole period (iWmo/iJw rule CD076 for weekly volumes)."""
    days = (end - start).days + 1
    if frequency == Frequency.PER_DAY:
        total = Decimal(volume * days)
    elif frequency == Frequency.PER_WEEK:
        total = Decimal(volume * days) / 7
    elif frequency == Frequency.PER_MONTH:
        total = Decimal(volume * days) / AVG_MONTH_DAYS
    else:
        total = Decimal(volume)
    return total.quantize(CENT)


class RowParser:
    """Turns the cells of one row into the values of a line, or raises RowInvalid with every problem."""

    def __init__(self, kind: str, positions: dict[str, int], lookups: Lookups) -> None:
        self.kind = kind
        self.lookups = lookups
        self.pseudonymise = Pseudonymiser()
        self.p = positions
        self.width = max(positions.values()) + 1
        self.allocations = kind == ProductionKind.ALLOCATIONS
        self.care = kind == ProductionKind.CARE
        self.current_units = {code: pk for code, (pk, current) in lookups.units.items() if current}
        self.valid_dates: dict[str, bool] = {}
        self.positions = tuple(positions.get(name, -1) for name in DECLARATION_FIELDS)

        self._fast = self._make_fast()

    def _date_ok(self, text: str) -> bool:
        known = self.valid_dates.get(text)
        if known is None:
            try:
                known = len(text) == 10 and text[4] == "-" and bool(datetime.date.fromisoformat(text))
            except ValueError:
                known = False
            if len(self.valid_dates) < 100_000:
                self.valid_dates[text] = known
        return known

    def fast(self, cells: list[str]) -> tuple | None:
        """The common case of a declaration row in the canonical format (ISO dates, amounts with two
        decimals after a point, no surrounding spaces), checked with as little work as possible.
        Returns None for anything else; ``parse`` then checks the row and names every problem."""
        return self._fast(cells) if self._fast is not None else None

    def _make_fast(self):
        """A closure with every lookup bound to a local: this runs for every row of the file."""
        if self.allocations or self.care:
            return None
        pg, pa, pb, pn, pc, pp, ps, pe, pv, pu, pm = self.positions
        providers, categories = self.lookups.providers, self.lookups.categories
        municipalities, default_municipality = self.lookups.municipalities, self.lookups.default_municipality
        products, units = self.lookups.products, self.current_units
        pseudonymise, date_ok, good_dates = self.pseudonymise, self._date_ok, self.valid_dates
        number_ok = ALLOCATION_NUMBER.fullmatch
        last_number = [""]

        def fast(cells: list[str]) -> tuple | None:
            try:
                municipality = cells[pg] if pg >= 0 else ""
                municipality_id = municipalities[municipality] if municipality else default_municipality
                provider_id = providers[cells[pa]]
                client_hash = pseudonymise(cells[pb])
                number = cells[pn] if pn >= 0 else ""
                if number and number is not last_number[0] and number != last_number[0]:
                    if not number_ok(number) or contains_bsn(number):
                        return None
                    last_number[0] = number
                category_id = categories[cells[pc]]
                code = cells[pp] if pp >= 0 else ""
                product_id = None
                if code:
                    product_id, product_category = products[code]
                    if product_category != category_id:
                        return None
                start, end = cells[ps], cells[pe]
                if end < start:
                    return None
                if good_dates.get(start) is not True and not date_ok(start):
                    return None
                if good_dates.get(end) is not True and not date_ok(end):
                    return None
                text = cells[pv]
                if not (text.isdigit() and text.isascii()):
                    return None
                volume = int(text)
                if not 1 <= volume <= MAX_VOLUME:
                    return None
                unit_id = units[cells[pu]]
                amount = cells[pm]
                if len(amount) < 4 or amount[-3] != "." or len(amount) > 13:
                    return None
                digits = amount[:-3] + amount[-2:]
                if not (digits.isdigit() and digits.isascii()):
                    return None
                cents = int(digits)
            except (KeyError, IndexError, ValueError, InvalidBsn):
                return None
            return (provider_id, client_hash, number, category_id, product_id, start, end, volume, unit_id,
                    cents, amount, municipality_id)  # fmt: skip

        return fast

    def parse(self, cells: list[str]) -> tuple:
        """(provider_id, client_hash, allocation_number, category_id, product_id, start, end, volume,
        unit_id, extra..., municipality_id) where extra is (amount_cents, amount_text) for declarations and
        (frequency, total_volume, budget_cents) for allocations. Dates come back as ISO strings."""
        errors: list[tuple[str, str, str]] = []
        if len(cells) < self.width:
            cells = [*cells, *([""] * (self.width - len(cells)))]
            if not any(cells):
                raise RowInvalid([("", "column_count", rejection_message("column_count", ""))])

        def fail(column: str, code: str) -> None:
            errors.append((column, code, rejection_message(code, column)))

        p = self.p
        municipality_id = self.lookups.default_municipality
        municipality = cells[p["municipality"]].strip() if "municipality" in p else ""
        if municipality:
            municipality_id = self.lookups.municipalities.get(municipality)
            if municipality_id is None:
                known = MUNICIPALITY_CODE.fullmatch(municipality)
                if known is not None:
                    municipality_id = self.lookups.municipalities.get(known.group(1).zfill(4))
                if municipality_id is None:
                    fail("municipality", "municipality_not_in_authority" if known else "municipality_format")

        agb = cells[p["provider_agb"]].strip()
        provider_id = self.lookups.providers.get(agb)
        if provider_id is None:
            if not agb:
                fail("provider_agb", "missing_value")
            else:
                fail("provider_agb", "unknown_provider" if AGB_CODE.fullmatch(agb) else "agb_format")

        client_hash = None
        bsn = cells[p["client_bsn"]]
        if not bsn:
            fail("client_bsn", "missing_value")
        else:
            try:
                client_hash = self.pseudonymise(bsn if len(bsn) == 9 else normalise_bsn(bsn))
            except InvalidBsn as exc:
                fail("client_bsn", exc.code)
        bsn = None  # noqa: F841 - the BSN is not kept beyond this point

        number = cells[p["allocation_number"]].strip() if "allocation_number" in p else ""
        if number and not ALLOCATION_NUMBER.fullmatch(number):
            fail("allocation_number", "allocation_number_format")
        elif number and contains_bsn(number):  # a BSN typed into free text would be stored in clear
            fail("allocation_number", "bsn_in_free_text")
        elif not number and (self.allocations or self.care):
            fail("allocation_number", "allocation_number_required")

        category = cells[p["product_category"]].strip()
        category_id = self.lookups.categories.get(category)
        if category_id is None:
            fail("product_category", "missing_value" if not category else "unknown_category")

        product_id = None
        code = cells[p["product_code"]].strip() if "product_code" in p else ""
        if code:
            product = self.lookups.products.get(code)
            if product is None:
                fail("product_code", "unknown_product")
            else:
                product_id = product[0]
                if category_id is not None and product[1] != category_id:
                    fail("product_code", "product_category_mismatch")

        if self.care:
            return self._care(cells, errors, fail, (provider_id, client_hash, number, category_id, product_id),
                              municipality_id)  # fmt: skip

        dates = []
        for column in ("period_start", "period_end"):
            text = cells[p[column]].strip()
            try:
                dates.append(parse_date(text))
            except ValueError:
                fail(column, "missing_value" if not text else "date_format")
        if len(dates) == 2 and dates[1] < dates[0]:
            fail("period_end", "period_order")

        volume = None
        text = cells[p["volume"]].strip()
        try:
            volume = int(text)
        except ValueError:
            fail("volume", "missing_value" if not text else "volume_format")
        else:
            if not 1 <= volume <= MAX_VOLUME:
                fail("volume", "volume_range")

        unit_code = cells[p["unit"]].strip()
        unit = self.lookups.units.get(unit_code) or self.lookups.units.get(unit_code.zfill(2))
        if unit is None:
            fail("unit", "missing_value" if not unit_code else "unknown_unit")
        elif not unit[1]:
            fail("unit", "unit_not_current")

        if self.allocations:
            frequency = cells[p["frequency"]].strip()
            if frequency not in FREQUENCIES:
                fail("frequency", "missing_value" if not frequency else "frequency_format")
            budget = None
            text = cells[p["budget"]].strip() if "budget" in p else ""
            if text:
                try:
                    budget = parse_cents(text)
                except ValueError:
                    fail("budget", "amount_format")
        else:
            amount = None
            text = cells[p["amount"]].strip()
            try:
                amount = parse_cents(text)
            except ValueError:
                fail("amount", "missing_value" if not text else "amount_format")

        if errors:
            raise RowInvalid(errors)
        start, end = dates
        common = (
            provider_id,
            client_hash,
            number,
            category_id,
            product_id,
            start.isoformat(),
            end.isoformat(),
            volume,
            unit[0],
        )
        if self.allocations:
            return (*common, frequency, total_volume(volume, frequency, start, end), budget, municipality_id)
        return (*common, amount, cents_text(amount), municipality_id)

    def _care(self, cells, errors, fail, common: tuple, municipality_id: int | None) -> tuple:
        """The rest of a start or stop of care: (…common, date, date, message, reason, municipality_id)."""
        p = self.p
        message = cells[p["message"]].strip().upper()
        message = message[-3:] if message.endswith(("305", "307")) else message  # WMO305, JW307
        if message not in CareMessage.values:
            fail("message", "missing_value" if not message else "message_format")
        text = cells[p["date"]].strip()
        day = None
        try:
            day = parse_date(text)
        except ValueError:
            fail("date", "missing_value" if not text else "date_format")
        reason = cells[p["reason"]].strip() if "reason" in p else ""
        if reason:
            reason = reason.zfill(2)
            if message == CareMessage.START:
                fail("reason", "reason_only_on_stop")
            elif reason not in self.lookups.stop_reasons:
                fail("reason", "unknown_reason")
        if errors:
            raise RowInvalid(errors)
        iso = day.isoformat()
        return (*common, iso, iso, message, reason, municipality_id)


@dataclass(slots=True)
class ImportStats:
    """The period and total of the lines stored, gathered while the file is read."""

    first_start: str = "9999-12-31"  # ISO dates: compared as strings
    last_end: str = "0001-01-01"
    cents: int = 0  # declarations: the total amount
    municipalities: dict = field(default_factory=dict)  # municipality id (or None) -> [rows, cents]

    def split(self, lookups: Lookups, *, amounts: bool) -> dict[str, dict[str, object]]:
        """The stored rows (and amounts) per municipality (CBS code; ``none`` for rows without one)."""
        result: dict[str, dict[str, object]] = {}
        for municipality_id, (rows, cents) in sorted(self.municipalities.items(), key=lambda i: i[0] or 0):
            code = lookups.municipality_codes.get(municipality_id, NO_MUNICIPALITY)
            result[code] = {"rows": rows, "amount": cents_text(cents)} if amounts else {"rows": rows}
        return result
