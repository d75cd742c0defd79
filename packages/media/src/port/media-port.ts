/**
 * Passive media ports (the pjsip idea): nothing in a port runs by itself; the shared
 * {@link MediaClock} pulls a frame from sources and pushes frames into sinks every 20 ms.
 * Frames are 16-bit linear PCM at 8 kHz, 160 samples, in caller-owned buffers.
 */

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const SAMPLES_PER_FRAME = (SAMPLE_RATE * FRAME_MS) / 1000;

export interface MediaSource {
  /**
   * Fill `out` (one frame) and return true, or return false when there is nothing to
   * play (the caller sends silence or nothing; `out` content is then unspecified).
   */
  getFrame(out: Int16Array): boolean;
}

export interface MediaSink {
  /** Consume one frame. The buffer is only valid during the call: copy what you keep. */
  putFrame(frame: Int16Array): void;
}
