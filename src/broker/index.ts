export * from './api.js';
export * from './clock.js';
export * from './errors.js';
export * from './types.js';
export * from './typedValue.js';
export { Broker } from './broker.js';
