"""Where each step's fact comes from: documentation URLs and upstream source files, named once.

`StepTemplate.source` refers to these; `planner explain` will show them.
"""

from __future__ import annotations

CA_NO_SCALE_UP = ('kubernetes/autoscaler cluster-autoscaler/FAQ.md ("I have a couple of pending pods, but there was no '
                  'scale-up?")')
CNRM_NODEPOOL = 'https://cloud.google.com/config-connector/docs/reference/resource-docs/container/containernodepool'
GCP_CLOUD_CIDR_ALLOCATOR = 'cloud-provider-gcp pkg/controller/nodeipam/ipam/cloud_cidr_allocator.go'
GKE_NODE_LABELS_UPDATE = 'https://cloud.google.com/kubernetes-engine/docs/how-to/update-existing-nodepools'
GKE_ROUTES_CLUSTER = 'https://cloud.google.com/kubernetes-engine/docs/how-to/routes-based-cluster'
GKE_PRIVATE_CLUSTERS = 'https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept'
GKE_PRIVATE_ENDPOINT = ('Config Connector ContainerCluster CRD, spec.privateClusterConfig.enablePrivateEndpoint '
                        '(https://cloud.google.com/config-connector/docs/reference/resource-docs/container/containercluster)')
K8S_CNI = 'https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/'
L4_NETLB_NODE_SYNC = 'kubernetes/ingress-gce pkg/l4lb/l4netlbcontroller.go (node sync)'

GCE_LB_EXTERNAL = 'cloud-provider-gcp providers/gce/gce_loadbalancer_external.go'
GCE_LB_NODE_SYNC = 'cloud-provider-gcp providers/gce/gce_loadbalancer_external.go (UpdateLoadBalancer)'
GKE_ALIAS_IPS = 'https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips'
GKE_ARCHITECTURE = 'https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-architecture'
GKE_AUTOSCALER = 'https://cloud.google.com/kubernetes-engine/docs/concepts/cluster-autoscaler'
GKE_FIREWALLS = 'https://cloud.google.com/kubernetes-engine/docs/concepts/firewall-rules'
GKE_MAX_PODS = 'https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr'
GKE_NODE_RECREATION = 'https://cloud.google.com/kubernetes-engine/docs/concepts/managing-clusters'
GKE_SURGE_UPGRADE = 'https://cloud.google.com/kubernetes-engine/docs/concepts/node-pool-upgrade-strategies'
GKE_UPDATE_NODE_POOL = ('https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/'
                        'projects.locations.clusters.nodePools/update (UpdateNodePoolRequest)')
GKE_RESIZE = 'https://cloud.google.com/kubernetes-engine/docs/how-to/resizing-a-cluster'
K8S_DEPLOYMENT = 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/'
K8S_ENDPOINTSLICES = 'https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/'
K8S_GARBAGE_COLLECTION = 'https://kubernetes.io/docs/concepts/architecture/garbage-collection/'
K8S_INITIAL_NAMESPACES = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces'
K8S_KUBE_PROXY = 'https://kubernetes.io/docs/reference/networking/virtual-ips/'
K8S_NAMESPACES = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/'
K8S_NODE_CONTROLLER = 'https://kubernetes.io/docs/concepts/architecture/cloud-controller/#node-controller'
K8S_NODE_REGISTRATION = 'https://kubernetes.io/docs/concepts/architecture/nodes/#self-registration-of-nodes'
K8S_OBJECTS = 'https://kubernetes.io/docs/concepts/overview/working-with-objects/'
K8S_POD_LIFECYCLE = 'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/'
K8S_REPLICASET = 'https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/'
K8S_ROLLING_UPDATE = 'https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment'
K8S_SCHEDULER = 'https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/'
VPC_NETWORKS = 'https://cloud.google.com/vpc/docs/vpc'
VPC_SUBNETS = 'https://cloud.google.com/vpc/docs/subnets'
K8S_SERVICE = 'https://kubernetes.io/docs/concepts/services-networking/service/'
GCE_LB_NAMING = 'cloud-provider-gcp providers/gce/gce_loadbalancer_naming.go'
GCE_LB_RANGES = 'cloud-provider-gcp providers/gce/gce_loadbalancer.go (l4LbSrcRngsFlag)'
GKE_LB_CONCEPTS = 'https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer'
GKE_LB_PARAMETERS = 'https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters'
INGRESS_GCE_L4NETLB = 'kubernetes/ingress-gce pkg/l4lb/l4netlbcontroller.go'
INGRESS_GCE_L4NETLB_RESOURCES = 'kubernetes/ingress-gce pkg/loadbalancers/l4netlb.go'
K8S_SERVICE_CONTROLLER = 'k8s.io/cloud-provider controllers/service/controller.go'
K8S_SOURCE_IP = ('https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/'
                 '#preserving-the-client-source-ip')
K8S_SERVICE_ALLOCATION = 'kubernetes pkg/registry/core/service/storage/alloc.go (nodePorts, healthCheckNodePort)'
K8S_STATEFULSET = 'https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/'
K8S_STATEFULSET_CONTROL = 'kubernetes pkg/controller/statefulset/stateful_set_control.go'
K8S_STATEFULSET_UTILS = ('kubernetes pkg/controller/statefulset/stateful_set_utils.go '
                         '(getPodName, getPersistentVolumeClaimName)')
K8S_STATEFULSET_VALIDATION = ('kubernetes pkg/apis/apps/validation/validation.go '
                              '(ValidateStatefulSetSpec, ValidateStatefulSetUpdate)')
K8S_STATEFULSET_PVC_RETENTION = ('https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/'
                                 '#persistentvolumeclaim-retention')
K8S_POD_DNS = 'https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pods'
K8S_PERSISTENT_VOLUMES = 'https://kubernetes.io/docs/concepts/storage/persistent-volumes/'
K8S_VOLUME_BINDING_MODE = 'https://kubernetes.io/docs/concepts/storage/storage-classes/#volume-binding-mode'
GKE_PERSISTENT_VOLUMES = 'https://cloud.google.com/kubernetes-engine/docs/concepts/persistent-volumes'
GKE_PD_CSI_DRIVER = 'https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/gce-pd-csi-driver'
GKE_STATEFULSETS = 'https://cloud.google.com/kubernetes-engine/docs/concepts/statefulset'
