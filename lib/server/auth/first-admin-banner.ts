// The block printed once, on first start, when EventDesk generated the admin's password: plain
// text in a frame, so it stands out among the JSON log lines it is printed between.
export function firstAdminBanner(o: { url: string; email: string; password: string }): string {
  const lines = [
    'EventDesk is ready. Sign in as the first admin:',
    '',
    `  Console   ${o.url}`,
    `  Email     ${o.email}`,
    `  Password  ${o.password}`,
    '',
    'This password is shown once only (only its hash is stored).',
    'Change it or add users in Settings; set ADMIN_EMAIL / ADMIN_PASSWORD to choose them instead.',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  return ['', rule, ...lines.map((l) => `| ${l.padEnd(width)} |`), rule, ''].join('\n') + '\n';
}
