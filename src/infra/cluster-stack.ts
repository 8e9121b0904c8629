// One EKS cluster of the platform (one `clusters[]` entry of platform.yaml), at
// its Kubernetes version, with what its Argo CD needs in order to start.
//
// CDK installs the cluster and what must come with it (the rule is below the
// table); Argo CD syncs the rest from the manifest repository
// (`clusters/<cluster>/`), so a new cluster converges on the same state as its
// predecessor without a second deployment tool.
//
//   CDK (this stack, `cdk deploy`)            Argo CD (git, `kaji synth`)
//   ---------------------------------------   ---------------------------------------
//   EKS cluster, endpoint, control-plane      tenant namespaces, ResourceQuotas,
//     logs, access entries (admins, teams)      LimitRanges, NetworkPolicies
//   EKS add-ons: vpc-cni (network policy      the teams' Roles and RoleBindings
//     on), coredns, kube-proxy, Pod             (to the groups the access entries map)
//     Identity agent                          AppProjects and Applications of every
//   system node group (on-demand, tainted)      service (under the root application)
//   Karpenter: IAM, interruption queue and    the services themselves (apps/<name>/
//     rules, chart, NodePool, EC2NodeClass      overlays/<cluster>), their Ingresses
//   AWS Load Balancer Controller, external-     with the cluster's DNS weight
//     dns (with IAM), metrics-server, the     kaji's in-cluster components
//     VPA recommender, cert-manager (the         (webhook, headroom: clusters/<c>/platform)
//     webhook's certificates)
//   Argo CD, the External Secrets Operator
//     (argocd namespace only) and the
//     repository credentials, the root
//     Application and its AppProject, SSO
//     (oidc.config, RBAC, client secret),
//     its ALB Ingress and ACM certificate
//     (argocd.ingress)
//
// CDK's: what Argo CD's first sync needs (nodes, CNI, DNS, the CRDs of the
// objects kaji generates: cert-manager's, the VPA's), what needs AWS resources
// made with the cluster (IAM roles, queues, certificates), and the cluster
// add-ons pinned per Kubernetes version with them (metrics-server, so HPAs
// work from the first pod). Git's: everything else, as plain Kubernetes objects.
import { isDeepStrictEqual } from 'node:util';
import * as cdk from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT, apiEndpointCidrProblem, teamGroup, type ClusterDefinition, type PlatformDefinition } from '../platform/index.js';
import { ArgoCdBootstrap } from './addons/argocd.js';
import { acknowledgeRuleFindings } from './addons/nag-findings.js';
import { ExternalDns } from './addons/external-dns.js';
import { LoadBalancerController } from './addons/load-balancer-controller.js';
import { ResourceMetrics } from './addons/metrics.js';
import { CertManager } from './addons/cert-manager.js';
import { InfraError } from './errors.js';
import { Karpenter } from './karpenter.js';
import { awsCliLayerAsset, kubectlLayerAsset, linkLayerZips } from './private/layer-staging.js';
import { constructPathOf, failAt, validatePlatformInfo } from './private/platform-info.js';
import { PlatformStack } from './private/platform-stack.js';
import { CLUSTER_TAG, PLATFORM_TAG } from './private/tags.js';
import { eksClusterName } from '../platform/stack-name.js';
import { IAM_ROLE_ARN, SECRET_NAME } from '../platform/definition/schema.js';
import { suppress, type NagSuppression } from './nag.js';
import { versionPins, type VersionPins } from './versions.js';

/**
 * The EKS access policy each team's IAM identity gets in its own namespaces,
 * on top of its Kubernetes group:
 * - `none`: only the group `kaji:team:<team>`, which the Roles and
 *   RoleBindings kaji generates in each of the team's namespaces bind (read
 *   its workloads and logs, restart and port-forward pods; changes go through
 *   git). One place for a team's rights, reviewed in git;
 * - `view`: also AmazonEKSViewPolicy in the team's namespaces;
 * - `edit`: also AmazonEKSEditPolicy in the team's namespaces: the team may
 *   change objects by hand (Argo CD's self-heal reverts them), read Secrets,
 *   exec into pods and delete its NetworkPolicies.
 */
export type TeamAccessPolicy = 'none' | 'view' | 'edit';

