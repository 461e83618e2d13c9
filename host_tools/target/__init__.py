"""Reaching a device: serial link and protocol, QEMU and host launchers, flashing, ports."""
