// The model stage: input contract, dataset export for training, and ONNX inference.

export {
  MODEL_T,
  MODEL_F,
  ODD_MASK,
  COLUMNS_HASH,
  seriesToInput,
  inputMask,
  seriesToModelInput,
  clipWindows,
  MAX_WINDOWS,
  mirrorInput,
  mirrorMask,
  type ModelInput,
} from './features.js';
export { writeNpy, readNpy, NpyWriter, type NpyArray, type NpyDtype } from './npy.js';
export { exportDataset, VERDICTS, type ExportDatasetOptions, type ExportSummary, type VerdictName } from './dataset.js';
export {
  loadModel,
  predict,
  predictClips,
  mergeWindows,
  DEVICES,
  type Device,
  type LoadModelOptions,
  type LoadedModel,
  type ModelCard,
  type Prediction,
} from './onnx.js';
