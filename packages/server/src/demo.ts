/**
 * `npm run demo`: a small answering service to try things with (DESIGN.md "Contract").
 * Fixed names and numbers, so scripts can rely on them. Idempotent: a second start
 * finds the demo data and leaves it as it is.
 */
import type { Config } from './config.ts';
import type { Services } from './services/index.ts';
import { systemActor } from './services/store.ts';

export const demoNumbers = {
  announcement: '+81120000001',
  answering: '+81312345678',
  ivr: '+815012345678',
  forwarding: '+818000000001',
} as const;

export const demoAccounts = {
  admin: { email: 'admin@example.com', password: 'admin-demo-pass' },
  operator: { email: 'op1@example.com', password: 'op1-demo-pass', sipUser: 'op1' },
  clientAdmin: { email: 'client-admin@demo-shoji.example', password: 'client-demo-pass' },
} as const;

export async function seedDemo(services: Services, config: Config): Promise<string[]> {
  const a = systemActor;
  const existing = await services.numbers.list({});
  if (!existing.some((n) => n.e164 === demoNumbers.answering)) {
    const shoji = await services.tenants.create(a, {
      name: 'デモ商事株式会社',
      nameKana: 'デモショウジカブシキガイシャ',
      address: '東京都千代田区丸の内1-1-1',
      industry: '卸売業',
      greeting: 'お電話ありがとうございます。デモ商事でございます。',
      operatorAlias: '佐藤',
      companyInfo: '営業時間: 平日 9:00〜18:00。主力商品: 業務用文具。',
      handlingManual: '営業電話はお断りし、担当者名を伺ってください。至急の案件は緊急連絡先へ。',
      emergencyContact: {
        name: '山田 太郎',
        phone: '090-1234-5678',
        email: 'yamada@demo-shoji.example',
      },
      reportChannel: { kind: 'email', mode: 'named' },
      planCode: 'standard',
    });
    for (const s of ['screening', 'contracted', 'testing', 'live'] as const)
      await services.tenants.transition(a, shoji.id, s);
    await services.staff.create(a, shoji.id, {
      name: '山田 太郎',
      nameKana: 'ヤマダ タロウ',
      department: '代表',
      email: 'yamada@demo-shoji.example',
      phone: '090-1234-5678',
    });
    const suzuki = await services.staff.create(a, shoji.id, {
      name: '鈴木 花子',
      nameKana: 'スズキ ハナコ',
      department: '営業部',
      email: 'suzuki@demo-shoji.example',
    });
    await services.staff.create(a, shoji.id, {
      name: '田中 一郎',
      nameKana: 'タナカ イチロウ',
      department: '経理部',
      email: null,
      reportTarget: false,
    });
    const now = services.store.clock.now().getTime();
    await services.staff.createAbsence(a, shoji.id, suzuki.id, {
      kind: 'business_trip',
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 2 * 86_400_000).toISOString(),
      expectedReturnAt: new Date(now + 2 * 86_400_000).toISOString(),
      note: '大阪出張',
    });
    await services.faq.create(a, shoji.id, {
      question: '営業時間は?',
      answer: '平日9時から18時です。',
    });
    await services.faq.create(a, shoji.id, {
      question: '見積もりの依頼方法は?',
      answer: '担当の鈴木より折り返しご連絡します。',
    });

    const kogyo = await services.tenants.create(a, {
      name: 'サンプル工業株式会社',
      nameKana: 'サンプルコウギョウカブシキガイシャ',
      address: '大阪府大阪市北区梅田2-2-2',
      industry: '製造業',
      greeting: 'お電話ありがとうございます。サンプル工業でございます。',
      operatorAlias: '高橋',
      reportChannel: { kind: 'email', mode: 'named' },
      planCode: 'start',
    });
    for (const s of ['screening', 'contracted', 'testing', 'live'] as const)
      await services.tenants.transition(a, kogyo.id, s);
    await services.staff.create(a, kogyo.id, {
      name: '伊藤 健',
      nameKana: 'イトウ ケン',
      department: '総務部',
      email: 'ito@sample-kogyo.example',
      chatIds: { chatwork: '1234567' },
    });

    const lend = async (
      e164: string,
      tenantId: string,
      usageMode: 'forwarding' | 'display' | 'announcement_only',
      purpose: string,
      destination?: string,
    ) => {
      const n = await services.numbers.create(a, { number: e164, purpose });
      return services.numbers.assign(a, n.id, {
        tenantId,
        usageMode,
        purpose,
        destination: destination ?? null,
      });
    };
    await lend(demoNumbers.announcement, shoji.id, 'announcement_only', '応答メッセージ専用');
    await lend(demoNumbers.answering, shoji.id, 'display', '代表番号 (operators)');
    const ivrNumber = await lend(
      demoNumbers.ivr,
      kogyo.id,
      'display',
      'IVR: 1 operators, 2 callback, 9 announcement',
    );
    // DESIGN.md: 1 → operators, 2 → callback capture, 9 → announcement.
    const ivrFlow = await services.flows.create(a, kogyo.id, 'デモIVR', {
      steps: [
        { verb: 'answer' },
        { verb: 'play', prompt: 'greeting' },
        {
          verb: 'menu',
          prompt: 'menu_main',
          timeoutSec: 5,
          attempts: 3,
          options: {
            '1': [
              {
                verb: 'enqueue',
                queue: 'default',
                maxWaitSec: 120,
                busyPrompt: 'busy',
                overflow: [{ verb: 'callback', reason: '混雑のため折り返し' }],
              },
            ],
            '2': [
              {
                verb: 'callback',
                reason: '折り返し希望 (IVR)',
                firstHour: 9,
                lastHour: 18,
                maxDaysAhead: 14,
              },
            ],
            '9': [{ verb: 'play', prompt: 'announcement_web' }, { verb: 'hangup' }],
          },
          onFailure: [{ verb: 'play', prompt: 'goodbye' }, { verb: 'hangup' }],
        },
      ],
    });
    await services.numbers.update(a, ivrNumber.id, { flowId: ivrFlow.id });
    const fwd = await lend(
      demoNumbers.forwarding,
      shoji.id,
      'display',
      '直通 (self-answer to the client phone)',
      config.demoForwardUri,
    );
    await services.numbers.setSelfAnswer(a, shoji.id, fwd.id, true);
    await services.numbers.create(a, { number: '0120-959-002', purpose: '未割当 (free to lend)' });

    // DESIGN.md: calls arrive from a demo trunk that trusts this machine.
    await services.trunks.create(a, { name: 'demo-trunk', allowedSources: ['127.0.0.0/8', '::1'] });
    await services.users.create(a, {
      email: demoAccounts.operator.email,
      name: 'オペレーター1',
      role: 'operator',
      password: demoAccounts.operator.password,
    });
    await services.users.create(a, {
      email: 'supervisor@example.com',
      name: 'スーパーバイザー',
      role: 'supervisor',
      password: 'supervisor-demo-pass',
    });
    await services.users.create(a, {
      email: demoAccounts.clientAdmin.email,
      name: '山田 太郎',
      role: 'client_admin',
      tenantId: shoji.id,
      password: demoAccounts.clientAdmin.password,
    });
  }
  return [
    'demo service:',
    `  admin          ${demoAccounts.admin.email} / ${demoAccounts.admin.password}`,
    `  operator       ${demoAccounts.operator.email} / ${demoAccounts.operator.password}`,
    `  client admin   ${demoAccounts.clientAdmin.email} / ${demoAccounts.clientAdmin.password} (デモ商事)`,
    '  numbers (call handling arrives with the SIP capability; their records are live now):',
    '    0120-000-001   announcement-only (デモ商事)',
    '    03-1234-5678   answering: queue to operators (デモ商事)',
    '    050-1234-5678  IVR (サンプル工業)',
    `    0800-000-0001  self-answer forwarding to ${config.demoForwardUri} (デモ商事)`,
    `  try: curl -c jar -H 'content-type: application/json' -d '{"email":"${demoAccounts.admin.email}","password":"${demoAccounts.admin.password}"}' http://localhost:${config.httpPort}/api/v1/auth/login`,
  ];
}
