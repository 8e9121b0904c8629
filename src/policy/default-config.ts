// kaji's built-in policy configuration: the same check severities and the same
// exemptions as Polaris's own default configuration, so that `kaji check` with
// no config file judges manifests the way `polaris audit` does. Grouped here by
// what a check is about; the exemptions are grouped by namespace, then by the
// workloads they name.
export const DEFAULT_CONFIG_YAML = `# kaji built-in defaults (Polaris-equivalent)
checks:
  # workload shape and availability
  deploymentMissingReplicas: warning
  metadataAndInstanceMismatched: warning
  priorityClassNotSet: warning
  topologySpreadConstraint: warning
  missingPodDisruptionBudget: warning
  pdbDisruptionsIsZero: warning
  pdbMinAvailableGreaterThanHPAMinReplicas: warning
  hpaMinAvailability: warning
  hpaMaxAvailability: warning

  # images and probes
  tagNotSpecified: danger
  pullPolicyNotAlways: warning
  readinessProbeMissing: warning
  livenessProbeMissing: warning

  # resources
  cpuRequestsMissing: warning
  cpuLimitsMissing: warning
  memoryRequestsMissing: warning
  memoryLimitsMissing: warning

  # host access
  hostIPCSet: danger
  hostPIDSet: danger
  hostNetworkSet: danger
  hostPortSet: warning
  hostPathSet: warning
  hostProcess: warning

  # container security context
  runAsRootAllowed: danger
  runAsPrivileged: danger
  privilegeEscalationAllowed: danger
  notReadOnlyRootFilesystem: warning
  dangerousCapabilities: danger
  insecureCapabilities: warning
  linuxHardening: warning
  procMount: warning
  automountServiceAccountToken: warning

  # network and secrets
  missingNetworkPolicy: warning
  tlsSettingsMissing: warning
  sensitiveContainerEnvVar: danger
  sensitiveConfigmapContent: danger

  # RBAC
  clusterrolePodExecAttach: danger
  rolePodExecAttach: danger
  clusterrolebindingPodExecAttach: danger
  rolebindingClusterRolePodExecAttach: danger
  rolebindingRolePodExecAttach: danger
  clusterrolebindingClusterAdmin: danger
  rolebindingClusterAdminClusterRole: danger
  rolebindingClusterAdminRole: danger

mutations:
  - pullPolicyNotAlways

exemptions:
  # --- kube-system ---
  - namespace: kube-system
    controllerNames: [dns-controller, ebs-csi-controller, ebs-csi-node, kindnet, kops-controller,
                      kube-dns, kube-flannel-ds, kube-proxy, kube-scheduler, vpa-recommender]
    rules: [automountServiceAccountToken, linuxHardening, missingNetworkPolicy]
  - namespace: kube-system
    controllerNames: [coredns]
    rules: [automountServiceAccountToken, missingNetworkPolicy]
  - namespace: kube-system
    controllerNames: [ebs-csi-controller]
    rules: [sensitiveContainerEnvVar]
  - namespace: kube-system
    controllerNames: [coredns-autoscaler]
    rules: [linuxHardening]
  - namespace: kube-system
    controllerNames: [kube-apiserver, kube-proxy, kube-scheduler, etcd-manager-events,
                      kube-controller-manager, kube-dns, etcd-manager-main]
    rules: [hostPortSet, hostNetworkSet, readinessProbeMissing, livenessProbeMissing,
            cpuRequestsMissing, cpuLimitsMissing, memoryRequestsMissing, memoryLimitsMissing,
            runAsRootAllowed, runAsPrivileged, notReadOnlyRootFilesystem, hostPIDSet]

  # --- other namespaces ---
  - namespace: local-path-storage
    controllerNames: [local-path-provisioner]
    rules: [automountServiceAccountToken, linuxHardening, missingNetworkPolicy]
  - namespace: datadog
    controllerNames: [datadogtoken]
    rules: [sensitiveConfigmapContent]
  - namespace: datadog
    controllerNames: [datadog-cluster-agent-apiserver]
    rules: [rolebindingClusterAdminRole, rolebindingRolePodExecAttach]

  # --- any namespace: ingress, platform and cloud add-ons ---
  - controllerNames: [ingress-nginx-controller]
    rules: [sensitiveConfigmapContent]
  - controllerNames: [ingress-nginx-controller, ingress-nginx-default-backend, polaris, rbac-manager]
    rules: [automountServiceAccountToken, missingNetworkPolicy]
  - controllerNames: [aws-iam-authenticator, aws-load-balancer-controller, docker-registry,
                      external-dns, kube2iam, metrics-server]
    rules: [automountServiceAccountToken, linuxHardening, missingNetworkPolicy]
  - controllerNames: [oauth2-proxy]
    rules: [automountServiceAccountToken, linuxHardening, missingNetworkPolicy, sensitiveContainerEnvVar]
  - controllerNames: [kube-flannel-ds]
    rules: [notReadOnlyRootFilesystem, runAsRootAllowed, readinessProbeMissing, livenessProbeMissing,
            cpuLimitsMissing]
  - controllerNames: [cert-manager]
    rules: [notReadOnlyRootFilesystem, runAsRootAllowed, readinessProbeMissing, livenessProbeMissing,
            automountServiceAccountToken, linuxHardening, missingNetworkPolicy]
  - controllerNames: [cluster-autoscaler]
    rules: [notReadOnlyRootFilesystem, runAsRootAllowed, readinessProbeMissing,
            automountServiceAccountToken, linuxHardening, missingNetworkPolicy]
  - controllerNames: [vpa]
    rules: [runAsRootAllowed, readinessProbeMissing, livenessProbeMissing, notReadOnlyRootFilesystem]
  - controllerNames: [datadog]
    rules: [runAsRootAllowed, readinessProbeMissing, livenessProbeMissing, notReadOnlyRootFilesystem,
            automountServiceAccountToken, linuxHardening, missingNetworkPolicy, sensitiveContainerEnvVar]
  - controllerNames: [nginx-ingress-controller]
    rules: [privilegeEscalationAllowed, insecureCapabilities, runAsRootAllowed]

  # --- any namespace: one rule for many workloads ---
  - controllerNames: [dns-controller, datadog-datadog, kube-flannel-ds, kube2iam, aws-iam-authenticator, datadog]
    rules: [hostNetworkSet]
  - controllerNames: [aws-iam-authenticator, aws-cluster-autoscaler, kube-state-metrics, dns-controller,
                      external-dns, dnsmasq, autoscaler, kubernetes-dashboard, install-cni, kube2iam]
    rules: [readinessProbeMissing, livenessProbeMissing]
  - controllerNames: [aws-iam-authenticator, nginx-ingress-default-backend, aws-cluster-autoscaler,
                      kube-state-metrics, dns-controller, external-dns, kubedns, dnsmasq, autoscaler,
                      tiller, kube2iam]
    rules: [runAsRootAllowed]
  - controllerNames: [aws-iam-authenticator, nginx-ingress-controller, nginx-ingress-default-backend,
                      aws-cluster-autoscaler, kube-state-metrics, dns-controller, external-dns, kubedns,
                      dnsmasq, autoscaler, tiller, kube2iam]
    rules: [notReadOnlyRootFilesystem]
  - controllerNames: [cert-manager, dns-controller, kubedns, dnsmasq, autoscaler,
                      insights-agent-goldilocks-vpa-install, datadog]
    rules: [cpuRequestsMissing, cpuLimitsMissing, memoryRequestsMissing, memoryLimitsMissing]
  - controllerNames: [kube2iam, kube-flannel-ds]
    rules: [runAsPrivileged]
  - controllerNames: [kube-hunter]
    rules: [hostPIDSet]
  - controllerNames: [polaris, kube-hunter, goldilocks, insights-agent-goldilocks-vpa-install]
    rules: [notReadOnlyRootFilesystem]
  - controllerNames: [insights-agent-goldilocks-controller]
    rules: [livenessProbeMissing, readinessProbeMissing]
  - controllerNames: [insights-agent-goldilocks-vpa-install, kube-hunter]
    rules: [runAsRootAllowed]
`;
