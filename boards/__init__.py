"""Board descriptions: one `boards/<name>/board.toml` per board, loaded into `Board`.

A board is data (CPU, flags, memory map, how to run it, power figures) plus the few
C files listed in its `sources`. Everything else in the project asks this package
about a board instead of hard-coding board facts.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

BOARDS_DIR = Path(__file__).resolve().parent
REPO_ROOT = BOARDS_DIR.parent

CPUS = ("cortex-m7", "cortex-m4", "cortex-m33", "cortex-m3", "cortex-m0plus", "host")
TOOLCHAINS = ("arm-none-eabi", "host")
COUNTER_UNITS = ("instructions", "cycles", "ns")
RUN_METHODS = ("qemu", "host", "serial")


FLASHERS = ("openocd", "stlink", "pyocd")


class BoardError(Exception):
    """An unknown board name or a malformed board.toml, with what to do about it."""


@dataclass
class MemoryRegion:
    name: str
    origin: int
    length: int


@dataclass
class FlashMethod:
    """How to program a real board: one entry per supported flasher."""
    openocd_configs: list[str]   # OpenOCD -f scripts, e.g. ["interface/stlink.cfg", "target/stm32h7x.cfg"]
    pyocd_target: str            # pyocd -t name
    stlink: bool                 # st-flash (stlink-tools) knows this chip


@dataclass
class Board:
    name: str
    description: str
    cpu: str
    toolchain: str
    arch_flags: list[str]
    dsp: bool
    fpu: bool
    clock_hz: int
    sources: list[str]
    include_dirs: list[str]
    defines: list[str]
    linker_script: str | None
    memory: dict[str, MemoryRegion]
    counter_unit: str
    run_method: str
    qemu_machine: str | None
    qemu_args: list[str]
    power_uw_per_mhz: float | None
    power_source: str
    # Where the arena may go, fastest region first (the linker takes the first it
    # fits), and which region holds the stack. Both name [memory] regions.
    arena_regions: list[str] = field(default_factory=lambda: ["ram"])
    stack_region: str = "ram"
    link_extra: list[str] = field(default_factory=list)  # extra linker flags
    flash: FlashMethod | None = None   # None: not a flashable board
    usb_vid: int | None = None         # the USB serial port a real board shows up as
    usb_pids: list[int] = field(default_factory=list)

    @property
    def fpu_double(self) -> bool:
        """binary64 arithmetic in hardware: the host, or an FPU whose -mfpu is not a
        single-precision one (fpv5-d16 yes; fpv4-sp-d16, fpv5-sp-d16 no)."""
        if self.toolchain == "host":
            return True
        fpus = [f.split("=", 1)[1] for f in self.arch_flags if f.startswith("-mfpu=")]
        return (self.fpu and "-mfloat-abi=soft" not in self.arch_flags
                and bool(fpus) and "-sp-" not in fpus[-1])


def list_boards() -> list[str]:
    """Names of all boards, sorted: every folder here that holds a board.toml."""
    return sorted(p.parent.name for p in BOARDS_DIR.glob("*/board.toml"))


def load_board(name: str) -> Board:
    """Reads boards/<name>/board.toml. Raises BoardError naming the known boards."""
    path = BOARDS_DIR / name / "board.toml"
    if "/" in name or "\\" in name or not path.is_file():
        raise BoardError(
            f"unknown board '{name}'; known boards: {', '.join(list_boards())}"
        )
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
        return _board_from_toml(name, data)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise BoardError(f"{path}: malformed board description ({e}); fix the file") from None


def _board_from_toml(name: str, data: dict) -> Board:
    memory = {
        region: MemoryRegion(region, int(spec["origin"]), int(spec["length"]))
        for region, spec in data.get("memory", {}).items()
    }
    board = Board(
        name=name,
        description=str(data["description"]),
        cpu=str(data["cpu"]),
        toolchain=str(data["toolchain"]),
        arch_flags=[str(f) for f in data.get("arch_flags", [])],
        dsp=bool(data["dsp"]),
        fpu=bool(data["fpu"]),
        clock_hz=int(data["clock_hz"]),
        sources=[str(s) for s in data.get("sources", [])],
        include_dirs=[str(d) for d in data.get("include_dirs", [])],
        defines=[str(d) for d in data.get("defines", [])],
        linker_script=data.get("linker_script") or None,
        memory=memory,
        counter_unit=str(data["counter_unit"]),
        run_method=str(data["run_method"]),
        qemu_machine=data.get("qemu_machine"),
        qemu_args=[str(a) for a in data.get("qemu_args", [])],
        power_uw_per_mhz=data.get("power_uw_per_mhz"),
        power_source=str(data.get("power_source", "")),
        arena_regions=[str(r) for r in data.get("arena_regions", ["ram"])],
        stack_region=str(data.get("stack_region", "ram")),
        link_extra=[str(f) for f in data.get("link_extra", [])],
        flash=_flash_method(data.get("flash")),
        usb_vid=int(data["usb"]["vid"]) if "usb" in data else None,
        usb_pids=[int(p) for p in data["usb"]["pids"]] if "usb" in data else [],
    )
    _check(board)
    return board


def _flash_method(spec: dict | None) -> FlashMethod | None:
    if spec is None:
        return None
    return FlashMethod(
        openocd_configs=[str(c) for c in spec["openocd"]],
        pyocd_target=str(spec["pyocd_target"]),
        stlink=bool(spec.get("stlink", True)),
    )


def _check(board: Board) -> None:
    """Rejects values the rest of the project could not handle."""
    for field, value, allowed in (
        ("cpu", board.cpu, CPUS),
        ("toolchain", board.toolchain, TOOLCHAINS),
        ("counter_unit", board.counter_unit, COUNTER_UNITS),
        ("run_method", board.run_method, RUN_METHODS),
    ):
        if value not in allowed:
            raise ValueError(f"{field} = '{value}' is not one of {', '.join(allowed)}")
    missing = {"flash", "ram"} - board.memory.keys()
    if missing:
        raise ValueError(f"[memory] lacks {', '.join(sorted(missing))}")
    for region in [*board.arena_regions, board.stack_region]:
        if region not in board.memory:
            raise ValueError(f"region '{region}' (arena_regions / stack_region) is not in [memory]")
    if board.run_method == "serial" and board.flash is None:
        raise ValueError("run_method = 'serial' needs a [flash] section")
    if board.run_method == "qemu" and not board.qemu_machine:
        raise ValueError("run_method = 'qemu' needs qemu_machine")
    for source in board.sources:
        if not (REPO_ROOT / source).is_file():
            raise ValueError(f"source '{source}' does not exist")
    if board.linker_script and not (REPO_ROOT / board.linker_script).is_file():
        raise ValueError(f"linker_script '{board.linker_script}' does not exist")
