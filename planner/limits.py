"""Every input limit in one place, so the README's Safety section and the code cannot disagree.

Each limit bounds the work a hostile or broken file can cause; a file that crosses one is refused with a clear error,
fast, instead of exhausting memory or the stack. Figures are generous for real manifests (the largest real
Kubernetes object is bounded by etcd's 1.5 MiB request limit).
"""

MAX_FILE_BYTES = 64 * 1024 * 1024
"""One input file (or stdin). Real manifest folders are far smaller; 10,000 resources take ~6 MiB."""

MAX_DOCUMENTS = 200_000
"""YAML documents across all inputs together."""

MAX_DEPTH = 1000
"""Nesting of mappings and sequences in one document: libyaml refuses deeper documents ("exceeded maximum nesting
depth"), and Python's recursion limit may stop a little earlier; either way the file is refused with an error.
Kubernetes objects stay under ~25 levels."""

MAX_NODES_PER_DOCUMENT = 1_000_000
"""Values in one document after alias expansion: stops "billion laughs" alias bombs before anything expands them."""

# ---------------------------------------------------------------- the simulation's bounds

MAX_SHOWN_SYNCS = 200
"""Rollout syncs a plan works out and shows. A rollout of 2^31-1 replicas with maxSurge 1 has billions of syncs;
the plan shows the first ones and says that more follow, instead of computing them all."""

POD_ROOM_MARGIN = 1
"""Pods a workload materializes beyond the room the whole cluster has (free Pod slots now plus what
cluster-autoscaler may still add): one Pending Pod carries kube-scheduler's reason; the rest of a huge workload is
counted (`unscheduled`), not created one by one. Kubernetes would create them all and they would all stay Pending."""

MAX_LISTED = 5
"""Items a message lists before "and N more": one Service with 20,000 ports must not make 20,000 warnings of
5,000 ports each (435 MB of text)."""
