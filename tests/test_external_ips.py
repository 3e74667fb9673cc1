"""Compute Engine's ephemeral external IPs: one pool for load balancers and nodes, the documentation range first and
the overflow range only once it is full, so a cluster of hundreds of public nodes still applies."""

from __future__ import annotations

from planner.simulate.world import RangeAllocator, SpillingAllocator


def test_the_first_range_is_used_alone_until_it_is_full_then_the_overflow():
    alone = RangeAllocator.for_cidr("external IP", "203.0.113.0/30")
    spilling = SpillingAllocator(RangeAllocator.for_cidr("external IP", "203.0.113.0/30"),
                                 RangeAllocator.for_cidr("external IP", "198.18.0.0/30"))
    # While the first range has room, every allocation is the one a RangeAllocator of it alone gives.
    assert [spilling.allocate(h, "x") for h in (7, 7)] == [alone.allocate(h, "x") for h in (7, 7)]
    spilled = spilling.allocate(7, "node a")
    assert str(spilled).startswith("198.18.0.")
    spilling.release("203.0.113.1")  # a freed documentation address is used again first
    assert spilling.allocate(0, "node b") == "203.0.113.1"
    spilling.release(spilled)
    spilling.mark(spilled)
    assert spilling.overflow.used == {int(spilling.overflow.value_of(spilled))}
