"""Compiler and flags for every C build of the project, derived from a Board record.

The one place that turns board data into a command line: the SCons build, the test
helpers and the simulator's native library all take their flags from compile_flags.
"""
from __future__ import annotations

from pathlib import Path

from . import REPO_ROOT, Board

# Warnings and section flags every build uses; -ffunction-sections with
# --gc-sections keeps only the kernels a model calls.
COMMON_CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-ffunction-sections", "-fdata-sections"]
ARM_LDFLAGS = ["-nostartfiles", "--specs=nano.specs", "-Wl,--gc-sections"]
# Where the firmware's and kernels' headers are (the generated model's folder comes on top).
FIRMWARE_INCLUDE_DIRS = ["kernels_c", "firmware", "firmware/nvm"]
# build="test": kernels and generated models run on the host under the sanitizers.
SANITIZER_CFLAGS = ["-Werror=implicit-function-declaration", "-fsanitize=address,undefined",
                    "-fno-sanitize-recover=undefined"]
# build="simulator": the host simulator's shared library (host_tools/sim/native).
# -fno-trapping-math / -fno-math-errno let floor() vectorise; no result changes (no
# reassociation); -fno-semantic-interposition lets fault_prng.c's hash inline.
SIMULATOR_CFLAGS = ["-march=native", "-fno-trapping-math", "-fno-math-errno", "-shared", "-fPIC",
                    "-fno-semantic-interposition", "-std=c11", "-Wall", "-Werror"]
BUILDS = ("firmware", "test", "simulator")


def compiler(board: Board) -> str:
    """The C compiler driver for the board's toolchain (also used to link)."""
    return "arm-none-eabi-gcc" if board.toolchain == "arm-none-eabi" else "gcc"


def compile_flags(board: Board, opt: str = "O2", build: str = "firmware",
                  root: Path = REPO_ROOT) -> list[str]:
    """Flags for compiling C for `board` at optimisation level `opt` (e.g. "O2").

    build: "firmware" (any firmware file, with -g), "test" (host board only: the same
    under AddressSanitizer and UBSan) or "simulator" (host board only: the simulator's
    shared library, tuned for this CPU). Add the generated model's folder with -I.
    """
    if build not in BUILDS:
        raise ValueError(f"build={build!r}: use one of {BUILDS}")
    if build != "firmware" and board.toolchain != "host":
        raise ValueError(f"build={build} runs on the host; board {board.name} does not")
    includes = [f"-I{root / d}" for d in FIRMWARE_INCLUDE_DIRS]
    if build == "simulator":
        return [f"-{opt}", *SIMULATOR_CFLAGS, *includes]
    flags = (list(board.arch_flags) + COMMON_CFLAGS + [f"-{opt}", "-g"]
             + [f"-I{root / d}" for d in board.include_dirs] + includes
             + [f"-D{d}" for d in board.defines])
    return flags + SANITIZER_CFLAGS if build == "test" else flags


def link_flags(board: Board, root: Path = REPO_ROOT) -> list[str]:
    """Flags for linking the firmware ELF (or host executable) for `board`.

    Every [memory] region of board.toml reaches the linker script through --defsym
    (TP_<REGION>_ORIGIN / _LENGTH), so the memory map is written down once. The
    include dirs are also linker search paths, for scripts that INCLUDE shared parts.
    """
    if board.toolchain != "arm-none-eabi":
        return []
    flags = list(board.arch_flags) + ARM_LDFLAGS + list(board.link_extra)
    flags += [f"-L{root / d}" for d in board.include_dirs]
    if board.linker_script:
        flags.append(f"-T{root / board.linker_script}")
    for name, mem in board.memory.items():
        flags.append(f"-Wl,--defsym=TP_{name.upper()}_ORIGIN={mem.origin:#x}")
        flags.append(f"-Wl,--defsym=TP_{name.upper()}_LENGTH={mem.length:#x}")
    return flags


def sources(board: Board, root: Path = REPO_ROOT) -> list[Path]:
    """The board's own C sources, as absolute paths."""
    return [root / s for s in board.sources]
