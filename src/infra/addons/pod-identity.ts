// An IAM role for one Kubernetes service account through EKS Pod Identity
// (no OIDC provider, no role ARN annotation on the service account): the
// association names the namespace and service account, so the service account
// may be created later by the Helm chart that runs the pods.
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityRoleProps {
  readonly cluster: eks.ICluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** What the role is for, in its description. */
  readonly purpose: string;
}

/** A role that only the EKS Pod Identity agent can assume, for one service account, and its association. */
export class PodIdentityRole extends Construct {
  readonly role: iam.Role;
  readonly association: eks.CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      // sts:TagSession: Pod Identity tags the session with cluster, namespace and service account.
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags(),
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
