/**
 * Speech synthesis with espeak-ng (Debian `espeak-ng`), the one Japanese-capable TTS
 * Debian ships. We run it as a child process per fragment, read the WAV it writes to
 * stdout and convert it to 8 kHz mono PCM with the same path as uploaded prompts
 * (wav-to-g711.ts). Rendering happens once per text and voice; the result is cached by
 * the prompt library, so this is never on a call's path after the first render.
 */
import { execFile } from 'node:child_process';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { wavToPcm8kMono } from '../wav/wav-to-g711.ts';

/** Turns a reading into 8 kHz mono PCM. `id` goes into the cache hash. */
export interface SpeechRenderer {
  readonly id: string;
  render(reading: string): Promise<Int16Array>;
}

export interface EspeakOptions {
  /** espeak-ng voice (default `ja`). */
  voice?: string;
  /** Words per minute (espeak default 175; 150 is clearer on the telephone). */
  speed?: number;
  /** Path or name of the binary (default `espeak-ng` on PATH). */
  command?: string;
  /** Kill a render that takes longer than this (default 20 s). */
  timeoutMs?: number;
}

export class EspeakRenderer implements SpeechRenderer {
  readonly id: string;
  private readonly voice: string;
  private readonly speed: number;
  private readonly command: string;
  private readonly timeoutMs: number;

  constructor(options: EspeakOptions = {}) {
    this.voice = options.voice ?? 'ja';
    this.speed = options.speed ?? 150;
    this.command = options.command ?? 'espeak-ng';
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.id = `espeak-ng:${this.voice}:${this.speed}`;
  }

  render(reading: string): Promise<Int16Array> {
    const args = ['-v', this.voice, '-s', String(this.speed), '--stdout', '--', reading];
    return new Promise((resolve, reject) => {
      execFile(
        this.command,
        args,
        { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: this.timeoutMs },
        (error, stdout) => {
          if (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ENOENT') {
              reject(
                new MediaError(
                  MediaErrorCode.TtsUnavailable,
                  `${this.command} not found: install it with \`apt-get install espeak-ng\``,
                  { cause: error },
                ),
              );
            } else {
              reject(
                new MediaError(
                  MediaErrorCode.TtsFailed,
                  `${this.command} failed: ${error.message}`,
                  {
                    cause: error,
                  },
                ),
              );
            }
            return;
          }
          try {
            const pcm = wavToPcm8kMono(
              new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length),
            );
            if (pcm.length === 0) throw new Error('no audio');
            resolve(pcm);
          } catch (cause) {
            reject(
              new MediaError(MediaErrorCode.TtsFailed, `${this.command} produced no usable WAV`, {
                cause,
              }),
            );
          }
        },
      );
    });
  }
}
