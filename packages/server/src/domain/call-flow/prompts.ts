/**
 * The system prompts a flow may name. The media capability renders them (Japanese first);
 * here they are only names, so a flow that names a missing prompt is refused at save time.
 */
export const systemPrompts = [
  'greeting', // お電話ありがとうございます。
  'announcement_web', // 恐れ入りますが、お問い合わせはウェブフォームまたはメールでお願いいたします。
  'closed', // 本日の営業は終了いたしました。
  'holiday', // 本日は休業日です。
  'busy', // ただいま電話が大変混み合っております。
  'hold_music',
  'queue_position', // あなたは N 番目にお待ちいただいております。
  'queue_wait', // おおよその待ち時間は N 分です。
  'menu_main', // ご用件の番号を押してください。
  'invalid_choice',
  'screen_customer', // お取引のあるお客様は 1 を押してください。
  'enter_number', // 折り返しのお電話番号を入力し、最後に # を押してください。
  'enter_date', // 折り返しご希望の日付を…
  'enter_time', // ご希望の時間帯を…
  'readback_number',
  'readback_window',
  'confirm_or_reenter', // よろしければ 1、入力し直す場合は 2 を押してください。
  'callback_accepted', // 折り返しのご依頼を承りました。
  'voicemail_beep', // 発信音の後にメッセージをどうぞ。
  'goodbye',
] as const;
export type SystemPrompt = (typeof systemPrompts)[number];
