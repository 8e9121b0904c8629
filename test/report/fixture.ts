// A small audit written by hand: a Deployment with pod and container results
// (two containers) and a Service with object-level results; passes, warnings, dangers.
import type { AuditData, ResultMessage, Severity } from '../../src/policy/types.js';

export function message(id: string, success: boolean, severity: Severity, category: string, text: string): ResultMessage {
  return { ID: id, Message: text, Details: null, Success: success, Severity: severity, Category: category };
}

export function sampleAudit(): AuditData {
  return {
    PolarisOutputVersion: '1.0',
    AuditTime: '0001-01-01T00:00:00Z',
    SourceType: 'Path',
    SourceName: 'deploy/',
    DisplayName: 'deploy/',
    ClusterInfo: { Version: 'unknown', Nodes: 0, Pods: 1, Namespaces: 1, Controllers: 1 },
    Results: [
      {
        Name: 'web',
        Namespace: 'shop',
        Kind: 'Deployment',
        Results: {
          deploymentMissingReplicas: message('deploymentMissingReplicas', false, 'warning', 'Reliability', 'Only one replica is scheduled'),
        },
        PodResult: {
          Name: 'web',
          Results: {
            hostNetworkSet: message('hostNetworkSet', true, 'danger', 'Security', 'Host network is not configured'),
            hostIPCSet: message('hostIPCSet', true, 'danger', 'Security', 'Host IPC is not configured'),
          },
          ContainerResults: [
            {
              Name: 'app',
              Results: {
                runAsRootAllowed: message('runAsRootAllowed', false, 'danger', 'Security', 'Should not be allowed to run as root'),
                cpuLimitsMissing: message('cpuLimitsMissing', true, 'warning', 'Efficiency', 'CPU limits are set'),
              },
            },
            {
              Name: 'sidecar',
              Results: {
                tagNotSpecified: message('tagNotSpecified', false, 'danger', 'Reliability', 'Image tag should be specified'),
                livenessProbeMissing: message('livenessProbeMissing', false, 'warning', 'Reliability', 'Liveness probe should be configured'),
              },
            },
          ],
        },
        CreatedTime: '0001-01-01T00:00:00Z',
        Source: { File: 'deploy/web.yaml', Line: 3 },
      },
      {
        Name: 'web',
        Namespace: 'shop',
        Kind: 'Service',
        Results: {
          serviceType: message('serviceType', true, 'warning', 'Networking', 'Service type is ClusterIP'),
          customNote: message('customNote', false, 'warning', 'Custom', 'Bad <&"\'> characters'),
        },
        CreatedTime: '0001-01-01T00:00:00Z',
        Source: { File: 'deploy/web.yaml', Line: 40 },
      },
    ],
    Score: 53,
  };
}
