/**
 * The default Japanese prompts. Names are a contract: the server's flow validator knows
 * exactly these, so add names here and there together.
 *
 * Each speech prompt keeps three texts:
 *   - `text`: what a person reads (kanji and kana, shown in the portal);
 *   - `reading`: what espeak-ng's `ja` voice is fed. espeak-ng 1.51 reads kana only — a
 *     kanji is spoken as "Chinese letter" — so readings are hiragana/katakana, with the
 *     particles は/へ written as pronounced (わ/え), which espeak does not infer;
 *   - `gloss`: English, for operators and reviewers.
 * Prompts with slots (`parts`) are composed at play time from cached fragments
 * (prompt-readback.ts). `hold_music` and `voicemail_beep` are generated tones.
 */

export const PROMPT_NAMES = [
  'greeting',
  'announcement_web',
  'closed',
  'holiday',
  'busy',
  'hold_music',
  'queue_position',
  'queue_wait',
  'menu_main',
  'invalid_choice',
  'screen_customer',
  'enter_number',
  'enter_date',
  'enter_time',
  'readback_number',
  'readback_window',
  'confirm_or_reenter',
  'callback_accepted',
  'voicemail_beep',
  'goodbye',
] as const;

export type PromptName = (typeof PROMPT_NAMES)[number];

/** A run of speech: display text and what the synthesiser reads. */
export interface SpeechText {
  readonly text: string;
  readonly reading: string;
}

/** Parameter slots a composed prompt can hold (see {@link PromptParams}). */
export type PromptSlot = 'digits' | 'position' | 'minutes' | 'window';

export type PromptPart = SpeechText | { readonly slot: PromptSlot };

export type PromptDefinition =
  | ({ readonly kind: 'speech'; readonly gloss: string } & SpeechText)
  | {
      readonly kind: 'composed';
      readonly gloss: string;
      /** Display template, slots as {name}. */
      readonly text: string;
      readonly parts: readonly PromptPart[];
    }
  | { readonly kind: 'tone'; readonly gloss: string; readonly tone: 'hold-music' | 'beep' };

/** A date/time window for read-back: 「11月22日 10時から11時まで」. */
export interface CallbackWindow {
  month: number;
  day: number;
  startHour: number;
  endHour: number;
}

export interface PromptParams {
  /** Digits read one by one (0–9, *, #). */
  digits?: string;
  /** Queue position (1–99): 「3番目」. */
  position?: number;
  /** Minutes (0–59): 「5分」. */
  minutes?: number;
  window?: CallbackWindow;
}

function speech(text: string, reading: string, gloss: string): PromptDefinition {
  return { kind: 'speech', text, reading, gloss };
}

