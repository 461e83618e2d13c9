"""The NVM Quality Level table: write error rate and write energy per QL, from one TOML file.

The default file (codegen/nvm/stt_mram_32nm.toml) is DESIGN.md's 32 nm STT-MRAM
table; a user can pass their own memory's characterisation in the same shape.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import CompileError

DEFAULT_TABLE = Path(__file__).resolve().parent / "stt_mram_32nm.toml"
QL_NAMES = ("Q0", "Q1", "Q2", "Q3", "Q4")
CRITICAL_QL = "Q0"  # progress record and metadata: always written at the safest level


@dataclass(frozen=True)
class QualityLevel:
    name: str               # "Q0".."Q4"
    wer: float              # write error rate per bit (fault=flip)
    wer_0to1: float         # per changing bit, 0 -> 1 (fault=switch)
    wer_1to0: float         # per changing bit, 1 -> 0 (fault=switch)
    write_pj_per_bit: float


@dataclass(frozen=True)
class QLTable:
    name: str
    source: Path
    levels: dict[str, QualityLevel]
    read_pj_per_bit: float

    def level(self, name: str) -> QualityLevel:
        return self.levels[parse_ql(name)]


def parse_ql(text: str) -> str:
    """'q2' / 'Q2' / '2' -> 'Q2'; CompileError naming the valid levels otherwise."""
    m = re.fullmatch(r"[qQ]?([0-4])", str(text).strip())
    if not m:
        raise CompileError(f"unknown quality level '{text}'; use one of {', '.join(QL_NAMES)}.")
    return f"Q{m.group(1)}"


def _rate(value: object, where: str) -> float:
    if not isinstance(value, (int, float)) or not 0.0 <= float(value) < 1.0:
        raise CompileError(f"{where} must be a probability in [0, 1), got {value!r}.")
    return float(value)


def _energy(value: object, where: str) -> float:
    if not isinstance(value, (int, float)) or float(value) < 0.0:
        raise CompileError(f"{where} must be a non-negative number of pJ, got {value!r}.")
    return float(value)


def load_ql_table(path: str | Path | None = None) -> QLTable:
    """Reads and checks a QL table; one clear CompileError for any problem."""
    p = Path(path) if path else DEFAULT_TABLE
    try:
        data = tomllib.loads(p.read_text())
    except FileNotFoundError:
        raise CompileError(f"QL table '{p}' not found; pass an existing TOML file "
                        f"(see {DEFAULT_TABLE} for the format).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CompileError(f"QL table '{p}' is not valid TOML ({e}); see {DEFAULT_TABLE}.") from None
    levels = {}
    for ql in QL_NAMES:
        row = data.get(ql)
        if not isinstance(row, dict):
            raise CompileError(f"QL table '{p}' has no [{ql}] section; it needs {', '.join(QL_NAMES)}.")
        for key in ("wer", "write_pj_per_bit"):
            if key not in row:
                raise CompileError(f"QL table '{p}': [{ql}] has no '{key}'.")
        wer = _rate(row["wer"], f"QL table '{p}' [{ql}] wer")
        levels[ql] = QualityLevel(
            ql, wer,
            _rate(row.get("wer_0to1", wer), f"QL table '{p}' [{ql}] wer_0to1"),
            _rate(row.get("wer_1to0", wer), f"QL table '{p}' [{ql}] wer_1to0"),
            _energy(row["write_pj_per_bit"], f"QL table '{p}' [{ql}] write_pj_per_bit"))
    return QLTable(str(data.get("name", p.stem)), p, levels,
                   _energy(data.get("read_pj_per_bit", 0.0), f"QL table '{p}' read_pj_per_bit"))


def load_ql_map(path: str | Path, layer_count: int) -> dict[int, str]:
    """A per-layer QL map: lines 'layer QL' (e.g. '3 Q2'), '#' comments, and an optional
    'default QL' line. Returns a QL for every layer; CompileError naming the bad line."""
    p = Path(path)
    try:
        lines = p.read_text().splitlines()
    except (FileNotFoundError, IsADirectoryError):
        raise CompileError(f"QL map '{p}' not found; pass a text file of 'layer QL' lines.") from None
    default = None
    chosen: dict[int, str] = {}
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        where = f"QL map '{p}' line {number} ('{raw.strip()}')"
        if len(parts) != 2:
            raise CompileError(f"{where}: expected '<layer> <QL>' or 'default <QL>'.")
        try:
            ql = parse_ql(parts[1])
        except CompileError as e:
            raise CompileError(f"{where}: {e}") from None
        if parts[0] == "default":
            default = ql
            continue
        if not parts[0].isdigit() or int(parts[0]) >= layer_count:
            raise CompileError(f"{where}: layer must be a number 0..{layer_count - 1}.")
        chosen[int(parts[0])] = ql
    missing = [i for i in range(layer_count) if i not in chosen]
    if missing and default is None:
        raise CompileError(f"QL map '{p}' gives no QL for layer(s) {missing[:8]}; add them or a "
                        f"'default <QL>' line.")
    return {i: chosen.get(i, default) for i in range(layer_count)}
