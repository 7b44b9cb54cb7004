// Plain data types of the decode stage: what a probe learns and what the frame reader returns.

/**
 * Facts about a clip, read from the container before decoding: by ffprobe (probeClip), or from the stream
 * dump the decoding ffmpeg prints before its first frame (decodeClip; duration to 10 ms, frameCount null).
 */
export interface ProbeInfo {
  /** Duration in seconds (container or stream, whichever is known; 0 if unknown). */
  durationS: number;
  /** Average frame rate of the video stream in frames per second (0 if unknown). */
  fps: number;
  /** Coded width and height of the video stream in pixels. */
  width: number;
  height: number;
  /** Display rotation in degrees clockwise (0, 90, 180, 270), from side data or the rotate tag. */
  rotation: number;
  /** Pixel format name as ffmpeg reports it (e.g. yuv420p, yuv420p10le). */
  pixFmt: string;
  /** Codec name (e.g. h264). */
  codec: string;
  /** Number of frames when the container states it, else null. */
  frameCount: number | null;
  /** True when r_frame_rate and avg_frame_rate disagree (variable frame rate). */
  vfr: boolean;
  /** Whether the file has an audio stream (informational). */
  hasAudio: boolean;
  /** Container format name (e.g. "mov,mp4,m4a,3gp,3g2,mj2"). */
  format: string;
  /** Sample (pixel) aspect ratio width/height; 1 for square pixels or when unknown (absent = 1). */
  sampleAspectRatio?: number;
}

/** How to decode a clip for analysis. */
export interface DecodeOptions {
  /** Short side of the analysis frames in pixels (the long side keeps the display aspect, rounded to even). */
  shortSide: number;
  /** Analysis frame rate in frames per second; never above the source rate. */
  fps: number;
  /** Longest stretch of a clip analysed, in seconds (see the window policy). */
  maxSeconds: number;
  /** Kill ffmpeg and fail the clip after this many milliseconds. */
  timeoutMs: number;
  /**
   * Only this span of the clip, in seconds from its start (a segment of a long video); the window policy applies
   * inside it. `endS` past the clip's end (Infinity included) means up to the end.
   */
  segment?: { startS: number; endS: number };
}

/** Gray frames of one clip at analysis size and rate. */
export interface DecodedClip {
  probe: ProbeInfo;
  width: number;
  height: number;
  /** Analysis rate actually used (frames per second). */
  fps: number;
  /** The window of the clip that was decoded, in seconds from its start. */
  windowStartS: number;
  windowEndS: number;
  /** One Uint8Array of width*height gray values per frame, in time order. */
  frames: Uint8Array[];
  /** Problems ffmpeg reported while the clip still decoded well enough (e.g. a damaged stretch); absent if none. */
  warnings?: string[];
}
