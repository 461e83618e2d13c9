"""Intermittent inference on the host side: QL table, write faults, energy, capacitor,
power-failure campaigns and the NVM image the simulator writes."""
