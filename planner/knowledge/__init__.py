"""Reviewable tables of GKE and Kubernetes behaviour that are not particular to one kind. Code elsewhere reads these;
it does not restate them. What is particular to one kind lives in its module under `planner/kinds/`.

- `fields`: merge keys for diffs.
- `naming`: name formats, zones and address ranges.
- `gce`: regions, zones, default subnets and machine types.
- `capacity`: allocatable CPU/memory formulas, the modelled kube-system reservation, Pod requests, quantities.
- `rollout`: the deployment controller's rolling-update arithmetic.
- `components`: the canonical actor and component names every step uses.
- `autopilot`: GKE Warden's request rules for Autopilot Pods and the machines node auto-provisioning picks from.
"""
