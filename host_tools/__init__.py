"""Host side of TinyPersist, after the compiler: from a built firmware to a report.

Subpackages, each importing only from those before it (tests/support/import_graph.py):
reference (TFLite golden), artifacts (ELF and memory figures), target (reaching a
device), sim (batch simulator), intermittent (faults, energy, power failures), measure
(build and run on a device), sweep (QL sweet-spot explorer), cli (the subcommands).
"""
