export * from './roc';
export * from './calibration';
export * from './agreement';
export * from './image-quality';