/** The AWS managed policies of the system node role, those the EKS User Guide names for a node role. */
const SYSTEM_NODE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryPullOnly'];

const TEAM_ACCESS_POLICIES: Record<Exclude<TeamAccessPolicy, 'none'>, string> = {
  view: 'AmazonEKSViewPolicy',
  edit: 'AmazonEKSEditPolicy',
};

export interface ClusterStackProps extends cdk.StackProps {
  /** The platform definition (platform.yaml). */
  readonly platform: PlatformDefinition;
  /** The cluster of the platform this stack builds. */
  readonly cluster: ClusterDefinition;
  /** The VPC the cluster's control plane ENIs, nodes and pods use (the shared stack's). */
  readonly vpc: ec2.IVpc;
  /** The platform's public hosted zone: external-dns writes the cluster's records there, and only there. */
  readonly hostedZone: route53.IHostedZone;
  /**
   * More IAM role ARNs of platform admins: cluster admin (AmazonEKSClusterAdminPolicy,
   * cluster scope), joined to platform.yaml's `platform.adminRoles` (a role in
   * both is one entry). They add to platform.yaml's list, never replace it, so
   * every role named there is admin wherever the platform is deployed. The
   * cluster gives its creator no access, so without any no person can use
   * kubectl on it (see the README's "Who may use kubectl").
   * @default []
   */
  readonly platformAdminRoleArns?: readonly string[];
  /**
   * Name of the Secrets Manager secret with the manifest repository's credentials
   * (JSON: `username` and `password`, or a GitHub App's `githubAppID`,
   * `githubAppInstallationID`, `githubAppPrivateKey`). The platform team
   * creates it once; its value never enters a template. The External Secrets
   * Operator's role may read this secret only and has no KMS permission: with
   * the account's aws/secretsmanager key that is enough; a customer managed
   * key must let the role decrypt in its key policy.
   * @default `kaji/<platform>/manifest-repository`
   */
  readonly repositoryCredentialsSecretName?: string;
  /**
   * CIDRs that may reach the cluster's public API endpoint (e.g. an office or
   * VPN egress), instead of platform.yaml's platform.apiEndpointCidrs. Empty:
   * the endpoint is private only, reachable from the VPC (and what is
   * connected to it).
   * @default platform.yaml's platform.apiEndpointCidrs ([]: private endpoint only)
   */
  readonly publicEndpointCidrs?: readonly string[];
  /**
   * The EKS access policy of each team in its namespaces, besides its group
   * (see TeamAccessPolicy: `none` keeps a team's rights in the RoleBindings
   * kaji generates, reviewed in git; `edit` would let a team read Secrets,
   * exec into pods and delete its NetworkPolicies).
   * @default 'none'
   */
  readonly teamAccessPolicy?: TeamAccessPolicy;
  /**
   * Subnets of the control plane ENIs and the system nodes.
   * @default the VPC's private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Instance type of the two system nodes.
   * @default m7g.large when the platform's first architecture is arm64, else m6i.large
   */
  readonly systemNodeInstanceType?: ec2.InstanceType;
  /**
   * Helm values merged over kaji's Argo CD values (top-level keys replace
   * kaji's, but `configs` merges section by section and `server` key by key,
   * down to `server.ingress.annotations`: a `server.resources` or one more
   * annotation keeps kaji's Ingress of `argocd.ingress`; a `global` here, which
   * must be a map, merges key by key too: it keeps Argo CD's host
   * (`global.domain`), the pinned Argo CD image tag, the system-node
   * placement and the NetworkPolicies unless it sets them itself; see
   * ArgoCdBootstrapProps.values).
   * @default {}
   */
  readonly argoCdValues?: Record<string, unknown>;
  /**
   * Karpenter's Helm chart version.
   * @default the version Karpenter pins for the cluster's Kubernetes version
   */
  readonly karpenterChartVersion?: string;
}

/** The default name of the Secrets Manager secret with the manifest repository's credentials. */
export function defaultRepositoryCredentialsSecretName(platform: PlatformDefinition): string {
  return `kaji/${platform.platform.name}/manifest-repository`;
}

