export * from './detect.js';
export * from './pseudonymise.js';
export * from './recognizers/types.js';
export * from './recognizers/checksums.js';
