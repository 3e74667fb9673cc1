"""Optional: every valid real-world manifest in ../shared/corpus passes `planner validate` unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner import api
from planner.errors import PlannerError

CORPUS = Path(os.environ.get("PLANNER_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
KNOWN_INVALID = {
    # the Kubernetes API server refuses their repeated `selector` key, and so do we
    "kubernetes-examples___archived_openshift-origin_etcd-controller.yaml__0.yaml",
    "kubernetes-examples___archived_openshift-origin_etcd-discovery-controller.yaml__0.yaml",
    "kubernetes-examples___archived_openshift-origin_openshift-controller.yaml__0.yaml",
    # a preferred affinity term without its required `weight`
    "kubernetes-website__content_en_examples_deployments_deployment-with-capacity-reservation.yaml__0.yaml",
    # a volumeMount "ca-certs" while the volume is named "ca": kube-apiserver's ValidateVolumeMounts answers
    # `volumeMounts[1].name: Not found: "ca-certs"` (the corpus README counts it as valid; it is not)
    "istio-samples__samples_mtls-echo_mtls-echo.yaml__1.yaml",
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_every_valid_corpus_document_passes_validate(record_property):
    files = sorted(CORPUS.glob("*/*.yaml"))
    assert len(files) > 300
    rejected = {}
    for path in files:  # one at a time: names repeat across sources
        try:
            api.validate([str(path)], options=api.Options(kubernetes_version="1.32"))
        except PlannerError as exc:
            rejected[path.name] = str(exc)
    record_property("corpus_files", len(files))
    print(f"\ncorpus: {len(files) - len(rejected)} of {len(files)} documents valid, {len(rejected)} refused")
    assert set(rejected) == KNOWN_INVALID, {k: v for k, v in rejected.items() if k not in KNOWN_INVALID}
    for name, message in rejected.items():
        if "openshift-origin" in name:
            assert 'duplicate key "selector"' in message
        if "mtls-echo" in name:
            assert 'volumeMounts[1].name: not found: no volume named "ca-certs"' in message
