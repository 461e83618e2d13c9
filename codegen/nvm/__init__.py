"""Intermittent inference in the compiler: NVM build options, the QL table, the fault
model's thresholds and the per-task persistence plan the firmware runs."""
