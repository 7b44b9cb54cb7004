// The decode stage's public surface: locating ffmpeg, probing clips and decoding them to gray analysis frames.

export type { DecodedClip, DecodeOptions, ProbeInfo } from './types.js';
export type { FfmpegLocation } from './ffmpeg.js';
export { DECODER_THREADS, locateFfmpeg, resetFfmpegLocation } from './ffmpeg.js';
export { PROBE_TIMEOUT_MS, probeClip } from './probe.js';
export type { DecodePlan, DecodeTuning } from './frames.js';
export { DEFAULT_DECODE_OPTIONS, analysisSize, decodeClip, decodeOnly, decodeProbed, planDecode } from './frames.js';
export type { Batched, ClipRequest, ClipResult, Settled } from './batch.js';
export { DecodeBatcher, decodeClips } from './batch.js';