export const PROMPT_CATALOGUE: Readonly<Record<PromptName, PromptDefinition>> = {
  greeting: speech(
    'お電話ありがとうございます。',
    'おでんわ ありがとうございます。',
    'Thank you for calling.',
  ),
  announcement_web: speech(
    '詳しくはホームページをご覧ください。',
    'くわしくわ ほーむぺーじを ごらんください。',
    'For details, please see our website.',
  ),
  closed: speech(
    '本日の営業は終了いたしました。営業時間内におかけ直しください。',
    'ほんじつの えいぎょうわ しゅうりょう いたしました。えいぎょうじかんないに おかけなおし ください。',
    'We are closed for today. Please call again during business hours.',
  ),
  holiday: speech(
    '本日は休業日です。恐れ入りますが、営業日におかけ直しください。',
    'ほんじつわ きゅうぎょうびです。おそれいりますが、えいぎょうびに おかけなおし ください。',
    'We are closed today. Please call again on a business day.',
  ),
  busy: speech(
    'ただいま電話が大変混み合っております。',
    'ただいま でんわが たいへん こみあって おります。',
    'All our lines are very busy at the moment.',
  ),
  hold_music: { kind: 'tone', tone: 'hold-music', gloss: 'Hold music (generated melody, loops).' },
  queue_position: {
    kind: 'composed',
    text: 'お客様の順番は{position}です。',
    parts: [
      { text: 'お客様の順番は', reading: 'おきゃくさまの じゅんばんわ' },
      { slot: 'position' },
      { text: 'です。', reading: 'です。' },
    ],
    gloss: 'You are number {position} in the queue.',
  },
  queue_wait: {
    kind: 'composed',
    text: 'お待ち時間はおよそ{minutes}です。',
    parts: [
      { text: 'お待ち時間はおよそ', reading: 'おまちじかんわ およそ' },
      { slot: 'minutes' },
      { text: 'です。', reading: 'です。' },
    ],
    gloss: 'The waiting time is about {minutes} minutes.',
  },
  menu_main: speech(
    'オペレーターにおつなぎする場合は1を、折り返しのお電話をご希望の場合は2を、ご案内をお聞きになる場合は9を押してください。',
    'おぺれーたーに おつなぎする ばあいわ いちを、おりかえしの おでんわを ごきぼうの ばあいわ にを、ごあんないを おききになる ばあいわ きゅうを おしてください。',
    'For an operator press 1, to request a call back press 2, to hear our announcement press 9.',
  ),
  invalid_choice: speech(
    '入力が正しくありません。もう一度お願いします。',
    'にゅうりょくが ただしく ありません。もういちど おねがいします。',
    'That input is not valid. Please try again.',
  ),
  screen_customer: speech(
    'お取引のあるお客様は1を、初めてのお客様は2を押してください。',
    'おとりひきの ある おきゃくさまわ いちを、はじめての おきゃくさまわ にを おしてください。',
    'Existing customers press 1, new customers press 2.',
  ),
  enter_number: speech(
    '折り返しのお電話番号を入力し、最後にシャープを押してください。おかけになっている番号でよろしければ、シャープのみを押してください。',
    'おりかえしの おでんわばんごうを にゅうりょくし、さいごに しゃーぷを おしてください。おかけになっている ばんごうで よろしければ、しゃーぷのみを おしてください。',
    'Enter the number to call you back on, then press #. To use the number you are calling from, just press #.',
  ),
  enter_date: speech(
    'ご希望の日付を、月と日の4桁で入力してください。本日の場合はシャープのみを押してください。',
    'ごきぼうの ひづけを、つきと ひの よんけたで にゅうりょく してください。ほんじつの ばあいわ しゃーぷのみを おしてください。',
    'Enter the date you prefer as four digits, month and day. For today, just press #.',
  ),
  enter_time: speech(
    'ご希望の時刻を、2桁で入力してください。',
    'ごきぼうの じこくを、にけたで にゅうりょく してください。',
    'Enter the hour you prefer as two digits.',
  ),
  readback_number: {
    kind: 'composed',
    text: 'ご入力いただいた番号は{digits}です。',
    parts: [
      { text: 'ご入力いただいた番号は', reading: 'ごにゅうりょく いただいた ばんごうわ' },
      { slot: 'digits' },
      { text: 'です。', reading: 'です。' },
    ],
    gloss: 'The number you entered is {digits}.',
  },
  readback_window: {
    kind: 'composed',
    text: 'ご希望の日時は{window}です。',
    parts: [
      { text: 'ご希望の日時は', reading: 'ごきぼうの にちじわ' },
      { slot: 'window' },
      { text: 'です。', reading: 'です。' },
    ],
    gloss: 'Your preferred time is {window}.',
  },
  confirm_or_reenter: speech(
    'よろしければ1を、入力し直す場合は2を押してください。',
    'よろしければ いちを、にゅうりょく しなおす ばあいわ にを おしてください。',
    'If this is correct press 1, to enter it again press 2.',
  ),
  callback_accepted: speech(
    '承りました。担当者より折り返しお電話いたします。',
    'うけたまわりました。たんとうしゃより おりかえし おでんわ いたします。',
    'Thank you, we will call you back.',
  ),
  voicemail_beep: { kind: 'tone', tone: 'beep', gloss: 'Beep before recording a message.' },
  goodbye: speech(
    'お電話ありがとうございました。失礼いたします。',
    'おでんわ ありがとうございました。しつれい いたします。',
    'Thank you for calling. Goodbye.',
  ),
};

export function isPromptName(value: string): value is PromptName {
  return Object.hasOwn(PROMPT_CATALOGUE, value);
}
