"""kubectl's PORT(S) text and the one location splitter."""

from __future__ import annotations

import pytest

from planner.knowledge.gce import REGIONS
from planner.knowledge.naming import ports_text, region_of, split_location


def test_ports_text_matches_kubectl():
    assert ports_text([{"port": 80}]) == "80/TCP"
    assert ports_text([{"port": 80, "protocol": "TCP", "nodePort": 30080}]) == "80:30080/TCP"
    assert ports_text([{"port": 80, "nodePort": 30080}, {"port": 443, "nodePort": 30443},
                       {"port": 53, "protocol": "UDP"}]) == "80:30080/TCP,443:30443/TCP,53/UDP"
    assert ports_text([]) == ""
    assert ports_text(iter([{"port": 8080, "targetPort": 80}])) == "8080/TCP"  # targetPort is not shown


def test_ports_text_treats_a_zero_or_missing_node_port_as_none():
    assert ports_text([{"port": 80, "nodePort": 0}]) == "80/TCP"
    assert ports_text([{"port": 80, "nodePort": None, "protocol": None}]) == "80/TCP"


@pytest.mark.parametrize(("location", "expected"), [
    ("us-central1-b", ("us-central1", "b")),
    ("us-central1", ("us-central1", None)),
    ("europe-west10-a", ("europe-west10", "a")),
    ("northamerica-northeast1-c", ("northamerica-northeast1", "c")),
    ("asia-southeast1", ("asia-southeast1", None)),
    ("us-central1-", ("us-central1-", None)),
    ("-b", ("-b", None)),
    ("", ("", None)),
    ("nowhere", ("nowhere", None)),
])
def test_split_location(location, expected):
    assert split_location(location) == expected


def test_every_known_zone_splits_back_to_its_region():
    for region, info in REGIONS.items():
        assert split_location(region) == (region, None)
        for zone in info.zones:
            assert split_location(f"{region}-{zone}") == (region, zone)
            assert region_of(f"{region}-{zone}") == region
