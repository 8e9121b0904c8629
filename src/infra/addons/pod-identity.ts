// An IAM role for one Kubernetes service account through EKS Pod Identity
// (no OIDC provider, no role ARN annotation on the service account): the
// association names the namespace and service account, so the service account
// may be created later by the Helm chart that runs the pods.
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';

export interface PodIdentityRoleProps {
  readonly cluster: eks.ICluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** What the role is for, in its description. */
  readonly purpose: string;
}

/**
 * The trust conditions of a Pod Identity role for one service account of one
 * cluster. The principal pods.eks.amazonaws.com is the same for every
 * cluster, so without conditions any Pod Identity association in the account
 * (green's, or one made later for any service account) could name the role.
 *
 * - `aws:RequestTag/eks-cluster-arn`, `…/kubernetes-namespace` and
 *   `…/kubernetes-service-account`: the session tags EKS Pod Identity adds to
 *   its AssumeRole request. AWS documents them for exactly this use: the EKS
 *   User Guide's "Create IAM role with trust policy required by EKS Pod
 *   Identity" (pod-id-role) lists the six request tags and gives a trust
 *   policy with StringEquals on the namespace and service-account tags; the
 *   tag list is in "Grant Pods access to AWS resources based on tags"
 *   (pod-id-abac). The cluster ARN tag is what binds the role to this cluster.
 *   They rely on the association's session tags staying on (the
 *   CfnPodIdentityAssociation's disableSessionTags is never set).
 * - `aws:SourceAccount`: the account. AWS's EKS Best Practices Guide (IAM,
 *   "EKS Pod Identities") says EKS passes the source organisation when Pod
 *   Identity assumes a role, i.e. the request carries the source context, and
 *   the condition is reported working with Pod Identity; it is redundant with
 *   the cluster ARN (which names the account) and guards the same thing.
 * - not `aws:SourceArn`: AWS documents a SourceArn condition for the EKS
 *   cluster role (eks.amazonaws.com, cross-service confused deputy page) but
 *   not for pods.eks.amazonaws.com; what EKS Pod Identity sends there is not
 *   documented (third-party policies guess the cluster ARN or the association
 *   ARN, and one report has the latter refusing every pod). A wrong guess
 *   would refuse every controller its credentials, so the documented
 *   eks-cluster-arn session tag does that job.
 */
function podIdentityTrustConditions(cluster: eks.ICluster, namespace: string, serviceAccount: string, account: string): Record<string, unknown> {
  return {
    StringEquals: {
      'aws:SourceAccount': account,
      'aws:RequestTag/eks-cluster-arn': cluster.clusterArn,
      'aws:RequestTag/kubernetes-namespace': namespace,
      'aws:RequestTag/kubernetes-service-account': serviceAccount,
    },
  };
}

/** A role that only the EKS Pod Identity agent can assume, for one service account of one cluster, and its association. */
export class PodIdentityRole extends Construct {
  readonly role: iam.Role;
  readonly association: eks.CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    const conditions = podIdentityTrustConditions(props.cluster, props.namespace, props.serviceAccount, Stack.of(this).account);
    this.role = new iam.Role(this, 'Role', {
      // sts:TagSession: Pod Identity tags the session with cluster, namespace and service account.
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withConditions(conditions).withSessionTags(),
      description: `${props.purpose} (${props.namespace}/${props.serviceAccount}, EKS Pod Identity)`,
    });
    this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.roleArn,
    });
  }
}
