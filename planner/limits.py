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

MAX_DIRECTORY_ENTRIES = 1_000_000
"""Entries looked at while walking the input directories (symbolic links followed): a folder of manifests has
thousands at most; this stops a walk of a whole disk, or of a maze of links, long before it costs minutes."""

MAX_PORTS_PER_SERVICE = 1000
"""Ports in one Service's spec.ports. Kubernetes sets no number: only etcd's 1.5 MiB request limit bounds it, at
tens of thousands of ports. Real Services have a handful, and every port costs kube-proxy rules on every node, so
1,000 is generous. Enforced by maxItems in schemas/kubernetes-constraints.schema.json (a test keeps the two equal),
so a 20,000-port Service is refused at validate instead of being simulated."""

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

MAX_LIST_DEPTH = 8
"""Lists inside Lists (`kind: List` items that are Lists themselves) expanded before the rest is refused: kubectl
prints one level; a few more cover Lists of Lists written by tools, and the bound keeps a hostile file from
recursing."""
