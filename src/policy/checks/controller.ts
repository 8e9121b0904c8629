import type { CheckDefinition } from '../types.js';
import { valueAt } from './fields.js';

/** A Deployment asks for at least two replicas; an absent `replicas` means one. */
const deploymentMissingReplicas: CheckDefinition = {
  id: 'deploymentMissingReplicas',
  category: 'Reliability',
  target: 'Controller',
  controllers: { include: ['Deployment'] },
  successMessage: 'Multiple replicas are scheduled',
  failureMessage: 'Only one replica is scheduled',
  test: ({ object }) => {
    const replicas = valueAt(object.raw, 'spec', 'replicas');
    return typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 2;
  },
  // Path relative to the object: Controller checks target the whole object.
  mutations: [{ op: 'add', path: '/spec/replicas', value: 3 }],
};

export const controllerChecks: readonly CheckDefinition[] = [deploymentMissingReplicas];
