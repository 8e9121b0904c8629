// kaji's AWS CDK constructs (`kaji/infra`): the platform's AWS side, read from
// the same platform.yaml as the manifest generator. Exported for users' own
// CDK apps.
export { buildPlatformApp, stackName, type PlatformApp, type PlatformAppOptions } from './app.js';
