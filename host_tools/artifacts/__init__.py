"""Figures read from build artifacts: ELF sizes, measured stack, arena per memory mode."""