/** The namespaces of a team's services, sorted, without repeats. */
export function teamNamespaces(platform: PlatformDefinition, team: string): string[] {
  return [...new Set(platform.services.filter((service) => service.team === team).map((service) => service.namespace))].sort();
}

/** The EKS cluster of one `clusters[]` entry, its add-ons, Karpenter and the Argo CD bootstrap. */
export class ClusterStack extends PlatformStack {
  readonly cluster: eks.Cluster;
  /** What this cluster runs, pinned for its Kubernetes version. */
  readonly pins: VersionPins;
  /** The on-demand nodes for system pods. */
  readonly systemNodes: eks.Nodegroup;
  readonly addons: {
    readonly vpcCni: eks.Addon;
    readonly coreDns: eks.Addon;
    readonly kubeProxy: eks.Addon;
    readonly podIdentityAgent: eks.IAddon;
  };
  readonly karpenter: Karpenter;
  readonly loadBalancerController: LoadBalancerController;
  readonly externalDns: ExternalDns;
  readonly resourceMetrics: ResourceMetrics;
  readonly certManager: CertManager;
  readonly argoCd: ArgoCdBootstrap;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    const { platform, cluster: definition } = props;
    const path = constructPathOf(scope, id);
    validatePlatformInfo(platform, props.env, failAt(path));
    validate(path, props);
    super(scope, id, {
      description: `kaji: EKS cluster ${definition.name} (Kubernetes ${definition.kubernetesVersion}) of platform ${platform.platform.name}`,
      ...props,
      env: { account: platform.platform.account, region: platform.platform.region },
    });
    // Cost allocation per platform and per cluster (blue and green side by side).
    cdk.Tags.of(this).add(PLATFORM_TAG, platform.platform.name);
    cdk.Tags.of(this).add(CLUSTER_TAG, definition.name);
    this.pins = versionPins(definition.kubernetesVersion, this.node.path);
    const subnets = props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const publicCidrs = [...(props.publicEndpointCidrs ?? platform.platform.apiEndpointCidrs ?? [])];

