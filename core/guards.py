"""The small vocabulary every guard speaks: a list of unmet requirements, each with a code and a Dutch text."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Unmet:
    code: str
    message: str
    condition: str = ""  # the code of the library condition, when a condition of the engine is unmet

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v or k != "condition"}
