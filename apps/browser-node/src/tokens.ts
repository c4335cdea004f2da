/** Injection tokens for values main.ts builds before Nest starts. */
export const NODE_CONFIG = Symbol('NODE_CONFIG');
export const LOGGER = Symbol('LOGGER');