    // The kubectl provider's two layer zips, staged as hard links rather than ~60 MB of copies (see private/layer-staging.ts).
    const layerLinks = linkLayerZips(this, [kubectlLayerAsset(this.pins.kubectlLayer), awsCliLayerAsset()]);
    const clusterName = eksClusterName(platform, definition.name);
    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName,
      version: this.pins.eksVersion,
      vpc: props.vpc,
      vpcSubnets: [subnets],
      // Managed node group + Karpenter, not EKS Auto Mode; no default capacity.
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      // Private by default: the API is reachable from the VPC only (the kubectl
      // provider runs there); opening it to named CIDRs is an explicit choice.
      endpointAccess: publicCidrs.length === 0 ? eks.EndpointAccess.PRIVATE : eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...publicCidrs),
      kubectlProviderOptions: { kubectlLayer: new this.pins.kubectlLayer(this, 'KubectlLayer') },
      // The add-ons below are EKS managed ones at pinned versions; EKS installs no unmanaged copies first.
      bootstrapSelfManagedAddons: false,
      // Only the access entries below (and the kubectl provider's) are admins, not whoever ran the deployment.
      bootstrapClusterCreatorAdminPermissions: false,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      outputConfigCommand: false,
    });
    layerLinks.keepStaged(this);
    this.restrictClusterRoleTrust(clusterName);

    this.grantAccess(props);
    this.addons = this.addManagedAddons();
    this.systemNodes = this.addSystemNodes(props, subnets);
    // Nodes need the CNI and kube-proxy to become Ready; CoreDNS needs nodes to become Active.
    this.systemNodes.node.addDependency(this.addons.vpcCni, this.addons.kubeProxy, this.addons.podIdentityAgent);
    this.addons.coreDns.node.addDependency(this.systemNodes);
    const ready = [this.systemNodes, this.addons.coreDns, this.addons.podIdentityAgent];

    this.karpenter = new Karpenter(this, 'Karpenter', {
      cluster: this.cluster,
      platform,
      clusterDefinition: definition,
      ...(props.karpenterChartVersion === undefined ? {} : { chartVersion: props.karpenterChartVersion }),
    });
    this.karpenter.node.addDependency(...ready);

    this.loadBalancerController = new LoadBalancerController(this, 'LoadBalancerController', {
      cluster: this.cluster,
      chart: this.pins.charts.awsLoadBalancerController,
    });
    this.loadBalancerController.node.addDependency(...ready);

    this.externalDns = new ExternalDns(this, 'ExternalDns', {
      cluster: this.cluster,
      platform,
      clusterDefinition: definition,
      hostedZone: props.hostedZone,
      chart: this.pins.charts.externalDns,
    });
    this.externalDns.node.addDependency(...ready);

    this.resourceMetrics = new ResourceMetrics(this, 'ResourceMetrics', {
      cluster: this.cluster,
      metricsServerChart: this.pins.charts.metricsServer,
      vpaChart: this.pins.charts.vpa,
    });
    this.resourceMetrics.node.addDependency(...ready);

    this.certManager = new CertManager(this, 'CertManager', { cluster: this.cluster, chart: this.pins.charts.certManager });
    this.certManager.node.addDependency(...ready);

    this.argoCd = new ArgoCdBootstrap(this, 'ArgoCd', {
      cluster: this.cluster,
      platform,
      clusterDefinition: definition,
      charts: this.pins.charts,
      repositoryCredentialsSecretName: props.repositoryCredentialsSecretName ?? defaultRepositoryCredentialsSecretName(platform),
      ...(props.argoCdValues === undefined ? {} : { values: props.argoCdValues }),
      dependsOn: ready,
      hostedZone: props.hostedZone,
      vpcCidr: props.vpc.vpcCidrBlock,
    });
    // The first sync creates Ingresses: the controller's Ingress webhook must answer by then (the root waits for
    // Argo CD's chart, which waits for the controller's, as every chart does).
    this.admitServicesAfterLoadBalancerController();
    // kaji-platform's webhook certificates are cert-manager objects: its CRDs must exist before the first sync.
    this.argoCd.root.node.addDependency(this.certManager.chart);
    // kaji-tenants holds a VerticalPodAutoscaler per workload: the VPA chart's CRDs must exist before the first sync too.
    this.argoCd.root.node.addDependency(this.resourceMetrics.vpa);

    new cdk.CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    this.acknowledgeNagFindings(publicCidrs);
  }

  /**
   * Once the controller's chart is applied, its Ingress webhook
   * (vingress.elbv2.k8s.aws, failurePolicy Fail) refuses every Ingress ("no
   * endpoints available for service aws-load-balancer-webhook-service") until
   * its pods are ready: Argo CD's Ingress (argocd.ingress) and the first
   * sync's need it. Its Service webhook, which refused every new Service the
   * same way, is off (LoadBalancerController: enableServiceMutatorWebhook
   * false); every other chart is still installed after the controller's,
   * which waits for its pods, so that none races a webhook of the controller,
   * at the cost of the controller's install time.
   */
  private admitServicesAfterLoadBalancerController(): void {
    const charts = [this.karpenter.chart, this.externalDns.chart, this.resourceMetrics.metricsServer, this.resourceMetrics.vpa, this.certManager.chart, this.argoCd.chart];
    for (const chart of charts) chart.node.addDependency(this.loadBalancerController.chart);
  }

  /**
   * The cluster service role trusts eks.amazonaws.com only on behalf of this
   * cluster of this account (aws:SourceAccount, aws:SourceArn), as the EKS
   * User Guide's "Cross-service confused deputy prevention" recommends and
   * documents for the cluster role. Without them, anyone in the account
   * allowed to pass the role could create another cluster that acts with it.
   * The ARN is built from the literal cluster name: the role is created before
   * the cluster, so it cannot reference the cluster's attributes. The role
   * is aws-cdk-lib's (a new role would replace the cluster).
   */
  private restrictClusterRoleTrust(clusterName: string): void {
    const clusterArn = this.formatArn({ service: 'eks', resource: 'cluster', resourceName: clusterName });
    if (!this.restrictServiceRoleTrust(this.cluster.role, clusterArn)) {
      throw new InfraError(this.node.path, 'cluster.role', 'is not the single-statement eks.amazonaws.com role aws-eks-v2 creates, so its trust policy cannot be narrowed');
    }
  }

  /** Access entries: the platform team as cluster admins, each team's identity as its group (and optional policy) in its namespaces. */
  private grantAccess(props: ClusterStackProps): void {
    for (const { arn } of platformAdmins(props)) this.cluster.grantClusterAdmin(adminEntryId(arn), arn);
    const policy = props.teamAccessPolicy ?? 'none';
    for (const team of props.platform.teams) {
      const namespaces = teamNamespaces(props.platform, team.name);
      const accessPolicies =
        policy === 'none' || namespaces.length === 0
          ? []
          : [eks.AccessPolicy.fromAccessPolicyName(TEAM_ACCESS_POLICIES[policy], { accessScopeType: eks.AccessScopeType.NAMESPACE, namespaces })];
      const entry = new eks.AccessEntry(this, `Team-${team.name}`, { cluster: this.cluster, principal: team.identity, accessPolicies });
      // The group the generated RoleBindings bind (aws-eks-v2's AccessEntry has no prop for it).
      (entry.node.defaultChild as eks.CfnAccessEntry).kubernetesGroups = [teamGroup(team.name)];
    }
  }

  private addManagedAddons(): ClusterStack['addons'] {
    const { addons } = this.pins;
    // The cluster's own Pod Identity agent add-on (what aws-eks-v2's
    // ServiceAccount uses too), pinned: one add-on whoever asks for it.
    const podIdentityAgent = this.cluster.eksPodIdentityAgent;
    if (podIdentityAgent === undefined) throw new InfraError(this.node.path, 'cluster', 'has no EKS Pod Identity agent add-on');
    (podIdentityAgent.node.defaultChild as eks.CfnAddon).addonVersion = addons.podIdentityAgent;
    return {
      vpcCni: new eks.Addon(this, 'VpcCni', {
        cluster: this.cluster,
        addonName: 'vpc-cni',
        addonVersion: addons.vpcCni,
        // Enforce the NetworkPolicies kaji generates for every tenant namespace.
        configurationValues: { enableNetworkPolicy: 'true' },
      }),
      kubeProxy: new eks.Addon(this, 'KubeProxy', { cluster: this.cluster, addonName: 'kube-proxy', addonVersion: addons.kubeProxy }),
      coreDns: new eks.Addon(this, 'CoreDns', { cluster: this.cluster, addonName: 'coredns', addonVersion: addons.coreDns }),
      podIdentityAgent,
    };
  }

  private addSystemNodes(props: ClusterStackProps, subnets: ec2.SubnetSelection): eks.Nodegroup {
    const arm = props.platform.capacity.architectures[0] === 'arm64';
    // Without a launch template of its own, a managed node group gets one
    // that EKS generates with a metadata hop limit of 2, which lets every
    // pod on the node reach the instance metadata service and take the node
    // role's credentials (the EKS User Guide, "Customize managed nodes with
    // launch templates"). This one sets the metadata options: IMDSv2
    // required, hop limit 1 (the node itself and host-network pods such as
    // aws-node and the Pod Identity agent), as Karpenter's nodes have; and
    // the root volume (/dev/xvda on AL2023): encrypted (with the account's
    // default EBS key) whether or not the account encrypts new volumes by
    // default, gp3, at the AMI's size; the platform and cluster tags on the
    // instances and their volumes, for cost allocation as on Karpenter's
    // nodes (EKS copies no node group tag to its instances). Instance types
    // and AMI type stay on the node group (EKS refuses a setting made in both
    // places). Platform pods get their region and VPC from their values
    // instead (LoadBalancerController, Karpenter).
    const costTags = [
      { key: PLATFORM_TAG, value: props.platform.platform.name },
      { key: CLUSTER_TAG, value: props.cluster.name },
    ];
    const launchTemplate = new ec2.CfnLaunchTemplate(this, 'SystemNodesLaunchTemplate', {
      launchTemplateData: {
        metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', deleteOnTermination: true } }],
        tagSpecifications: ['instance', 'volume'].map((resourceType) => ({ resourceType, tags: costTags })),
      },
    });
    // A node group created without a launch template cannot be given one
    // (EKS UpdateNodegroupVersion takes the template it was created with), so
    // the node group has a new construct id: CloudFormation creates it before
    // it deletes the one made by earlier kaji versions (id "System").
    const nodes = this.cluster.addNodegroupCapacity('SystemNodes', {
      instanceTypes: [props.systemNodeInstanceType ?? new ec2.InstanceType(arm ? 'm7g.large' : 'm6i.large')],
      amiType: arm ? eks.NodegroupAmiType.AL2023_ARM_64_STANDARD : eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      launchTemplateSpec: { id: launchTemplate.ref, version: launchTemplate.attrLatestVersionNumber },
      // On-demand: Argo CD, Karpenter and DNS must not go away with a spot interruption.
      capacityType: eks.CapacityType.ON_DEMAND,
      minSize: 2,
      desiredSize: 2,
      maxSize: 3,
      subnets,
      labels: { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value },
      taints: [{ key: SYSTEM_NODE_TAINT.key, value: SYSTEM_NODE_TAINT.value, effect: eks.TaintEffect.NO_SCHEDULE }],
    });
    this.pullOnlyFromEcr(nodes.role);
    return nodes;
  }

  /**
   * The system node role's ECR policy: AmazonEC2ContainerRegistryPullOnly
   * (pull images; what the EKS User Guide's node role names, and Karpenter's
   * nodes have) instead of the ReadOnly policy aws-cdk-lib attaches, which
   * also lists and describes every repository and its images. The role stays
   * aws-cdk-lib's (a new node role would replace the node group); only its
   * list of managed policies is set, an in-place update.
   */
  private pullOnlyFromEcr(role: iam.IRole): void {
    const managed = (names: readonly string[]): string[] => names.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name).managedPolicyArn);
    const resource = role.node.defaultChild;
    const made = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'];
    if (!(resource instanceof iam.CfnRole) || !isDeepStrictEqual(this.resolve(resource.managedPolicyArns), this.resolve(managed(made)))) {
      throw new InfraError(this.node.path, 'systemNodes.role', `is not the node role aws-eks-v2 makes (${made.join(', ')}), so its ECR policy cannot be narrowed: check what the aws-cdk-lib upgrade changed`);
    }
    resource.managedPolicyArns = managed(SYSTEM_NODE_POLICIES);
  }

  private acknowledgeNagFindings(publicCidrs: readonly string[]): void {
    if (publicCidrs.length > 0) {
      suppress(this.cluster, [
        {
          id: 'AwsSolutions-EKS1',
          reason: `The API endpoint is public only to the CIDRs the platform named (${publicCidrs.join(', ')}); private access stays on.`,
        },
      ]);
    }
    suppress(this.cluster.role, [
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]',
        reason: 'AmazonEKSClusterPolicy is the policy EKS documents for the cluster service role; AWS keeps it current as EKS gains calls.',
      },
    ]);
    const managed = (name: string): NagSuppression => ({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
      reason: `${name} is one of the AWS managed policies EKS documents for managed node groups; AWS keeps it current, a copy would drift.`,
    });
    suppress(this.systemNodes.role, SYSTEM_NODE_POLICIES.map(managed));
    // aws-cdk-lib's kubectl provider (a Lambda in the VPC and its provider framework): its roles, runtime and policies are aws-cdk-lib's.
    const kubectlProvider = this.cluster.node.findChild('KubectlProvider');
    acknowledgeRuleFindings(
      kubectlProvider,
      'AwsSolutions-IAM4',
      'aws-cdk-lib\'s kubectl provider attaches the AWS managed Lambda execution (basic, VPC) and ECR read policies its handler needs; kaji does not own that handler.',
    );
    acknowledgeRuleFindings(
      kubectlProvider,
      'AwsSolutions-IAM5',
      'aws-cdk-lib\'s custom resource provider framework invokes any version of its own kubectl handler (handler ARN:*), nothing else.',
    );
    acknowledgeRuleFindings(
      kubectlProvider,
      'AwsSolutions-L1',
      'The kubectl handler\'s Python runtime is chosen by aws-cdk-lib together with its kubectl layer; it moves with aws-cdk-lib upgrades.',
    );
  }
}

