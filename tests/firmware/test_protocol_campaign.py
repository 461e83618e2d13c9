"""A short adversarial campaign (tests/support/protocol_campaign.py) per board: every
bad frame answered with the right error, the link never out of sync, no fault, and a
bit-exact inference at the end. The long run is the module's command line."""
from __future__ import annotations

import pytest

from tests.support.protocol_campaign import run_campaign

CAMPAIGNS = [
    pytest.param("host", 5000, id="host"),
    pytest.param("mps2-an500", 1500, id="mps2-an500", marks=pytest.mark.qemu),
    pytest.param("netduinoplus2", 1500, id="netduinoplus2", marks=pytest.mark.qemu),
]


@pytest.mark.parametrize("board, frames", CAMPAIGNS)
def test_adversarial_frames_leave_the_firmware_in_sync_and_exact(fake_firmware, board, frames):
    result = run_campaign(board, fake_firmware(board), frames, seed=7)
    t = result.tally
    # t.stale (a frame cut by a host stall longer than the firmware's frame gap) is
    # the designed answer to a slow host, not a failure.
    assert (t.faults, t.lost_syncs, t.bad_replies) == (0, 0, 0), "\n".join(t.notes)
    assert result.exact, result.stack
    assert t.frames >= frames
