"""Reviewable tables of GKE and Kubernetes behaviour. Code elsewhere reads these; it does not restate them.

- `kinds`: which kinds exist, their scope, which are modelled in depth.
- `defaults`: what kube-apiserver fills in, so defaults never show as changes.
- `fields`: merge keys for diffs, fields that force replacement, values only apply can know.
- `ordering`: the order rules, each with its reason.
- `steps`: who does what for each (kind, change).
- `gce`: regions, zones, default subnets and machine types.
- `capacity`: allocatable CPU/memory formulas and the modelled kube-system reservation.
"""