/**
 * The platform admins: platform.yaml's `platform.adminRoles`, then the
 * `platformAdminRoleArns` prop's roles not among them; `field` names where
 * each came from, for errors.
 */
function platformAdmins(props: ClusterStackProps): { readonly arn: string; readonly field: string }[] {
  const admins = [
    ...(props.platform.platform.adminRoles ?? []).map((arn, index) => ({ arn, field: `platform.platform.adminRoles[${index}]` })),
    ...(props.platformAdminRoleArns ?? []).map((arn, index) => ({ arn, field: `platformAdminRoleArns[${index}]` })),
  ];
  return admins.filter((admin, index) => admins.findIndex((other) => other.arn === admin.arn) === index);
}

/**
 * An admin's access entry is named by its role (account and name), not by its
 * place in the list: removing or reordering roles must not rename the others'
 * entries, or CloudFormation would create a second entry for a role that
 * still has one, which EKS refuses.
 */
function adminEntryId(roleArn: string): string {
  const [, , , , account, resource] = roleArn.split(':');
  return `PlatformAdmin-${account}-${resource!.slice(resource!.lastIndexOf('/') + 1)}`;
}

function validate(path: string, props: ClusterStackProps): void {
  const { platform, cluster } = props;
  if (!platform.clusters?.some((candidate) => candidate.name === cluster?.name)) {
    throw new InfraError(path, 'cluster', `is ${JSON.stringify(cluster?.name)}, which is not in platform.clusters (${(platform.clusters ?? []).map((c) => c.name).join(', ')})`);
  }
  const principals = new Map<string, string>();
  const claim = (arn: string, field: string): void => {
    const previous = principals.get(arn);
    if (previous !== undefined) {
      throw new InfraError(path, field, `is ${arn}, which ${previous} already names: one IAM principal has one access entry, so give each team (and the platform team) its own role`);
    }
    principals.set(arn, field);
  };
  // A definition made by hand (a user's own CDK app) may hold anything here.
  for (const [field, list] of [['platform.platform.adminRoles', platform.platform.adminRoles], ['platformAdminRoleArns', props.platformAdminRoleArns]] as const) {
    if (list !== undefined && !Array.isArray(list)) throw new InfraError(path, field, `must be a list of IAM role ARNs; found ${JSON.stringify(list)}`);
  }
  for (const { arn, field } of platformAdmins(props)) {
    if (typeof arn !== 'string' || !new RegExp(IAM_ROLE_ARN).test(arn)) {
      throw new InfraError(path, field, `must be an IAM role ARN such as arn:aws:iam::111122223333:role/platform-admins; found ${JSON.stringify(arn)}`);
    }
    claim(arn, field);
  }
  for (const [index, team] of platform.teams.entries()) claim(team.identity, `platform.teams[${index}].identity`);
  validateAccessAndSecret(path, props);
  const [field, cidrs] = props.publicEndpointCidrs !== undefined ? ['publicEndpointCidrs', props.publicEndpointCidrs] : ['platform.platform.apiEndpointCidrs', platform.platform.apiEndpointCidrs ?? []];
  for (const [index, cidr] of cidrs.entries()) {
    const problem = apiEndpointCidrProblem(cidr);
    if (problem !== undefined) throw new InfraError(path, `${field}[${index}]`, problem);
  }
}

/** The props a JavaScript app (or a cast) may set to anything: checked here, not at deployment. */
function validateAccessAndSecret(path: string, props: ClusterStackProps): void {
  const policy: unknown = props.teamAccessPolicy;
  if (policy !== undefined && policy !== 'none' && !Object.hasOwn(TEAM_ACCESS_POLICIES, policy as string)) {
    throw new InfraError(path, 'teamAccessPolicy', `must be one of ${['none', ...Object.keys(TEAM_ACCESS_POLICIES)].map((name) => JSON.stringify(name)).join(', ')}; found ${JSON.stringify(policy)}`);
  }
  const secret: unknown = props.repositoryCredentialsSecretName;
  // Secrets Manager's rule for names: 1 to 512 of A-Z a-z 0-9 / _ + = . @ -.
  if (secret !== undefined && (typeof secret !== 'string' || secret.length > 512 || !new RegExp(SECRET_NAME).test(secret))) {
    throw new InfraError(
      path,
      'repositoryCredentialsSecretName',
      `must be a Secrets Manager secret name: 1 to 512 letters, digits and / _ + = . @ - (e.g. "kaji/${props.platform.platform.name}/manifest-repository"), or left out for that default; found ${JSON.stringify(secret)}`,
    );
  }
}
