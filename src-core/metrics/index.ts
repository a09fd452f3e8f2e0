export * from './roc';
export * from './calibration';
export * from './agreement';
