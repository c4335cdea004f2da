export * from './session/session.state.js';
export * from './session/session.evolve.js';
export * from './session/session.decide.js';
export * from './session/session.snapshot.js';
export * from './fleet/admission.decider.js';
export * from './fleet/placement.decider.js';
export * from './fleet/create-rate.decider.js';
export * from './project/api-key.js';
