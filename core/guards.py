"""The small vocabulary every guard speaks: a list of unmet requirements, each with a code and a Dutch text."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Unmet:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)
